-- Recalls: reserved, filled by the recall work.
SELECT 1;

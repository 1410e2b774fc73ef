-- Registry: reserved.
SELECT 1;

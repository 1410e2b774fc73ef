-- Public lookups: reserved.
SELECT 1;

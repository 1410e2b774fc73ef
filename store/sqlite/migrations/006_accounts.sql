-- Accounts: reserved.
SELECT 1;

-- The possible-copy rule counts a code's scans and distinct areas on every public lookup:
-- with the area in the index the count is read from the index alone.
CREATE INDEX public_scans_code_at_area ON public_scans (code, at, area);
DROP INDEX public_scans_code_at;

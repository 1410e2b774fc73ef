-- Public lookups: the scan log behind the possible-copy warnings. A row is a code, a time
-- and a coarse area (a network prefix); nothing identifies a person.
CREATE TABLE public_scans (
	code TEXT    NOT NULL,
	at   INTEGER NOT NULL,
	area TEXT    NOT NULL
);

CREATE INDEX public_scans_code_at ON public_scans (code, at);

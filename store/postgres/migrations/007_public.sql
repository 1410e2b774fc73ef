-- Public lookups: the scan log behind the possible-copy warnings. A row is a code, a time
-- and a coarse area (a network prefix); nothing identifies a person.
CREATE TABLE public_scans (
	code text   COLLATE "C" NOT NULL,
	at   bigint NOT NULL,
	area text   NOT NULL
);

CREATE INDEX public_scans_code_at ON public_scans (code, at);

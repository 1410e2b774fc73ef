-- What the public view takes from each event, worked out at capture (package public), so
-- that a lookup reads it instead of decoding the event. Events stored before have none.
ALTER TABLE events ADD COLUMN facts BLOB;

-- What a lead's request said, as a hash of its normalised body. An Idempotency-Key reused with the same body
-- is a retry (200, the original id); reused with another body it is a client bug that would otherwise
-- swallow a lead (422, nothing written). NULL for leads stored before this migration: their keys compare as
-- retries, as they always did.
ALTER TABLE conversations ADD COLUMN request_fingerprint text;

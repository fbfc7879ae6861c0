-- Corrections: a thumbs-down may carry the answer the user expected (src/core/votes.ts
-- VOTE_FIELDS `correction`), stored with the vote and cleared with it, never put on the
-- gateway's log.
ALTER TABLE votes ADD COLUMN correction TEXT;

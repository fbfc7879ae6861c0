-- A transcript too long for its row (STORE_TRANSCRIPTS=true, over TRANSCRIPT_IN_ROW_BYTES) is
-- kept in R2 (the TRANSCRIPTS bucket) under this key; `conversation` and `answer_text` are
-- then NULL, and the export reads it back from there.
ALTER TABLE answers ADD COLUMN transcript_key TEXT;

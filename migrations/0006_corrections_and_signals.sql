-- Corrections: a thumbs-down may carry the answer the user expected (src/core/votes.ts
-- VOTE_FIELDS `correction`), stored with the vote and cleared with it, never put on the
-- gateway's log.
ALTER TABLE votes ADD COLUMN correction TEXT;

-- Implicit signals (src/store/signals.ts): whether the user regenerated an answer, and
-- whether they copied it, recorded through POST /api/feedback/signal with the answer's
-- feedback token. A flag per answer and signal, set by the first record and left as it is by
-- every repeat: a retry, a double click or a second copy counts once. Its rollup counts, per
-- UTC day and served model of the answer, the answers regenerated and the answers copied,
-- once the answer row is there, whichever came first; GET /api/admin/stats reads it beside
-- answer_rollups, never mixed into the votes' counts. An answer deleted (retention) takes
-- its signals with it.
CREATE TABLE answer_signals (
	ai_gateway_log_id TEXT PRIMARY KEY,
	-- 1 once recorded, never back to 0.
	regenerated INTEGER NOT NULL,
	copied INTEGER NOT NULL,
	-- When the answer's first signal reached the store; retention deletes by it too (a signal
	-- whose answer never reached the store).
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE INDEX answer_signals_by_time ON answer_signals (created_at);

CREATE TABLE signal_rollups (
	day INTEGER NOT NULL,
	served_model TEXT NOT NULL,
	-- Answers regenerated, and answers copied (each at most once an answer).
	regenerated INTEGER NOT NULL,
	copied INTEGER NOT NULL,
	PRIMARY KEY (day, served_model)
) STRICT, WITHOUT ROWID;

-- An answer's first signal: counted on its answer's day and model, if the answer is there.
CREATE TRIGGER signals_rollup_insert AFTER INSERT ON answer_signals BEGIN
	INSERT INTO signal_rollups (day, served_model, regenerated, copied)
	SELECT created_at / 86400000, served_model, NEW.regenerated, NEW.copied FROM answers
	WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, served_model) DO UPDATE SET regenerated = regenerated + excluded.regenerated,
		copied = copied + excluded.copied;
END;

-- Another signal on the same answer: the flag it set is counted. A repeat updates nothing.
CREATE TRIGGER signals_rollup_update AFTER UPDATE OF regenerated, copied ON answer_signals
WHEN OLD.regenerated IS NOT NEW.regenerated OR OLD.copied IS NOT NEW.copied BEGIN
	INSERT INTO signal_rollups (day, served_model, regenerated, copied)
	SELECT created_at / 86400000, served_model, NEW.regenerated - OLD.regenerated,
		NEW.copied - OLD.copied FROM answers
	WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, served_model) DO UPDATE SET regenerated = regenerated + excluded.regenerated,
		copied = copied + excluded.copied;
END;

-- Signals deleted (retention): uncounted, if their answer is still there.
CREATE TRIGGER signals_rollup_delete AFTER DELETE ON answer_signals BEGIN
	UPDATE signal_rollups SET regenerated = regenerated - OLD.regenerated,
		copied = copied - OLD.copied
	WHERE (day, served_model) = (SELECT created_at / 86400000, served_model FROM answers
		WHERE ai_gateway_log_id = OLD.ai_gateway_log_id);
END;

-- A new answer: its signals counted, when they reached the store first.
CREATE TRIGGER answers_signals_insert AFTER INSERT ON answers BEGIN
	INSERT INTO signal_rollups (day, served_model, regenerated, copied)
	SELECT NEW.created_at / 86400000, NEW.served_model, regenerated, copied FROM answer_signals
	WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, served_model) DO UPDATE SET regenerated = regenerated + excluded.regenerated,
		copied = copied + excluded.copied;
END;

-- An answer deleted (retention): its signals uncounted, and deleted with it.
CREATE TRIGGER answers_signals_delete AFTER DELETE ON answers BEGIN
	UPDATE signal_rollups SET regenerated = regenerated - s.r, copied = copied - s.c
	FROM (SELECT regenerated AS r, copied AS c FROM answer_signals
		WHERE ai_gateway_log_id = OLD.ai_gateway_log_id) AS s
	WHERE day = OLD.created_at / 86400000 AND served_model = OLD.served_model;
	DELETE FROM answer_signals WHERE ai_gateway_log_id = OLD.ai_gateway_log_id;
END;

-- The rows written so far (none yet): the rebuild's statements for this rollup
-- (src/store/rollups.ts REBUILD_ROLLUPS, word for word).
DELETE FROM signal_rollups;
INSERT INTO signal_rollups (day, served_model, regenerated, copied)
SELECT a.created_at / 86400000, a.served_model, SUM(s.regenerated), SUM(s.copied)
FROM answers a JOIN answer_signals s ON s.ai_gateway_log_id = a.ai_gateway_log_id
GROUP BY 1, 2;

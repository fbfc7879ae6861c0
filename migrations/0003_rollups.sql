-- Statistics from rollups: per UTC day (created_at / 86400000) and served model, the answers,
-- their latest votes and a histogram of their latencies; and the votes per delivery state.
-- Triggers keep them current in the same transaction as the rows they count, so
-- GET /api/admin/stats reads days × models rows and GET /api/admin/health a few, never the
-- answers or votes; a write that changes no row (a redelivered answer, an older vote
-- version) fires nothing. Votes count on their answer's day and model, once the answer row
-- is there, whichever came first. src/store/rollups.ts defines the latency buckets and holds
-- the rebuild from the rows (npm run store:rebuild-rollups), whose statements end this file.

-- The medians read this index; the rollups replace it, and every answer write kept it.
DROP INDEX answers_by_model;

-- The answer's latency bucket (src/store/rollups.ts latencyBucket of total_ms), written with
-- the row: the SQL below needs no math functions.
ALTER TABLE answers ADD COLUMN latency_bucket INTEGER;

CREATE TABLE answer_rollups (
	day INTEGER NOT NULL,
	served_model TEXT NOT NULL,
	answers INTEGER NOT NULL,
	-- The answers' latest votes; score_sum and scored: the scores of votes other than 'clear'.
	up INTEGER NOT NULL,
	down INTEGER NOT NULL,
	cleared INTEGER NOT NULL,
	score_sum INTEGER NOT NULL,
	scored INTEGER NOT NULL,
	PRIMARY KEY (day, served_model)
) STRICT, WITHOUT ROWID;

-- Complete answers per latency bucket.
CREATE TABLE latency_rollups (
	day INTEGER NOT NULL,
	served_model TEXT NOT NULL,
	bucket INTEGER NOT NULL,
	answers INTEGER NOT NULL,
	PRIMARY KEY (day, served_model, bucket)
) STRICT, WITHOUT ROWID;

-- Votes per delivery state; `refused`: those of them the gateway refused.
CREATE TABLE vote_states (
	state TEXT PRIMARY KEY,
	votes INTEGER NOT NULL,
	refused INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- A new answer: counted, with its vote when the vote reached the store first.
CREATE TRIGGER answers_rollup_insert AFTER INSERT ON answers BEGIN
	INSERT INTO answer_rollups (day, served_model, answers, up, down, cleared, score_sum, scored)
	SELECT NEW.created_at / 86400000, NEW.served_model, 1, IFNULL(SUM(vote = 'up'), 0),
		IFNULL(SUM(vote = 'down'), 0), IFNULL(SUM(vote = 'clear'), 0),
		IFNULL(SUM(IIF(vote <> 'clear', score, NULL)), 0), COUNT(IIF(vote <> 'clear', score, NULL))
	FROM votes WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, served_model) DO UPDATE SET answers = answers + excluded.answers,
		up = up + excluded.up, down = down + excluded.down, cleared = cleared + excluded.cleared,
		score_sum = score_sum + excluded.score_sum, scored = scored + excluded.scored;
	INSERT INTO latency_rollups (day, served_model, bucket, answers)
	SELECT NEW.created_at / 86400000, NEW.served_model, NEW.latency_bucket, 1
	WHERE NEW.outcome = 'complete' AND NEW.latency_bucket IS NOT NULL
	ON CONFLICT (day, served_model, bucket) DO UPDATE SET answers = answers + 1;
END;

-- An answer deleted (retention): uncounted, with its vote.
CREATE TRIGGER answers_rollup_delete AFTER DELETE ON answers BEGIN
	UPDATE answer_rollups SET answers = answers - 1, up = up - v.u, down = down - v.d,
		cleared = cleared - v.c, score_sum = score_sum - v.s, scored = scored - v.n
	FROM (SELECT IFNULL(SUM(vote = 'up'), 0) AS u, IFNULL(SUM(vote = 'down'), 0) AS d,
		IFNULL(SUM(vote = 'clear'), 0) AS c, IFNULL(SUM(IIF(vote <> 'clear', score, NULL)), 0) AS s,
		COUNT(IIF(vote <> 'clear', score, NULL)) AS n
		FROM votes WHERE ai_gateway_log_id = OLD.ai_gateway_log_id) AS v
	WHERE day = OLD.created_at / 86400000 AND served_model = OLD.served_model;
	UPDATE latency_rollups SET answers = answers - 1
	WHERE day = OLD.created_at / 86400000 AND served_model = OLD.served_model
		AND bucket = OLD.latency_bucket AND OLD.outcome = 'complete';
END;

-- A log's first vote: counted in its state, and on its answer's day and model if the answer
-- is there.
CREATE TRIGGER votes_rollup_insert AFTER INSERT ON votes BEGIN
	INSERT INTO vote_states (state, votes, refused) VALUES (NEW.state, 1, NEW.refused)
	ON CONFLICT (state) DO UPDATE SET votes = votes + 1, refused = refused + excluded.refused;
	UPDATE answer_rollups SET up = up + (NEW.vote = 'up'), down = down + (NEW.vote = 'down'),
		cleared = cleared + (NEW.vote = 'clear'),
		score_sum = score_sum + IIF(NEW.vote <> 'clear', IFNULL(NEW.score, 0), 0),
		scored = scored + (NEW.vote <> 'clear' AND NEW.score IS NOT NULL)
	WHERE (day, served_model) = (SELECT created_at / 86400000, served_model FROM answers
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id);
END;

-- A re-vote (or a new score): the counts move from the old vote to the new one. Delivery
-- updates, which keep the vote, change nothing.
CREATE TRIGGER votes_rollup_update AFTER UPDATE OF vote, score ON votes
WHEN OLD.vote IS NOT NEW.vote OR OLD.score IS NOT NEW.score BEGIN
	UPDATE answer_rollups SET up = up + (NEW.vote = 'up') - (OLD.vote = 'up'),
		down = down + (NEW.vote = 'down') - (OLD.vote = 'down'),
		cleared = cleared + (NEW.vote = 'clear') - (OLD.vote = 'clear'),
		score_sum = score_sum + IIF(NEW.vote <> 'clear', IFNULL(NEW.score, 0), 0)
			- IIF(OLD.vote <> 'clear', IFNULL(OLD.score, 0), 0),
		scored = scored + (NEW.vote <> 'clear' AND NEW.score IS NOT NULL)
			- (OLD.vote <> 'clear' AND OLD.score IS NOT NULL)
	WHERE (day, served_model) = (SELECT created_at / 86400000, served_model FROM answers
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id);
END;

-- A delivery that moves on (pending, delivered, failed, refused): the vote changes state.
CREATE TRIGGER votes_state_update AFTER UPDATE OF state, refused ON votes
WHEN OLD.state IS NOT NEW.state OR OLD.refused IS NOT NEW.refused BEGIN
	UPDATE vote_states SET votes = votes - 1, refused = refused - OLD.refused
	WHERE state = OLD.state;
	INSERT INTO vote_states (state, votes, refused) VALUES (NEW.state, 1, NEW.refused)
	ON CONFLICT (state) DO UPDATE SET votes = votes + 1, refused = refused + excluded.refused;
END;

-- A vote deleted (retention): uncounted, in its state and, if its answer is still there, on
-- the answer's day and model.
CREATE TRIGGER votes_rollup_delete AFTER DELETE ON votes BEGIN
	UPDATE vote_states SET votes = votes - 1, refused = refused - OLD.refused
	WHERE state = OLD.state;
	UPDATE answer_rollups SET up = up - (OLD.vote = 'up'), down = down - (OLD.vote = 'down'),
		cleared = cleared - (OLD.vote = 'clear'),
		score_sum = score_sum - IIF(OLD.vote <> 'clear', IFNULL(OLD.score, 0), 0),
		scored = scored - (OLD.vote <> 'clear' AND OLD.score IS NOT NULL)
	WHERE (day, served_model) = (SELECT created_at / 86400000, served_model FROM answers
		WHERE ai_gateway_log_id = OLD.ai_gateway_log_id);
END;

-- The rows written so far: the rebuild (src/store/rollups.ts REBUILD_ROLLUPS, word for word;
-- test/integration/store-rollups.test.ts checks it).
UPDATE answers SET latency_bucket = (total_ms >= 1) + (total_ms >= 2) + (total_ms >= 2) + (total_ms >= 2) + (total_ms >= 2) + (total_ms >= 3) + (total_ms >= 3) + (total_ms >= 4) + (total_ms >= 4) + (total_ms >= 5) + (total_ms >= 6) + (total_ms >= 7) + (total_ms >= 8) + (total_ms >= 10) + (total_ms >= 12) + (total_ms >= 14) + (total_ms >= 16) + (total_ms >= 20) + (total_ms >= 23) + (total_ms >= 27) + (total_ms >= 32) + (total_ms >= 39) + (total_ms >= 46) + (total_ms >= 54) + (total_ms >= 64) + (total_ms >= 77) + (total_ms >= 91) + (total_ms >= 108) + (total_ms >= 128) + (total_ms >= 153) + (total_ms >= 182) + (total_ms >= 216) + (total_ms >= 256) + (total_ms >= 305) + (total_ms >= 363) + (total_ms >= 431) + (total_ms >= 512) + (total_ms >= 609) + (total_ms >= 725) + (total_ms >= 862) + (total_ms >= 1024) + (total_ms >= 1218) + (total_ms >= 1449) + (total_ms >= 1723) + (total_ms >= 2048) + (total_ms >= 2436) + (total_ms >= 2897) + (total_ms >= 3445) + (total_ms >= 4096) + (total_ms >= 4871) + (total_ms >= 5793) + (total_ms >= 6889) + (total_ms >= 8192) + (total_ms >= 9742) + (total_ms >= 11586) + (total_ms >= 13778) + (total_ms >= 16384) + (total_ms >= 19484) + (total_ms >= 23171) + (total_ms >= 27555) + (total_ms >= 32768) + (total_ms >= 38968) + (total_ms >= 46341) + (total_ms >= 55109) + (total_ms >= 65536) + (total_ms >= 77936) + (total_ms >= 92682) + (total_ms >= 110218) + (total_ms >= 131072) + (total_ms >= 155872) + (total_ms >= 185364) + (total_ms >= 220436) + (total_ms >= 262144) + (total_ms >= 311744) + (total_ms >= 370728) + (total_ms >= 440872) + (total_ms >= 524288) + (total_ms >= 623488)
WHERE latency_bucket IS NULL AND total_ms IS NOT NULL;
DELETE FROM answer_rollups;
DELETE FROM latency_rollups;
INSERT INTO answer_rollups (day, served_model, answers, up, down, cleared, score_sum, scored)
SELECT a.created_at / 86400000, a.served_model, COUNT(*), IFNULL(SUM(v.vote = 'up'), 0), IFNULL(SUM(v.vote = 'down'), 0), IFNULL(SUM(v.vote = 'clear'), 0), IFNULL(SUM(IIF(v.vote <> 'clear', v.score, NULL)), 0), COUNT(IIF(v.vote <> 'clear', v.score, NULL))
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
GROUP BY 1, 2;
INSERT INTO latency_rollups (day, served_model, bucket, answers)
SELECT created_at / 86400000, served_model, latency_bucket, COUNT(*) FROM answers
WHERE outcome = 'complete' AND latency_bucket IS NOT NULL
GROUP BY 1, 2, 3;
DELETE FROM vote_states;
INSERT INTO vote_states (state, votes, refused)
SELECT state, COUNT(*), SUM(refused) FROM votes GROUP BY state;

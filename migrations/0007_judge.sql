-- The LLM judge (src/judge/, docs/judge.md): one verdict per judged answer, keyed by the
-- answer's log id, never its texts; a rollup per UTC day of the answer and served model that
-- triggers keep current in the same transaction as the verdicts and the votes (as
-- 0003_rollups.sql does), with the confusion cells of the judge against people's latest
-- votes; and the judge's calls per UTC day, which JUDGE_DAILY_LIMIT caps.

CREATE TABLE judge_verdicts (
	-- The judged answer's log id (answers.ai_gateway_log_id; its row may come later, or never).
	ai_gateway_log_id TEXT PRIMARY KEY,
	-- The answer's day: its created_at / 86400000.
	day INTEGER NOT NULL,
	served_model TEXT NOT NULL,
	judged_at INTEGER NOT NULL,
	judge_model TEXT NOT NULL,
	rubric_version TEXT NOT NULL,
	-- The judge call's own gateway log.
	judge_log_id TEXT,
	-- 'judged', or 'unparseable' (the reply did not follow the rubric's shape: no verdict).
	outcome TEXT NOT NULL,
	-- 'good' or 'bad'; score on the rubric's scale; both null when unparseable.
	verdict TEXT,
	score INTEGER,
	-- At most 500 characters.
	rationale TEXT,
	-- The judge call's usage, as the gateway reported it.
	prompt_tokens INTEGER,
	completion_tokens INTEGER
) STRICT;

-- Retention's sweep of verdicts whose answer never reached the store.
CREATE INDEX judge_verdicts_by_day ON judge_verdicts (day);

CREATE TABLE judge_rollups (
	day INTEGER NOT NULL,
	served_model TEXT NOT NULL,
	-- Verdicts per outcome, and the judged ones per verdict; score_sum: their scores.
	judged INTEGER NOT NULL,
	unparseable INTEGER NOT NULL,
	good INTEGER NOT NULL,
	bad INTEGER NOT NULL,
	score_sum INTEGER NOT NULL,
	-- The judge calls' prompt and completion tokens: the judge's cost.
	tokens INTEGER NOT NULL,
	-- Verdicts by the answer's latest vote in `votes` ('clear' or none: in no cell).
	bad_down INTEGER NOT NULL,
	bad_up INTEGER NOT NULL,
	good_down INTEGER NOT NULL,
	good_up INTEGER NOT NULL,
	PRIMARY KEY (day, served_model)
) STRICT, WITHOUT ROWID;

-- The judge's calls per UTC day of the call, the one a call's slot is taken from.
CREATE TABLE judge_calls (
	day INTEGER PRIMARY KEY,
	calls INTEGER NOT NULL
) STRICT;

-- A new verdict: counted, with the answer's vote when the vote is there already.
CREATE TRIGGER judge_verdicts_rollup_insert AFTER INSERT ON judge_verdicts BEGIN
	INSERT INTO judge_rollups (day, served_model, judged, unparseable, good, bad, score_sum, tokens,
		bad_down, bad_up, good_down, good_up)
	SELECT NEW.day, NEW.served_model, NEW.outcome = 'judged', NEW.outcome = 'unparseable',
		NEW.verdict IS 'good', NEW.verdict IS 'bad', IFNULL(NEW.score, 0),
		IFNULL(NEW.prompt_tokens, 0) + IFNULL(NEW.completion_tokens, 0),
		IFNULL(SUM(NEW.verdict IS 'bad' AND vote = 'down'), 0),
		IFNULL(SUM(NEW.verdict IS 'bad' AND vote = 'up'), 0),
		IFNULL(SUM(NEW.verdict IS 'good' AND vote = 'down'), 0),
		IFNULL(SUM(NEW.verdict IS 'good' AND vote = 'up'), 0)
	FROM votes WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, served_model) DO UPDATE SET judged = judged + excluded.judged,
		unparseable = unparseable + excluded.unparseable, good = good + excluded.good,
		bad = bad + excluded.bad, score_sum = score_sum + excluded.score_sum,
		tokens = tokens + excluded.tokens, bad_down = bad_down + excluded.bad_down,
		bad_up = bad_up + excluded.bad_up, good_down = good_down + excluded.good_down,
		good_up = good_up + excluded.good_up;
END;

-- A verdict deleted (retention): uncounted, with the answer's vote.
CREATE TRIGGER judge_verdicts_rollup_delete AFTER DELETE ON judge_verdicts BEGIN
	UPDATE judge_rollups SET judged = judged - (OLD.outcome = 'judged'),
		unparseable = unparseable - (OLD.outcome = 'unparseable'),
		good = good - (OLD.verdict IS 'good'), bad = bad - (OLD.verdict IS 'bad'),
		score_sum = score_sum - IFNULL(OLD.score, 0),
		tokens = tokens - IFNULL(OLD.prompt_tokens, 0) - IFNULL(OLD.completion_tokens, 0),
		bad_down = bad_down - v.bd, bad_up = bad_up - v.bu, good_down = good_down - v.gd,
		good_up = good_up - v.gu
	FROM (SELECT IFNULL(SUM(OLD.verdict IS 'bad' AND vote = 'down'), 0) AS bd,
		IFNULL(SUM(OLD.verdict IS 'bad' AND vote = 'up'), 0) AS bu,
		IFNULL(SUM(OLD.verdict IS 'good' AND vote = 'down'), 0) AS gd,
		IFNULL(SUM(OLD.verdict IS 'good' AND vote = 'up'), 0) AS gu
		FROM votes WHERE ai_gateway_log_id = OLD.ai_gateway_log_id) AS v
	WHERE day = OLD.day AND served_model = OLD.served_model;
END;

-- A verdict goes with its answer (retention, the size limit).
CREATE TRIGGER answers_judge_delete AFTER DELETE ON answers BEGIN
	DELETE FROM judge_verdicts WHERE ai_gateway_log_id = OLD.ai_gateway_log_id;
END;

-- An answer's first vote, a re-vote, a vote deleted: the confusion cells of its verdict, if
-- any, move from the old vote to the new one.
CREATE TRIGGER votes_judge_insert AFTER INSERT ON votes BEGIN
	UPDATE judge_rollups SET bad_down = bad_down + (j.verdict = 'bad' AND NEW.vote = 'down'),
		bad_up = bad_up + (j.verdict = 'bad' AND NEW.vote = 'up'),
		good_down = good_down + (j.verdict = 'good' AND NEW.vote = 'down'),
		good_up = good_up + (j.verdict = 'good' AND NEW.vote = 'up')
	FROM (SELECT day, served_model, verdict FROM judge_verdicts
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id AND verdict IS NOT NULL) AS j
	WHERE judge_rollups.day = j.day AND judge_rollups.served_model = j.served_model;
END;

CREATE TRIGGER votes_judge_update AFTER UPDATE OF vote ON votes
WHEN OLD.vote IS NOT NEW.vote BEGIN
	UPDATE judge_rollups SET
		bad_down = bad_down + (j.verdict = 'bad') * ((NEW.vote = 'down') - (OLD.vote = 'down')),
		bad_up = bad_up + (j.verdict = 'bad') * ((NEW.vote = 'up') - (OLD.vote = 'up')),
		good_down = good_down + (j.verdict = 'good') * ((NEW.vote = 'down') - (OLD.vote = 'down')),
		good_up = good_up + (j.verdict = 'good') * ((NEW.vote = 'up') - (OLD.vote = 'up'))
	FROM (SELECT day, served_model, verdict FROM judge_verdicts
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id AND verdict IS NOT NULL) AS j
	WHERE judge_rollups.day = j.day AND judge_rollups.served_model = j.served_model;
END;

CREATE TRIGGER votes_judge_delete AFTER DELETE ON votes BEGIN
	UPDATE judge_rollups SET bad_down = bad_down - (j.verdict = 'bad' AND OLD.vote = 'down'),
		bad_up = bad_up - (j.verdict = 'bad' AND OLD.vote = 'up'),
		good_down = good_down - (j.verdict = 'good' AND OLD.vote = 'down'),
		good_up = good_up - (j.verdict = 'good' AND OLD.vote = 'up')
	FROM (SELECT day, served_model, verdict FROM judge_verdicts
		WHERE ai_gateway_log_id = OLD.ai_gateway_log_id AND verdict IS NOT NULL) AS j
	WHERE judge_rollups.day = j.day AND judge_rollups.served_model = j.served_model;
END;

-- The rebuild's statements for this rollup (src/store/rollups.ts REBUILD_ROLLUPS, word for
-- word; test/store/rollups.test.ts checks it). No verdict exists yet.
DELETE FROM judge_rollups;
INSERT INTO judge_rollups (day, served_model, judged, unparseable, good, bad, score_sum, tokens, bad_down, bad_up, good_down, good_up)
SELECT j.day, j.served_model, SUM(j.outcome = 'judged'), SUM(j.outcome = 'unparseable'), SUM(j.verdict IS 'good'), SUM(j.verdict IS 'bad'), IFNULL(SUM(j.score), 0), SUM(IFNULL(j.prompt_tokens, 0) + IFNULL(j.completion_tokens, 0)), SUM(j.verdict IS 'bad' AND v.vote IS 'down'), SUM(j.verdict IS 'bad' AND v.vote IS 'up'), SUM(j.verdict IS 'good' AND v.vote IS 'down'), SUM(j.verdict IS 'good' AND v.vote IS 'up')
FROM judge_verdicts j LEFT JOIN votes v ON v.ai_gateway_log_id = j.ai_gateway_log_id
GROUP BY 1, 2;

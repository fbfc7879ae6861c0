-- Answers of a router (the Auto Router `cloudflare/auto`, a model alias `custom/<name>`) keep
-- why it chose their served model and its decision id (src/store/answer-row.ts); a rollup per
-- UTC day, router (requested_model), routed model (served_model) and reason counts them, their
-- latest votes and their tokens, so the breakdown in GET /api/admin/stats and /insights reads
-- days × routed models × reasons rows, never the answers. Its triggers count only answers with
-- a routing reason, in the same transaction as the rows, beside those of 0003_rollups.sql.
ALTER TABLE answers ADD COLUMN routing_reason TEXT;
ALTER TABLE answers ADD COLUMN routing_decision_id TEXT;

CREATE TABLE routing_rollups (
	day INTEGER NOT NULL,
	requested_model TEXT NOT NULL,
	served_model TEXT NOT NULL,
	routing_reason TEXT NOT NULL,
	answers INTEGER NOT NULL,
	-- The answers' latest votes.
	up INTEGER NOT NULL,
	down INTEGER NOT NULL,
	-- The sum of total_tokens, and how many answers reported it: the cost side.
	tokens INTEGER NOT NULL,
	tokened INTEGER NOT NULL,
	PRIMARY KEY (day, requested_model, served_model, routing_reason)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER answers_routing_insert AFTER INSERT ON answers
WHEN NEW.routing_reason IS NOT NULL BEGIN
	INSERT INTO routing_rollups (day, requested_model, served_model, routing_reason, answers, up,
		down, tokens, tokened)
	SELECT NEW.created_at / 86400000, NEW.requested_model, NEW.served_model, NEW.routing_reason, 1,
		IFNULL(SUM(vote = 'up'), 0), IFNULL(SUM(vote = 'down'), 0), IFNULL(NEW.total_tokens, 0),
		NEW.total_tokens IS NOT NULL
	FROM votes WHERE ai_gateway_log_id = NEW.ai_gateway_log_id
	ON CONFLICT (day, requested_model, served_model, routing_reason) DO UPDATE SET
		answers = answers + 1, up = up + excluded.up, down = down + excluded.down,
		tokens = tokens + excluded.tokens, tokened = tokened + excluded.tokened;
END;

CREATE TRIGGER answers_routing_delete AFTER DELETE ON answers
WHEN OLD.routing_reason IS NOT NULL BEGIN
	UPDATE routing_rollups SET answers = answers - 1, up = up - v.u, down = down - v.d,
		tokens = tokens - IFNULL(OLD.total_tokens, 0), tokened = tokened - (OLD.total_tokens IS NOT NULL)
	FROM (SELECT IFNULL(SUM(vote = 'up'), 0) AS u, IFNULL(SUM(vote = 'down'), 0) AS d
		FROM votes WHERE ai_gateway_log_id = OLD.ai_gateway_log_id) AS v
	WHERE day = OLD.created_at / 86400000 AND requested_model = OLD.requested_model
		AND served_model = OLD.served_model AND routing_reason = OLD.routing_reason;
END;

CREATE TRIGGER votes_routing_insert AFTER INSERT ON votes BEGIN
	UPDATE routing_rollups SET up = up + (NEW.vote = 'up'), down = down + (NEW.vote = 'down')
	WHERE (day, requested_model, served_model, routing_reason) = (SELECT created_at / 86400000,
		requested_model, served_model, routing_reason FROM answers
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id);
END;

CREATE TRIGGER votes_routing_update AFTER UPDATE OF vote ON votes
WHEN OLD.vote IS NOT NEW.vote BEGIN
	UPDATE routing_rollups SET up = up + (NEW.vote = 'up') - (OLD.vote = 'up'),
		down = down + (NEW.vote = 'down') - (OLD.vote = 'down')
	WHERE (day, requested_model, served_model, routing_reason) = (SELECT created_at / 86400000,
		requested_model, served_model, routing_reason FROM answers
		WHERE ai_gateway_log_id = NEW.ai_gateway_log_id);
END;

CREATE TRIGGER votes_routing_delete AFTER DELETE ON votes BEGIN
	UPDATE routing_rollups SET up = up - (OLD.vote = 'up'), down = down - (OLD.vote = 'down')
	WHERE (day, requested_model, served_model, routing_reason) = (SELECT created_at / 86400000,
		requested_model, served_model, routing_reason FROM answers
		WHERE ai_gateway_log_id = OLD.ai_gateway_log_id);
END;

-- The rows written so far (none has a reason yet): the rebuild's statements for this rollup
-- (src/store/rollups.ts REBUILD_ROLLUPS, word for word).
DELETE FROM routing_rollups;
INSERT INTO routing_rollups (day, requested_model, served_model, routing_reason, answers, up, down, tokens, tokened)
SELECT a.created_at / 86400000, a.requested_model, a.served_model, a.routing_reason, COUNT(*), IFNULL(SUM(v.vote = 'up'), 0), IFNULL(SUM(v.vote = 'down'), 0), IFNULL(SUM(a.total_tokens), 0), COUNT(a.total_tokens)
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
WHERE a.routing_reason IS NOT NULL
GROUP BY 1, 2, 3, 4;

-- The feedback store: what a team reads, exports and learns from. Written by the Worker
-- (answers, after each answer) and by the per-log FeedbackDelivery Durable Object (votes,
-- after each change of a vote or its delivery). Times are milliseconds since the epoch.

-- One row per answer, keyed by its AI Gateway log id.
CREATE TABLE answers (
	ai_gateway_log_id TEXT PRIMARY KEY,
	gateway_id TEXT NOT NULL,
	-- When the request arrived.
	created_at INTEGER NOT NULL,
	-- '/api/chat' or '/v1'.
	route TEXT NOT NULL,
	requested_model TEXT NOT NULL,
	served_model TEXT NOT NULL,
	provider TEXT NOT NULL,
	-- The gateway's step (cf-aig-step) that answered, when the answer came through fallback.
	step INTEGER,
	streamed INTEGER NOT NULL,
	-- 'complete', 'failed' (the model's stream broke off) or 'aborted' (the client went away).
	outcome TEXT NOT NULL,
	-- From the request to the answer's first text (JSON answers: to the whole answer).
	ttfb_ms INTEGER,
	total_ms INTEGER,
	prompt_tokens INTEGER,
	completion_tokens INTEGER,
	total_tokens INTEGER,
	cached INTEGER,
	-- Only with STORE_TRANSCRIPTS=true: the messages sent (JSON) and the answer's text.
	conversation TEXT,
	answer_text TEXT
) STRICT;

-- Stats over a time range, per served model and day: the counts (joined to votes) and the
-- medians' groups read this index alone. Retention deletes by created_at.
CREATE INDEX answers_by_time ON answers (
	created_at, served_model, outcome, total_ms, ai_gateway_log_id
);
-- The median latency of one model over a range: its complete answers' latencies, no row read.
CREATE INDEX answers_by_model ON answers (served_model, outcome, created_at, total_ms);

-- Each log's latest vote and its delivery, as the Durable Object last stored it.
CREATE TABLE votes (
	ai_gateway_log_id TEXT PRIMARY KEY,
	gateway_id TEXT NOT NULL,
	vote TEXT NOT NULL,
	score INTEGER,
	comment TEXT,
	sequence INTEGER NOT NULL,
	-- The object's vote revision, and its version: a counter of every stored change (the
	-- vote, each attempt, the outcome). Writes only ever move a row to a higher version.
	revision INTEGER NOT NULL,
	version INTEGER NOT NULL,
	-- 'pending', 'delivered' or 'failed' (in the dead letters).
	state TEXT NOT NULL,
	-- 1 when the gateway refused the vote (a 4xx other than 408 and 429): `error` says why.
	refused INTEGER NOT NULL,
	attempts INTEGER NOT NULL,
	-- When the log's first vote reached the store; never changes: the list's order.
	created_at INTEGER NOT NULL,
	cast_at INTEGER NOT NULL,
	delivered_at INTEGER,
	next_attempt_at INTEGER,
	failed_at INTEGER,
	error TEXT,
	updated_at INTEGER NOT NULL
) STRICT;

-- The admin list: newest first, keyset pagination on (created_at, id), with or without
-- a filter on vote, state or comments. Retention deletes by created_at.
CREATE INDEX votes_by_time ON votes (created_at, ai_gateway_log_id);
CREATE INDEX votes_by_vote ON votes (vote, created_at, ai_gateway_log_id);
-- refused last: the delivery health counts read this index alone.
CREATE INDEX votes_by_state ON votes (state, created_at, ai_gateway_log_id, refused);
CREATE INDEX votes_with_comment ON votes (created_at, ai_gateway_log_id) WHERE comment IS NOT NULL;

// The README's claims, each tied to the tests that prove it. `npm run test:claims`
// (scripts/test-claims.mjs) breaks the code in each way listed here, one at a time, in a
// scratch copy of the repository, and runs only the named test files: a claim is backed
// only if those tests fail once the code no longer keeps it. Every later change that makes
// a claim adds its own entry here. See docs/testing.md.

/**
 * @typedef {object} Edit
 * @property {string} file Path from the repository root, e.g. "src/gateway/inference.ts".
 * @property {string} old Exact text to replace; it must occur exactly once in `file`.
 * @property {string} new Replacement: the smallest change that breaks the claim.
 *
 * @typedef {object} ClaimFields
 * @property {string} name Short unique name; `npm run test:claims -- <part of it>` runs a subset.
 * @property {string} claim The README sentence (or promise) this mutation breaks.
 * @property {string[]} tests Test files that must fail once the code is mutated.
 *
 * @typedef {ClaimFields & (Edit | { edits: Edit[] })} Claim
 *   One text replacement (`file`, `old`, `new`), or several applied together (`edits`).
 */

/** @type {Claim[]} */
export const claims = [
	// --- The log id belongs to the answer -------------------------------------------------
	{
		name: "log-id-json-from-shared-binding",
		claim:
			"The log id belongs to the answer: JSON answers read cf-aig-log-id from the call's own response, not the binding's shared aiGatewayLogId.",
		file: "src/gateway/inference.ts",
		old: "\t\t...served,\n\t\t...readAnswer(body, input),",
		new: "\t\t...served,\n\t\t...readAnswer(body, input),\n\t\taiGatewayLogId: aiBinding(env).aiGatewayLogId,",
		tests: ["test/api/chat/log-id-race.test.ts"],
	},
	{
		name: "log-id-stream-from-shared-binding",
		claim:
			"The log id belongs to the answer: streamed answers carry the call's own cf-aig-log-id in their meta event.",
		file: "src/gateway/inference.ts",
		old: "return { ...served, body: res.body };",
		new: "return { ...served, aiGatewayLogId: aiBinding(env).aiGatewayLogId, body: res.body };",
		tests: ["test/api/chat/log-id-race.test.ts"],
	},
	{
		name: "log-id-v1-from-shared-binding",
		claim:
			"/v1/chat/completions answers carry their own log id in cf-aig-log-id (same AI call path as /api/chat), JSON and streamed.",
		edits: [
			{
				file: "src/gateway/inference.ts",
				old: "\t\t...served,\n\t\t...readAnswer(body, input),",
				new: "\t\t...served,\n\t\t...readAnswer(body, input),\n\t\taiGatewayLogId: aiBinding(env).aiGatewayLogId,",
			},
			{
				file: "src/gateway/inference.ts",
				old: "return { ...served, body: res.body };",
				new: "return { ...served, aiGatewayLogId: aiBinding(env).aiGatewayLogId, body: res.body };",
			},
		],
		tests: ["test/api/openai/log-id-race.test.ts"],
	},

	// --- Only the person who got an answer can rate it ------------------------------------
	{
		name: "token-accepts-anything",
		claim:
			"Only the person who got an answer can rate it: each answer carries an HMAC-SHA-256 token; anything else is rejected with 403 invalid_token.",
		file: "src/core/signed-token.ts",
		old: 'if (parts.length !== 4) return "invalid";',
		new: 'if (parts.length >= 0) return "valid";',
		tests: ["test/core/feedback-token.test.ts", "test/api/feedback/feedback.test.ts"],
	},
	{
		name: "token-ignores-expiry",
		claim:
			"Feedback tokens carry an expiry (7 days by default), Turnstile passes one of 10 minutes; an expired token is rejected.",
		file: "src/core/signed-token.ts",
		old: 'return expires <= now ? "expired" : "valid";',
		new: 'return "valid";',
		tests: [
			"test/core/feedback-token.test.ts",
			"test/api/feedback/feedback.test.ts",
			"test/api/chat/turnstile.test.ts",
		],
	},
	{
		name: "token-ignores-log-id",
		claim:
			"The token is signed over its log id: a client cannot rate arbitrary gateway logs with a token issued for another answer.",
		file: "src/core/signed-token.ts",
		// The signed payload leaves the subject (the log id) out: a token then verifies for any log.
		old: "function signedPayload(kind: string, subject: string, kid: string, expires: number): Uint8Array {",
		new: 'function signedPayload(kind: string, _subject: string, kid: string, expires: number): Uint8Array {\n\tconst subject = "";',
		tests: ["test/core/feedback-token.test.ts", "test/api/feedback/feedback.test.ts"],
	},
	{
		name: "token-expiry-not-canonical",
		claim: "A signed token has exactly one accepted spelling: no leading zeros in its expiry.",
		file: "src/core/signed-token.ts",
		old: "!/^[1-9]\\d{0,11}$/.test(expiresText)",
		new: "!/^\\d{1,12}$/.test(expiresText)",
		tests: ["test/core/feedback-token.test.ts"],
	},
	{
		name: "token-signature-not-canonical",
		claim: "A signed token has exactly one accepted spelling: canonical base64url only.",
		file: "src/core/signed-token.ts",
		old: 'if (!signature || toBase64Url(signature.buffer) !== signatureText) return "invalid";',
		new: 'if (!signature) return "invalid";',
		tests: ["test/core/feedback-token.test.ts"],
	},

	// --- No vote is lost, and the last one wins -------------------------------------------
	{
		name: "delivery-sequence-guard-removed",
		claim:
			"A vote with a lower sequence than the one stored changes nothing (and is answered superseded).",
		file: "src/feedback/delivery.ts",
		old: "if (current && sequence <= current.sequence) {",
		new: "if (false) {",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "superseded-answered-as-accepted",
		claim: "A vote older than the one kept is answered 200 superseded, with the kept vote.",
		file: "src/api/feedback/route.ts",
		old: 'if (outcome === "superseded")',
		new: "if (false)",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "sequence-unbounded",
		claim:
			"sequence is a millisecond timestamp at most one day ahead of the server's clock (400 otherwise), so a log can never freeze.",
		file: "src/api/feedback/schemas.ts",
		old: "(sequence) => sequence <= Date.now() + MAX_SEQUENCE_LEAD_MS,",
		new: "() => true,",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "vote-leaves-old-score",
		claim:
			"A vote leaves the log exactly as it says: score null when the vote has none, whether the gateway merges or replaces a patch.",
		file: "src/gateway/log-feedback.ts",
		old: "score: cleared ? null : (score ?? null),",
		new: "...(!cleared && score !== undefined && { score }),",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "vote-leaves-old-comment",
		claim:
			'A vote leaves no earlier comment on the log: the comment key is overwritten, with "" when the vote has none and on clear.',
		file: "src/gateway/log-feedback.ts",
		old: 'comment: cleared ? "" : (comment ?? "") },',
		new: "comment },",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "log-not-written-yet-is-final",
		claim:
			"Delivery is retried across the gateway's log-write lag: a not-found answer from patchLog is retried, not given up.",
		file: "src/gateway/log-feedback.ts",
		old: 'retry: true, reason: "the gateway has not written the log yet"',
		new: 'retry: false, reason: "the gateway has not written the log yet"',
		tests: ["test/api/feedback/feedback.test.ts", "test/feedback/delivery.test.ts"],
	},
	{
		name: "delivery-overtaken-check-removed",
		claim:
			"A delivery overtaken by a newer vote is followed by one of the newer vote, so the gateway ends with the last vote cast.",
		file: "src/feedback/delivery.ts",
		old: "if (latest.revision !== revision) {",
		new: "if (false) {",
		tests: ["test/feedback/delivery.test.ts"],
	},

	// --- Requests and limits --------------------------------------------------------------
	{
		name: "abort-signal-not-passed",
		claim:
			"A client that disconnects aborts the inference (the request's signal is passed to env.AI.run).",
		file: "src/gateway/inference.ts",
		old: "extraHeaders: extraHeaders(call), signal };",
		new: "extraHeaders: extraHeaders(call) };",
		tests: ["test/api/chat/chat.test.ts", "test/api/chat/stream.test.ts"],
	},
	{
		name: "rate-limiter-skipped",
		claim:
			"POST /api/chat (20 a minute) and POST /api/feedback (60 a minute) are limited per client IP; excess requests get 429 rate_limited.",
		file: "src/http/rate-limit.ts",
		old: "const { success } = await limiter.limit({ key });",
		new: "const success = true;",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "status-route-unlimited",
		claim: "GET /api/feedback/:logId is limited per client (300 a minute).",
		file: "src/api/feedback/route.ts",
		old: '.get("/:logId", rateLimit("FEEDBACK_STATUS_RATE_LIMITER"), async (c) => {',
		new: '.get("/:logId", async (c) => {',
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "body-limit-removed",
		claim:
			"Body up to 64 KiB: larger bodies get 413 payload_too_large, with or without a Content-Length.",
		edits: [
			{
				file: "src/http/request-body.ts",
				old: "if (Number(declared) > LIMITS.bodyBytes) throw payloadTooLarge();",
				new: "",
			},
			{ file: "src/http/request-body.ts", old: "if (size > maxBytes) {", new: "if (false) {" },
		],
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "aborted-upload-is-internal",
		claim:
			"A client that leaves mid-body gets 400 incomplete_body, never a 500 or an error log line.",
		file: "src/http/request-body.ts",
		old: "\t\t} catch (err) {\n\t\t\tthrow incompleteBody(err);",
		new: "\t\t} catch (err) {\n\t\t\tthrow err;",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "content-encoding-read-as-text",
		claim: "A body sent with a Content-Encoding is refused with 415, not read as plain text.",
		file: "src/http/request-body.ts",
		old: 'if (encoding && encoding !== "identity") {',
		new: "if (false) {",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "array-accepted-as-object",
		claim: "/v1 validates its objects: stream_options: [] is a 400.",
		file: "src/http/schemas.ts",
		old: "export const isNotArray = (value: unknown) => !Array.isArray(value);",
		new: "export const isNotArray = (value: unknown) => value === value;",
		tests: ["test/api/openai/route.test.ts"],
	},
	{
		name: "debug-route-open-without-token",
		claim:
			"The debug routes need Authorization: Bearer <DEBUG_TOKEN>; without it the answer is 401.",
		file: "src/http/auth.ts",
		old: "await tokenBearer(c, async () => {});",
		new: "",
		tests: ["test/api/debug/logs.test.ts", "test/index.test.ts"],
	},
	{
		name: "bearer-token-prefix-accepted",
		claim:
			"Bearer tokens are compared whole, in constant time: a token that only shares a prefix gets 401.",
		file: "src/http/auth.ts",
		old: "return crypto.subtle.timingSafeEqual(a, b);",
		new: "return given.length > 0 && given.startsWith(expected);",
		tests: ["test/api/debug/logs.test.ts", "test/http/auth.test.ts"],
	},
	{
		name: "method-not-allowed-answered-404",
		claim: "A wrong method gets 405 method_not_allowed, and Allow lists the right ones.",
		file: "src/http/app-errors.ts",
		old: "methodNotAllowed(app, c) ?? notFound()",
		new: "notFound()",
		tests: ["test/http/errors.test.ts", "test/api/models/models.test.ts"],
	},
	{
		name: "api-key-check-skipped",
		claim:
			"When API_KEYS is set, /v1 requires Authorization: Bearer <one of them>; a bad key gets 401.",
		file: "src/http/auth.ts",
		old: "if (c.var.config.apiKeys === null) return next();",
		new: "return next();",
		tests: ["test/api/openai/route.test.ts", "test/api/openai/sdks.test.ts"],
	},

	// --- Current with AI Gateway ------------------------------------------------------------
	{
		name: "dynamic-route-sent-as-a-model",
		claim:
			"A model named dynamic/<route> goes through the gateway's dynamic route (gateway.run, provider compat), with no API token.",
		file: "src/core/models.ts",
		old: 'if (model.startsWith("dynamic/")) return "dynamic-route";',
		new: 'if (false) return "dynamic-route";',
		tests: ["test/gateway/dynamic-routes.test.ts"],
	},
	{
		name: "served-model-not-read",
		claim: "The answer says which model served it (cf-aig-model): `model` is the served model.",
		file: "src/gateway/inference.ts",
		old: 'model: header("cf-aig-routed-model") ?? header("cf-aig-model") ?? model,',
		new: 'model: header("cf-aig-routed-model") ?? model,',
		tests: ["test/gateway/dynamic-routes.test.ts"],
	},
	{
		name: "anthropic-system-in-messages",
		claim:
			"Anthropic models get the Messages format: the system prompt top level, max_tokens always set.",
		file: "src/gateway/tools.ts",
		old: 'if (message.role === "system") continue;',
		new: "",
		tests: ["test/gateway/third-party.test.ts"],
	},
	{
		name: "anthropic-stream-end-not-read",
		claim:
			"Anthropic streams (which end with message_stop, not [DONE]) are normalised to this API's stream.",
		file: "src/gateway/model-output.ts",
		old: 'isObject(chunk) && chunk.type === "message_stop";',
		new: "false;",
		tests: ["test/gateway/third-party.test.ts"],
	},
	{
		name: "guardrails-block-opaque",
		claim:
			"A Guardrails block (2016 prompt, 2017 answer) answers 422 content_blocked saying which, event: error in streams, content_filter on /v1.",
		file: "src/gateway/upstream-errors.ts",
		old: "const blocked = codes.includes(PROMPT_BLOCKED) || codes.includes(ANSWER_BLOCKED);",
		new: "const blocked = false;",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},
	{
		name: "buffered-stream-not-streamed",
		claim:
			"A stream request the gateway answers with one JSON payload is streamed to the client as one delta.",
		file: "src/gateway/inference.ts",
		old: 'if (res.headers.get("content-type")?.startsWith("application/json")) {',
		new: "if (false) {",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},
	{
		name: "out-of-credits-opaque",
		claim: "An account out of credits answers 503 upstream_out_of_credits.",
		file: "src/gateway/upstream-errors.ts",
		old: "const outOfCredits = res.status === 402 || codes.includes(OUT_OF_CREDITS);",
		new: "const outOfCredits = false;",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},
	{
		name: "log-feedback-refusal-generic",
		claim:
			"A gateway that takes no feedback on its logs leaves the vote refused, with the likely cause, not a generic dead letter.",
		file: "src/gateway/log-feedback.ts",
		old: "if (status !== undefined && LOGS_API_MISSING.has(status)) {",
		new: "if (false) {",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},
	{
		name: "collect-log-ignored",
		claim: "AI_GATEWAY_COLLECT_LOG=false asks the gateway to keep no log.",
		file: "src/gateway/inference.ts",
		old: "...(!config.collectLog && { collectLog: false }),",
		new: "",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},
	{
		name: "log-payloads-kept",
		claim: "AI_GATEWAY_LOG_PAYLOADS=false keeps logs without the prompts and answers.",
		file: "src/gateway/inference.ts",
		old: '...(!config.logPayloads && { "cf-aig-collect-log-payload": "false" }),',
		new: "",
		tests: ["test/gateway/gateway-answers.test.ts"],
	},

	// --- The feedback store ---------------------------------------------------------------
	{
		name: "transcripts-stored-by-default",
		claim: "The store keeps conversations and answer texts only with STORE_TRANSCRIPTS=true.",
		file: "src/core/config.ts",
		old: "storeTranscripts: vars.STORE_TRANSCRIPTS,",
		new: "storeTranscripts: true,",
		tests: ["test/store/answers.test.ts"],
	},
	{
		name: "answers-not-batched",
		claim: "Answers that end within 10 ms of each other are written together in one D1 batch.",
		file: "src/store/answers.ts",
		old: "if (open && open.length < ANSWER_BATCH.maxRows) {",
		new: "if (false) {",
		tests: ["test/store/answers.test.ts"],
	},
	{
		name: "answer-batch-unbounded",
		claim: "An answer batch holds at most 50 rows.",
		file: "src/store/answers.ts",
		old: "if (open && open.length < ANSWER_BATCH.maxRows) {",
		new: "if (open) {",
		tests: ["test/store/answers.test.ts"],
	},
	{
		name: "store-vote-moves-backwards",
		claim: "A late, repeated or reordered vote write can never move a D1 row backwards.",
		file: "src/store/votes.ts",
		old: "WHERE excluded.version >= votes.version`;",
		new: "`;",
		tests: ["test/store/votes.test.ts"],
	},
	{
		name: "store-vote-not-retried",
		claim: "When D1 fails, the vote stays in its object and a later alarm writes it again.",
		file: "src/feedback/delivery.ts",
		old: "if ((await this.ctx.storage.getAlarm()) === null) {",
		new: "if (false) {",
		tests: ["test/store/votes.test.ts"],
	},
	{
		name: "admin-routes-without-token",
		claim: "The admin routes answer 404 while ADMIN_TOKEN is unset.",
		file: "src/http/auth.ts",
		old: "if (!token && !access) throw notFound();",
		new: "",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "cursor-filters-unchecked",
		claim: "A cursor made for other filters, damaged or not ours is 400 invalid_cursor.",
		file: "src/store/cursor.ts",
		old: "const signed = JSON.stringify([",
		new: "const signed = JSON.stringify([position]) || JSON.stringify([",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "list-order-ties-unbroken",
		claim: "The feedback list has a stable order: its cursors walk it exactly once.",
		file: "src/store/feedback-rows.ts",
		old: 'add("(v.created_at, v.ai_gateway_log_id) < (?, ?)", after.createdAt, after.aiGatewayLogId);',
		new: 'add("v.created_at < ?", after.createdAt);',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "comment-filter-ignored",
		claim: "The feedback list and export filter by whether a vote has a comment.",
		file: "src/store/feedback-rows.ts",
		old: "if (filters.hasComment !== undefined)",
		new: "if (false)",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "csv-formulas-kept",
		claim: "CSV exports neutralise text a spreadsheet would run as a formula.",
		file: "src/store/export.ts",
		old: "/^[=+\\-@\\t\\r]/.test(text)",
		new: "false",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "wilson-interval-wrong",
		claim: "Stats give the up-rate with its 95% Wilson interval.",
		file: "src/core/verdict.ts",
		old: "const centre = p + z2 / (2 * trials);",
		new: "const centre = p;",
		tests: ["test/core/verdict.test.ts", "test/api/admin/admin.test.ts"],
	},
	{
		name: "retention-ignores-days",
		claim: "The daily cleanup deletes only what is older than RETENTION_DAYS.",
		file: "src/store/retention.ts",
		old: "const cutoff = now - retentionDays * DAY_MS;",
		new: "const cutoff = now;",
		tests: ["test/store/retention.test.ts"],
	},

	// --- The chat page's server side ---------------------------------------------------------
	{
		name: "models-route-kinds-lost",
		claim:
			"GET /api/models lists the models /api/chat accepts, DEFAULT_MODEL first, saying which are dynamic routes and third-party models.",
		file: "src/api/models/route.ts",
		old: "models: ids.map((id) => ({ id, kind: modelInfo(id).kind, default: id === defaultModel })),",
		new: 'models: ids.map((id) => ({ id, kind: "workers-ai", default: id === defaultModel })),',
		tests: ["test/api/models/models.test.ts"],
	},

	// --- The feedback store's export and admin API ---
	{
		name: "csv-guards-identifiers",
		claim:
			"CSV exports write identifiers the app sets (model ids like @cf/...) as they are: every CSV row's model matches the JSON Lines export.",
		file: "src/store/export.ts",
		old: "csvField(item[field], TYPED.has(field))",
		new: "csvField(item[field], true)",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "csv-transcript-unguarded",
		claim: "CSV exports guard typed text: comments, corrections, the conversation and the answer.",
		file: "src/store/export.ts",
		old: 'const TYPED = new Set(["comment", "correction", "conversation", "answer", "judgeRationale"]);',
		new: 'const TYPED = new Set(["comment", "correction", "conversation", "judgeRationale"]);',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "jsonl-raw-line-separators",
		claim:
			"JSON Lines exports escape U+2028, U+2029 and U+0085, so line-splitting readers see one record a line.",
		file: "src/store/export.ts",
		old: "JSON.stringify(item).replace(RAW_BREAKS, escapeBreak)",
		new: "JSON.stringify(item)",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "replay-takes-non-object",
		claim:
			"POST /api/dead-letters/replay refuses a body that is not a JSON object (400 invalid_request) and replays nothing.",
		// Two guards: every JSON body must be an object (http/validate.ts), and the replay's own
		// schema refuses an array besides; the claim breaks only with both gone.
		edits: [
			{
				file: "src/api/debug/schemas.ts",
				old: "export const ReplayRequestSchema = plainObject(",
				new: "export const ReplayRequestSchema = ((schema) => schema)(",
			},
			{
				file: "src/http/validate.ts",
				old: 'if (data === null || typeof data !== "object" || Array.isArray(data)) {',
				new: 'if (data === null || typeof data !== "object") {',
			},
		],
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "state-filter-refuses-refused",
		claim: "The admin list's state filter takes refused and lists the refused votes.",
		file: "src/api/admin/schemas.ts",
		old: "v.picklist(DELIVERY_STATES, oneOf(DELIVERY_STATES))",
		new: 'v.picklist(["pending", "delivered", "failed"], oneOf(DELIVERY_STATES))',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "state-filter-message-partial",
		claim: "A wrong state filter is refused with a message naming every allowed state.",
		file: "src/api/admin/schemas.ts",
		old: "v.picklist(DELIVERY_STATES, oneOf(DELIVERY_STATES))",
		new: 'v.picklist(DELIVERY_STATES, "must be pending, delivered or failed")',
		tests: ["test/api/admin/admin.test.ts"],
	},
	// --- Layers with enforced import rules ---------------------------------------
	{
		name: "upward-import-passes-check",
		claim:
			"The layers' import rules are enforced: a lower layer that imports a higher one fails npm run check (and npm test).",
		file: "src/core/limits.ts",
		old: "/** Request limits of the public API (documented in the README). */",
		new: 'import type { AppEnv } from "../http/app-env";\nexport type Upward = AppEnv;\n/** Request limits of the public API (documented in the README). */',
		tests: ["test/tooling/import-rules.test.ts"],
	},
	{
		name: "import-circle-passes-check",
		claim:
			"No import circles: two modules that import each other fail npm run check (and npm test).",
		file: "src/gateway/providers.ts",
		old: 'import type { ModelInput } from "../core/chat";',
		new: 'import type { ModelInput } from "../core/chat";\nimport type { ChatAnswer } from "./inference";\nexport type Circle = ChatAnswer;',
		tests: ["test/tooling/import-rules.test.ts"],
	},
	// --- One home per fact ---------------------------------------------------------
	{
		name: "hf-model-listed-third-party",
		claim:
			"GET /api/models lists @cf/ and @hf/ models as Workers AI: one function decides a model's kind.",
		file: "src/api/models/route.ts",
		old: "kind: modelInfo(id).kind,",
		new: 'kind: /^(@cf|dynamic)\\//.test(id) ? modelInfo(id).kind : "third-party",',
		tests: ["test/api/models/models.test.ts"],
	},
	{
		name: "other-provider-labelled-workers-ai",
		claim:
			"A third-party model of any provider (xai/, alibaba/, ...) is labelled with its own provider.",
		file: "src/core/models.ts",
		old: "\t\tprovider: author,",
		new: '\t\tprovider: ["openai", "anthropic", "google"].includes(author) ? author : "workers-ai",',
		tests: ["test/gateway/third-party.test.ts"],
	},
	{
		name: "other-provider-stream-without-usage",
		claim:
			"Every OpenAI-shaped third-party model's stream is asked for usage (stream_options.include_usage).",
		file: "src/core/models.ts",
		old: 'shape: OWN_SHAPES[author] ?? "openai",',
		new: 'shape: OWN_SHAPES[author] ?? (["openai", "google"].includes(author) ? "openai" : "workers-ai"),',
		tests: ["test/gateway/third-party.test.ts"],
	},
	// --- Validation -------------------------------------------------------------
	{
		name: "clear-keeps-score",
		claim:
			"A withdrawal carries no score or comment: `clear` with a score is a 400 invalid_request, so the store, the log and the status route agree on a withdrawn vote.",
		file: "src/api/feedback/schemas.ts",
		old: '({ feedback, score }) => feedback !== "clear" || score === undefined,',
		new: "() => true,",
		tests: ["test/http/errors.test.ts", "test/store/votes.test.ts"],
	},
	{
		name: "clear-keeps-comment",
		claim:
			"A withdrawal carries no score or comment: `clear` with a comment is a 400 invalid_request.",
		file: "src/api/feedback/schemas.ts",
		old: '({ feedback, comment }) => feedback !== "clear" || !comment,',
		new: "() => true,",
		tests: ["test/http/errors.test.ts", "test/api/feedback/feedback.test.ts"],
	},
	{
		name: "empty-prompt-chat-accepted",
		claim:
			"POST /api/chat with no user message, or an empty last user message, is a 400 empty_prompt; no model is called.",
		file: "src/api/chat/route.ts",
		old: "requirePrompt(body.messages);",
		new: "",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "empty-prompt-whitespace-accepted",
		claim: "A last user message that is whitespace only is an empty prompt (400 empty_prompt).",
		file: "src/core/prompt.ts",
		old: 'if (turn?.role === "user" && !turn.content?.trim()) {',
		new: 'if (turn?.role === "user" && !turn.content) {',
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "cursor-too-long-invalid-request",
		claim:
			"An admin list cursor this list did not give out, whatever its length, is refused with 400 invalid_cursor.",
		file: "src/api/admin/schemas.ts",
		old: 'cursor: v.optional(v.string("must be a string")),',
		new: 'cursor: v.optional(v.pipe(v.string("must be a string"), v.maxLength(300, "must be at most 300 characters"))),',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "repeated-query-param-first-wins",
		claim:
			"Admin query parameters are checked, repeated ones included, and refused with 400 invalid_request naming the parameter.",
		file: "src/http/query.ts",
		old: "if (values.length > 1) {",
		new: "if (false) {",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "future-since-said-as-range",
		claim:
			"Stats: a since in the future (until defaulting to now) is refused, saying it is in the future.",
		file: "src/api/admin/schemas.ts",
		old: "({ since, until }) => since < until,",
		new: "() => true,",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "missing-field-default-message",
		claim:
			"Every error message names the field and says how to fix it, never the validator's own wording (a missing field: `messages: is required; send ...`).",
		file: "src/http/schemas.ts",
		old: "v.strictObject(entries, inWords(what, Object.keys(entries), required))",
		new: "v.strictObject(entries)",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "array-body-param-differs",
		claim:
			"A body that is not a JSON object (an array, null, a number) is `body: must be a JSON object`, with param `body` on /v1.",
		file: "src/http/validate.ts",
		old: 'if (data === null || typeof data !== "object" || Array.isArray(data)) {',
		new: 'if (data === null || typeof data !== "object") {',
		tests: ["test/api/openai/route.test.ts", "test/http/errors.test.ts"],
	},
	{
		name: "null-score-refused",
		claim:
			"Optional fields of /api/feedback and /api/chat may be null, which means absent (as on /v1).",
		file: "src/http/schemas.ts",
		old: "v.optional(v.nullable(schema)),",
		new: "v.optional(schema),",
		tests: ["test/http/errors.test.ts", "test/api/schemas.test.ts"],
	},
	{
		name: "comment-limit-utf16",
		claim:
			"A comment is up to 1,000 characters counted as Unicode code points, as the page counts them: 1,000 emoji fit.",
		file: "src/api/feedback/schemas.ts",
		old: "v.maxCodePoints(\n\t\t\t\t\tLIMITS.commentChars,",
		new: "v.maxLength(\n\t\t\t\t\tLIMITS.commentChars,",
		tests: ["test/http/errors.test.ts"],
	},
	// --- /v1 tools, JSON mode and empty prompts ------------------------------------
	{
		name: "tools-dropped",
		claim:
			"/v1 passes tools, tool_choice, parallel_tool_calls and response_format as they are to OpenAI-shaped models (third-party, dynamic routes, gpt-oss, Kimi).",
		file: "src/gateway/providers.ts",
		old: "\t\t\t...openAiToolFields(input),\n",
		new: "",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "workers-ai-tools-dropped",
		claim:
			"/v1 gives Workers AI's function-calling models (Llama 3.3, Llama 4 Scout, Hermes 2 Pro) the tools in their own form.",
		file: "src/gateway/providers.ts",
		old: "tools: can.tools ? tools : undefined,",
		new: "tools: undefined,",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "tool-calls-finish-reason-stop",
		claim:
			"/v1 answers a tool call with finish_reason tool_calls, also for Workers AI's own shape, which gives none.",
		file: "src/gateway/inference.ts",
		old: 'finishReason: toolCalls.length > 0 && reason === "stop" ? "tool_calls" : reason,',
		new: "finishReason: reason,",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "tool-calls-stream-finish-reason-stop",
		claim:
			"A /v1 stream of tool calls ends with finish_reason tool_calls, also when the model's stream gives no finish reason.",
		file: "src/gateway/model-stream.ts",
		old: 'finishReason: toolCalls.size > 0 && finishReason === "stop" ? "tool_calls" : finishReason,',
		new: "finishReason,",
		tests: ["test/gateway/tool-calls.test.ts"],
	},
	{
		name: "tool-calls-not-returned",
		claim: "/v1 returns the model's tool calls as OpenAI's tool_calls, in any model shape.",
		file: "src/gateway/inference.ts",
		old: "const toolCalls = toolCallsOf(body);",
		new: "const toolCalls: ToolCall[] = [];",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "tool-calls-not-streamed",
		claim: "/v1 streams tool calls as delta.tool_calls pieces with an index.",
		file: "src/gateway/model-stream.ts",
		old: "\t\t\tfor (const piece of chunkToolCalls(chunk)) toolCall(piece);\n",
		new: "",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "tool-history-refused",
		claim:
			"/v1 accepts tool-call histories: an assistant message with content null and tool_calls, then tool messages with tool_call_id.",
		file: "src/api/openai/schemas.ts",
		old: "[SystemMessageSchema, UserMessageSchema, AssistantMessageSchema, ToolMessageSchema],",
		new: "[SystemMessageSchema, UserMessageSchema, AssistantMessageSchema],",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "tool-history-raw-to-workers-ai",
		claim:
			"A tool-call history reaches Workers AI's own models with string contents (the calls as JSON), as their schemas require.",
		file: "src/gateway/tools.ts",
		old: 'if (!("tool_calls" in message)) return message;',
		new: "return message;",
		tests: ["test/api/openai/tools.test.ts", "test/api/openai/sdks.test.ts"],
	},
	{
		name: "anthropic-tool-form-wrong",
		claim:
			"Anthropic models get tools in their own form (input_schema) and tool_use/tool_result blocks.",
		file: "src/gateway/tools.ts",
		old: 'input_schema: fn.parameters ?? { type: "object", properties: {} },',
		new: "parameters: fn.parameters,",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "unsupported-parameter-accepted",
		claim:
			"A parameter the chosen model cannot honour (tools, tool_choice, parallel_tool_calls, response_format, a tool history) is a 400 unsupported_parameter naming it and the allowed models that can.",
		file: "src/api/openai/request.ts",
		old: "\tif (param)\n",
		new: "\tif (param && false)\n",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "tool-choice-required-ignored",
		claim:
			'tool_choice "required" or a named function is refused for Workers AI\'s own models, which choose for themselves.',
		file: "src/core/model-capabilities.ts",
		old: 'if (forcesToolCall(input)) return "tool_choice";',
		new: "",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "logprobs-accepted",
		claim:
			"logprobs, top_logprobs, functions and function_call, which no model here honours, are 400 unsupported_parameter.",
		file: "src/api/openai/request.ts",
		old: "if (value !== undefined && value !== null && value !== false)",
		new: "if (false)",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "json-mode-dropped",
		claim: "/v1 gives Workers AI's JSON-mode models response_format in their own form.",
		file: "src/gateway/providers.ts",
		old: "response_format: can.json ? response_format : undefined,",
		new: "response_format: undefined,",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "json-mode-object-lost",
		claim:
			"Workers AI's JSON-mode answer (an object) comes back as the message content, a JSON text.",
		file: "src/gateway/inference.ts",
		old: "answerText(body, wantsJson(input))",
		new: "answerText(body)",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "json-mode-streamed-to-workers-ai",
		claim:
			"Workers AI's JSON mode does not stream: such a request is sent whole and streamed on as one chunk.",
		file: "src/gateway/providers.ts",
		old: "stream: stream && !sent.tools && !sent.response_format,",
		new: "stream,",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "third-party-authors-as-workers-ai",
		claim:
			"Any {author}/{model} is a third-party model (its provider named), not only openai, anthropic and google.",
		file: "src/core/models.ts",
		old: "const author = /^([a-z0-9][a-z0-9-]*)\\/[^/]/i.exec(model)",
		new: "const author = /^(openai|anthropic|google)\\/[^/]/i.exec(model)",
		tests: ["test/gateway/third-party.test.ts", "test/api/openai/tools.test.ts"],
	},
	{
		name: "empty-prompt-v1-accepted",
		claim:
			'/v1 refuses a request with nothing to answer (only an assistant message, content "" or [], a blank last user message) with 400 empty_prompt, by the same rule as /api/chat, param naming the field.',
		file: "src/api/openai/request.ts",
		old: "\trequirePrompt(body.messages);\n",
		new: "",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "emulator-tools-ignored",
		claim:
			"The emulator answers tools with a tool call and JSON mode with JSON, in every wire shape.",
		file: "emulator/src/inference.ts",
		old: ": replyTo(request.toolRequest, run.messages),",
		new: ': { kind: "text" },',
		tests: ["test/emulator/tools.test.ts"],
	},
	// --- Tooling and logs ---------------------------------------------------------
	{
		name: "stream-abort-read-logged-as-failure",
		claim:
			"A client that leaves mid-stream is an aborted answer, not an error: the upstream read its cancel breaks off is not logged as a failed stream.",
		file: "src/gateway/model-stream.ts",
		old: '\t\t\t\tend("aborted");',
		new: '\t\t\t\tcontext.observer?.end("aborted", usage);',
		tests: ["test/api/chat/client-disconnect.test.ts"],
	},
	{
		name: "stream-abort-at-error-level",
		claim: "A client that leaves mid-stream is logged at info level as an aborted stream.",
		file: "src/gateway/model-stream.ts",
		old: 'log.info("model stream aborted"',
		new: 'log.error("model stream aborted"',
		tests: ["test/api/chat/client-disconnect.test.ts"],
	},
	{
		name: "stream-failure-below-error-level",
		claim: "A model stream that breaks (a malformed chunk) is still logged as an error.",
		file: "src/gateway/model-stream.ts",
		old: 'log.error("model stream failed"',
		new: 'log.info("model stream failed"',
		tests: ["test/api/chat/client-disconnect.test.ts"],
	},
	{
		name: "outbox-invalid-score-sent",
		claim:
			"A score that is not a whole number from 0 to 100 sends nothing: the page's outbox refuses it instead of sending the vote without it.",
		file: "public/js/feedback-outbox.js",
		old: "if (score !== undefined && !isScore(score, range)) {",
		new: "if (false) {",
		tests: ["test/public/feedback-outbox.test.ts"],
	},
	// --- Pages ---
	{
		name: "insights-missing-log-said-as-route-off",
		claim:
			"/insights says a refused token or a route that is off in words, and does not mistake a gateway log that does not exist for a debug route that is off.",
		file: "public/js/http.js",
		old: 'if (error.status === 404 && (error.code ?? "not_found") === "not_found") return off;',
		new: "if (error.status === 404) return off;",
		tests: ["test/public/http.test.ts"],
	},
	// --- Rollups and replicas ---
	{
		name: "rollups-not-moved-by-revote",
		claim:
			"A re-vote moves its count in the statistics' rollups: up to down, down to clear (docs/feedback-store.md).",
		file: "migrations/0003_rollups.sql",
		old: "up = up + (NEW.vote = 'up') - (OLD.vote = 'up'),",
		new: "up = up + (NEW.vote = 'up'),",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "rollup-counted-twice-on-redelivery",
		claim:
			"A redelivered or retried answer changes nothing: its row is not written again, so the rollups count it once.",
		edits: [
			{
				file: "src/store/answers.ts",
				old: "const INSERT = `INSERT INTO answers (",
				new: "const INSERT = `INSERT OR REPLACE INTO answers (",
			},
			{
				file: "src/store/answers.ts",
				old: "\nON CONFLICT (ai_gateway_log_id) DO NOTHING`;",
				new: "`;",
			},
		],
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "vote-before-answer-not-counted",
		claim:
			"A vote that reaches the store before its answer counts once the answer's row is written.",
		file: "migrations/0003_rollups.sql",
		old: "FROM votes WHERE ai_gateway_log_id = NEW.ai_gateway_log_id",
		new: "FROM votes WHERE 0",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "vote-state-not-moved-by-delivery",
		claim:
			"GET /api/admin/health counts each vote in its delivery state: a delivery that moves on moves its count.",
		file: "migrations/0003_rollups.sql",
		old: "\tWHERE state = OLD.state;\n\tINSERT INTO vote_states",
		new: "\tWHERE 0;\n\tINSERT INTO vote_states",
		tests: ["test/store/rollups.test.ts", "test/api/admin/admin.test.ts"],
	},
	{
		name: "answer-written-without-latency-bucket",
		claim:
			"An answer's row carries its latency bucket, so the stats' latencies come from the rollups' histogram.",
		file: "src/store/answers.ts",
		old: "\tlatencyBucket(row.totalMs),\n];",
		new: "\tnull,\n];",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "stats-read-from-rows",
		claim:
			"GET /api/admin/stats reads the rollups alone (days × models rows), never the answers or votes.",
		file: "src/store/stats.ts",
		old: "FROM answer_rollups r LEFT JOIN",
		new: "FROM (SELECT a.created_at / 86400000 AS day, a.served_model, COUNT(*) AS answers, IFNULL(SUM(v.vote = 'up'), 0) AS up, IFNULL(SUM(v.vote = 'down'), 0) AS down, IFNULL(SUM(v.vote = 'clear'), 0) AS cleared, IFNULL(SUM(IIF(v.vote <> 'clear', v.score, NULL)), 0) AS score_sum, COUNT(IIF(v.vote <> 'clear', v.score, NULL)) AS scored FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id GROUP BY 1, 2) r LEFT JOIN",
		tests: ["test/store/query-plans.test.ts"],
	},
	{
		name: "retention-counts-rollup-rows",
		claim:
			"Retention reports the answers and votes it deleted, not the rollup rows its triggers changed.",
		file: "src/store/retention.ts",
		old: "const { results } = await statement.bind(cutoff).run();\n\t\t\tdeleted[table] += results.length;",
		new: "const { results, meta } = await statement.bind(cutoff).run();\n\t\t\tdeleted[table] += meta.changes;",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "replica-session-skipped",
		claim:
			"The admin routes read through D1 sessions (read replicas): the stats on any replica (docs/feedback-store.md).",
		file: "src/api/admin/route.ts",
		old: 'feedbackStats(anyReplica(c), c.req.valid("query"))',
		new: 'feedbackStats(c.env.FEEDBACK_DB, c.req.valid("query"))',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "list-page-drops-bookmark",
		claim:
			"A list page sees at least what the page before saw: its cursor carries the session's bookmark, and the next page's session starts there.",
		file: "src/api/admin/route.ts",
		old: "encodeCursor(keysetOf(last), filters, session.getBookmark(), key)",
		new: "encodeCursor(keysetOf(last), filters, null, key)",
		tests: ["test/api/admin/admin.test.ts"],
	},
	// --- Answers through a queue ---
	{
		name: "idempotent-consumer",
		claim:
			"The answers' consumer is idempotent on aiGatewayLogId: a redelivered or retried batch changes nothing that is stored.",
		file: "src/store/answers.ts",
		old: "ON CONFLICT (ai_gateway_log_id) DO NOTHING`;",
		new: "ON CONFLICT (ai_gateway_log_id) DO UPDATE SET outcome = excluded.outcome, total_ms = excluded.total_ms`;",
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "queue-less-fallback",
		claim:
			"Where no queue is bound (ANSWERS_QUEUE), the Worker writes the answers itself, batched per isolate.",
		file: "src/answers/answer-queue.ts",
		old: "\tconst queue = env.ANSWERS_QUEUE;\n\tif (queue) {\n\t\tconst bytes",
		new: "\tconst queue = env.ANSWERS_QUEUE;\n\tif (!queue) return;\n\t{\n\t\tconst bytes",
		tests: ["test/store/answers.test.ts"],
	},
	{
		name: "answer-batch-written-row-by-row",
		claim: "The consumer writes each batch of up to 100 answers in one D1 batch of one statement.",
		file: "src/answers/answer-queue.ts",
		old: "\t\tconst written = await writeAnswerRows(env.FEEDBACK_DB, rows);\n\t\tfor (const message of answers) message.ack();",
		new: '\t\tlet written = await writeAnswerRows(env.FEEDBACK_DB, []);\n\t\tfor (const one of rows) {\n\t\t\twritten = await writeAnswerRows(env.FEEDBACK_DB, [one]);\n\t\t\tlog.info(ANSWERS_WRITTEN, { via: "queue", ...written });\n\t\t}\n\t\tfor (const message of answers) message.ack();',

		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "answer-retry-without-backoff",
		claim: "A batch D1 failed to write is retried whole, after a backoff that doubles per attempt.",
		file: "src/answers/answer-queue.ts",
		old: "for (const message of answers) message.retry({ delaySeconds });",
		new: "for (const message of answers) message.retry();",
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "failed-answer-batch-acked",
		claim:
			"A batch of answers D1 failed to write is retried, never acknowledged: no answer is lost.",
		file: "src/answers/answer-queue.ts",
		old: "for (const message of answers) message.retry({ delaySeconds });",
		new: "for (const message of answers) message.ack();",
		// Not the fault test, which no claim names (docs/testing.md): too timing-bound.
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "answer-dead-letters-written-not-parked",
		claim:
			"What the queue gives up on is parked in the dead letters (listed and replayed by the debug API), not written.",
		file: "src/answers/answer-queue.ts",
		old: "if (queue === ANSWERS_DEAD_LETTER_QUEUE) return parkDeadAnswers(batch, env);",
		new: 'if (queue === "answers-dead-letters") return parkDeadAnswers(batch, env);',
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "transcript-dropped-when-r2-fails",
		claim: "A long transcript is never dropped silently: when R2 fails it stays in the row.",
		file: "src/answers/answer-queue.ts",
		old: '\t\t\tlogStoreError("store transcript in R2", row.aiGatewayLogId)(err);',
		new: "\t\t\trow = { ...row, conversation: null, answerText: null };",
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "export-skips-r2-transcripts",
		claim: "The export streams the transcripts kept in R2 back into their rows.",
		file: "src/store/export.ts",
		old: "? { ...row, conversation: transcript.conversation, answer: transcript.answerText }",
		new: "? row",
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "store-max-mb-ignored",
		claim:
			"The daily cron deletes the store's oldest days while its database is larger than STORE_MAX_MB.",
		file: "src/store/retention.ts",
		old: "while (size > maxBytes) {",
		new: "while (false) {",
		tests: ["test/store/retention.test.ts"],
	},
	{
		name: "store-max-mb-deletes-today",
		claim: "The size retention never deletes the current day's answers.",
		file: "src/store/retention.ts",
		old: "if (cutoff > today) {",
		new: "if (false) {",
		tests: ["test/store/retention.test.ts"],
	},
	{
		name: "retention-keeps-r2-transcripts",
		claim: "The retention deletes the transcripts kept in R2 with their days.",
		file: "src/store/retention.ts",
		old: "if (transcripts) deleted.transcripts = await deleteTranscriptsBefore(transcripts, cutoff);",
		new: "",
		tests: ["test/store/retention.test.ts"],
	},
	// --- The chat page's limits, served by GET /api/models ---------------------------------
	{
		name: "models-route-limits-lost",
		claim:
			"GET /api/models serves the API's request limits (messages, body bytes, message and comment length, score range), so the chat page copies none of them.",
		file: "src/api/models/route.ts",
		old: "limits: { ...LIMITS, score: SCORE_RANGE },",
		new: "",
		tests: ["test/api/models/models.test.ts"],
	},
	{
		name: "models-route-limits-differ-from-enforced",
		claim:
			"The limits GET /api/models serves are the ones the API enforces: the page trims and checks by the server's own figures.",
		file: "src/api/models/route.ts",
		old: "limits: { ...LIMITS, score: SCORE_RANGE },",
		new: "limits: { ...LIMITS, messages: LIMITS.messages + 2, score: { min: 0, max: 10 } },",
		tests: ["test/api/models/models.test.ts"],
	},
	{
		name: "score-range-not-from-votes",
		claim:
			"A vote's score range has one home (src/core/votes.ts), which POST /api/feedback enforces.",
		file: "src/api/feedback/schemas.ts",
		old: "v.maxValue(SCORE_RANGE.max,",
		new: "v.maxValue(1000,",
		tests: ["test/api/models/models.test.ts"],
	},

	// --- The feedback store's facts, declared once ------------------------------------------
	{
		name: "vote-column-undeclared",
		claim:
			"npm run check fails when a migration adds a column to votes that no field of VOTE_FIELDS declares (scripts/check-store-schema.mjs).",
		file: "src/core/votes.ts",
		old: '\tfailedAt: { type: "integer", nullable: true },\n',
		new: "",
		tests: ["test/tooling/store-schema.test.ts"],
	},
	{
		name: "answer-column-undeclared",
		claim:
			"npm run check fails when a migration adds a column to answers that no field of ANSWER_FIELDS declares (scripts/check-store-schema.mjs).",
		file: "src/store/answer-row.ts",
		old: '\ttranscriptKey: { type: "text", nullable: true },\n',
		new: "",
		tests: ["test/tooling/store-schema.test.ts"],
	},
	{
		name: "vote-empty-comment-stored",
		claim: "The vote upsert, derived from VOTE_FIELDS, stores an empty comment as none.",
		file: "src/store/votes.ts",
		old: "comment: (vote) => vote.comment || null,",
		new: "comment: (vote) => vote.comment ?? null,",
		tests: ["test/store/votes.test.ts"],
	},
	{
		name: "queue-message-schema-not-from-declaration",
		claim:
			"The answers' queue reads each message as ANSWER_FIELDS declares it: a nullable field may be null.",
		file: "src/answers/answer-queue.ts",
		old: "if (declared.nullable) schema = v.nullable(schema);",
		new: "",
		tests: ["test/answers/queue.test.ts"],
	},
	{
		name: "list-flags-as-numbers",
		claim:
			"The admin list and export show the declared flags (streamed, cached, refused) as booleans.",
		file: "src/store/feedback-rows.ts",
		old: 'if (declared.type === "flag") flags.add(name);',
		new: "",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "rollups-count-undeclared-vote",
		claim:
			"The rollups count every vote src/core/votes.ts declares, and compare votes with no other value.",
		file: "src/store/rollups.ts",
		old: " = 'clear'), 0)`,\n\tscore_sum",
		new: " = 'withdrawn'), 0)`,\n\tscore_sum",
		tests: ["test/tooling/store-sql-values.test.ts"],
	},
	{
		name: "day-ms-differs-from-sql",
		claim:
			"A day is DAY_MS (src/core/time.ts) everywhere: the migrations' 86400000 and the insights page's day are the same.",
		file: "src/core/time.ts",
		old: "export const DAY_MS = 86_400_000;",
		new: "export const DAY_MS = 86_400_001;",
		tests: ["test/tooling/store-sql-values.test.ts"],
	},
	{
		name: "slow-delivery-not-shown-pending",
		claim:
			"A delivery attempt slower than a second lets the store show the vote as pending meanwhile; a quick one is written with its cast, once.",
		file: "src/feedback/delivery.ts",
		old: "if (late) await this.#syncStore();",
		new: "if (false) await this.#syncStore();",
		tests: ["test/store/votes.test.ts"],
	},
	{
		name: "dead-letter-replay-ignores-ids",
		claim: "A replay of dead letters that names log ids replays those alone.",
		file: "src/dead-letters/dead-letter-list.ts",
		old: "(ids ? letters.filter((letter) => ids.includes(idOf(letter))) : [...letters])",
		new: "[...letters]",
		tests: ["test/answers/queue.test.ts"],
	},

	// --- Settings the Worker cannot use -----------------------------------------------------
	{
		name: "invalid-number-setting-silent",
		claim:
			"A numeric var that is not a positive number is logged at error level, by name and rule, and its default is used.",
		file: "src/core/config.ts",
		old: "if (number !== undefined) return number;",
		new: "return number ?? NUMERIC_SETTINGS[name];",
		tests: ["test/core/config.test.ts"],
	},
	{
		name: "invalid-setting-logged-every-request",
		claim: "A setting the Worker cannot use is reported once per isolate, not on every request.",
		file: "src/core/config.ts",
		old: "if (reported.has(setting)) return;",
		new: "",
		tests: ["test/core/config.test.ts"],
	},
	{
		name: "numeric-setting-zero-accepted",
		claim: "A numeric setting must be a positive number: 0 is refused like any other bad value.",
		file: "src/core/numeric-settings.ts",
		old: "number > 0 ? number : undefined",
		new: "number >= 0 ? number : undefined",
		tests: ["test/core/config.test.ts", "test/tooling/config-docs.test.ts"],
	},
	{
		name: "check-accepts-bad-number-setting",
		claim: "npm run check refuses a numeric var in wrangler.jsonc that is not a positive number.",
		file: "scripts/check-config-docs.mjs",
		old: "vars.has(name) && numericSetting(name, vars.get(name)) === undefined",
		new: "false",
		tests: ["test/tooling/config-docs.test.ts"],
	},
	{
		name: "vote-retried-past-its-window",
		claim:
			"A vote the gateway keeps failing is retried for FEEDBACK_RETRY_WINDOW_MS, then given up into the dead letters.",
		file: "src/feedback/delivery.ts",
		old: "if (outcome.retry && now - latest.windowStart < policy.windowMs) {",
		new: "if (outcome.retry) {",
		tests: ["test/api/feedback/feedback.test.ts", "test/feedback/delivery.test.ts"],
	},
	// --- Benchmark cost: the answers' write log line ---
	{
		name: "answer-batch-log-line-dropped",
		claim:
			"The answers' consumer logs one line per D1 batch (feedback store: answers written) with its rows, statements and milliseconds.",
		file: "src/answers/answer-queue.ts",
		old: '\t\tif (written.rows > 0) log.info(ANSWERS_WRITTEN, { via: "queue", ...written });',
		new: "",
		tests: ["test/answers/queue.test.ts"],
	},
	// --- Answer outcomes: a JSON answer whose client left -----------------------------------
	{
		name: "json-answer-client-left-unrecorded",
		claim:
			"A JSON answer whose client leaves after the model started answering is cancelled and recorded as aborted, at once (the runtime may drop the request's work right after the signal).",
		file: "src/answers/record.ts",
		old: '\t\t\t\t\telse signal.addEventListener("abort", abandoned, { once: true });',
		new: "",
		tests: ["test/api/chat/client-disconnect.test.ts"],
	},
	{
		name: "json-answer-start-unheard",
		claim:
			"The recorder hears who serves a JSON answer (its log id) as soon as the model's headers are in, before its body.",
		file: "src/gateway/inference.ts",
		old: "\tstarted?.(served);\n",
		new: "",
		tests: ["test/api/chat/client-disconnect.test.ts"],
	},
	// --- A model's own rejection (400) reaches the client --------------------------------
	{
		name: "model-rejection-opaque",
		claim:
			"A request the model itself rejects (400, 413, 422) reaches the client as 400 invalid_request in the model's own words, not a bare 'The model rejected the request'.",
		file: "src/gateway/upstream-errors.ts",
		old: "if (rejected) return modelRejection(message, param);",
		new: 'if (rejected) return new ApiError(400, "invalid_request", "The model rejected the request");',
		tests: [
			"test/gateway/upstream-errors.test.ts",
			"test/api/openai/tools.test.ts",
			"test/http/errors.test.ts",
		],
	},
	{
		name: "model-rejection-param-dropped",
		claim:
			"A model's rejection that names the field at fault carries it as `param` (OpenAI's shape on /v1) and as the message's prefix.",
		file: "src/gateway/upstream-errors.ts",
		old: 'return new ApiError(400, "invalid_request", text, param ? { param } : {});',
		new: 'return new ApiError(400, "invalid_request", text);',
		tests: ["test/gateway/upstream-errors.test.ts", "test/api/openai/tools.test.ts"],
	},
	{
		name: "model-rejection-logged-as-error",
		claim:
			"A model's rejection is a client's mistake, logged at warn level; 5xx and outages stay at error level.",
		file: "src/gateway/upstream-errors.ts",
		old: "if (rejected) log.warn(what, { detail: describeError(detail) });",
		new: "if (false) log.warn(what, { detail: describeError(detail) });",
		tests: ["test/api/openai/tools.test.ts", "test/http/errors.test.ts"],
	},
	{
		name: "model-rejection-credentials-shown",
		claim:
			"Anything like a credential in a model's rejection is taken out of the client's message and the log.",
		file: "src/gateway/upstream-errors.ts",
		old: 'const withoutCredentials = (text: string) => text.replace(CREDENTIAL, "[redacted]");',
		new: "const withoutCredentials = (text: string) => text;",
		tests: ["test/gateway/upstream-errors.test.ts"],
	},
	{
		name: "model-rejection-unbounded",
		claim: "A model's rejection is cut to 300 characters in the client's message.",
		file: "src/gateway/upstream-errors.ts",
		old: "return clean.length > REJECTION_CHARS ?",
		new: "return clean; clean.length > REJECTION_CHARS ?",
		tests: ["test/gateway/upstream-errors.test.ts"],
	},
	// --- One rule for an empty prompt -------------------------------------------------------
	{
		name: "empty-prompt-tool-result-refused",
		claim:
			"The one empty-prompt rule counts a tool's result as the client's last turn: a conversation ending in one is answered.",
		file: "src/core/prompt.ts",
		old: '(message) => message.role === "user" || message.role === "tool",',
		new: '(message) => message.role === "user",',
		tests: ["test/api/openai/tools.test.ts"],
	},
	// --- Exact requests: unknown keys, ill-formed text, signed cursors, same-origin admin ---
	{
		name: "unknown-body-key-dropped",
		claim:
			"A key a body of /api/* does not take is refused by name (400 invalid_request, `modle: unknown key; ...`), never dropped.",
		file: "src/http/schemas.ts",
		old: "v.strictObject(entries, inWords(what, Object.keys(entries), required))",
		new: "v.object(entries, inWords(what, Object.keys(entries), required))",
		tests: ["test/http/errors.test.ts", "test/api/schemas.test.ts"],
	},
	{
		name: "replay-misspelt-key-replays-all",
		claim:
			"POST /api/dead-letters/replay and /answers/replay refuse a misspelt key (`aiGatewayLogId`) and replay nothing, rather than reading no ids as all.",
		file: "src/api/debug/schemas.ts",
		old: "export const ReplayRequestSchema = plainObject(\n\tobjectOf(",
		new: "export const ReplayRequestSchema = plainObject(\n\tv.object(",
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "v1-unknown-argument-own-words",
		claim:
			"/v1 refuses a top-level argument OpenAI does not know in OpenAI's words: `Unrecognized request argument supplied: <name>`.",
		file: "src/api/openai/route.ts",
		old: "{ unknownArgument: unrecognizedArgument }",
		new: "{}",
		tests: ["test/api/openai/route.test.ts"],
	},
	{
		name: "v1-openai-argument-refused",
		claim:
			"/v1 takes the arguments OpenAI knows that no model here is given (seed, metadata, store, ...), as OpenAI's clients send them.",
		file: "src/api/openai/schemas.ts",
		old: '\t"seed",\n',
		new: "",
		tests: ["test/api/openai/route.test.ts"],
	},
	{
		name: "ill-formed-text-accepted",
		claim:
			"Text with a lone surrogate, anywhere in a body of /api or /v1, is refused with 400 invalid_text naming the field.",
		file: "src/http/validate.ts",
		old: 'if (!value.isWellFormed()) return [pathOf(node), "is"];',
		new: "",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "ill-formed-text-escape-unseen",
		claim:
			"A lone surrogate written as JSON's \\u escape (upper or lower case) is refused with 400 invalid_text: the scan that spares other bodies the walk sees every such escape.",
		file: "src/http/validate.ts",
		old: "const SURROGATE_ESCAPE = /\\\\u[dD][89a-fA-F]/;",
		new: "const SURROGATE_ESCAPE = /\\\\u[d][89a-f]/;",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "ill-formed-key-accepted",
		claim: "A body's key with a lone surrogate is refused with 400 invalid_text too.",
		file: "src/http/validate.ts",
		old: 'for (const key of keys) if (!key.isWellFormed()) return [pathOf(node), "a key is"];',
		new: "",
		tests: ["test/http/errors.test.ts"],
	},
	{
		name: "duplicate-tool-names-accepted",
		claim: "/v1 refuses two tools of the same name, naming the second and the first.",
		file: "src/api/openai/schemas.ts",
		old: "v.rawCheck(refuseDuplicateToolNames),",
		new: "",
		tests: ["test/api/openai/tools.test.ts"],
	},
	{
		name: "cursor-unsigned",
		claim:
			"Admin list cursors are signed (HMAC-SHA-256): a tampered or hand-built cursor is 400 invalid_cursor.",
		file: "src/store/cursor.ts",
		old: "if (!match || !sameTag(tag, expected)) {",
		new: "if (!match) {",
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "cursor-key-without-secret",
		claim: "A cursor another ADMIN_TOKEN signed is 400 invalid_cursor.",
		file: "src/store/cursor.ts",
		old: '.digest("SHA-256", encoder.encode(',
		new: '.digest("SHA-256", encoder.encode("one key for every token") || encoder.encode(',
		tests: ["test/api/admin/admin.test.ts"],
	},
	{
		name: "admin-cors-any-origin",
		claim: "The admin and debug routes are same-origin only: no CORS answer for any other origin.",
		file: "src/index.ts",
		old: "if (publicPrefixes.some((prefix) => owns(prefix, c.req.path))) return publicCors(c, next);",
		new: "return publicCors(c, next);",
		tests: ["test/index.test.ts"],
	},
	{
		name: "public-cors-narrowed",
		claim: "Chat, feedback, models and /v1 answer CORS requests from any origin.",
		file: "src/index.ts",
		old: "const publicPrefixes = Object.keys(PUBLIC_SURFACES);",
		new: 'const publicPrefixes = Object.keys(PUBLIC_SURFACES).filter((p) => p !== "/api/feedback");',
		tests: ["test/index.test.ts"],
	},
	{
		name: "admin-debug-cached",
		claim: "Admin and debug answers carry Cache-Control: no-store.",
		file: "src/index.ts",
		old: '\t\tawait next();\n\t\tc.header("cache-control", "no-store");',
		new: "\t\tawait next();",
		tests: ["test/api/debug/logs.test.ts", "test/api/admin/admin.test.ts"],
	},
	// --- One SSE parser (eventsource-parser) for the Worker, the page and the tests --------
	{
		name: "model-stream-cr-line-ends-lost",
		claim:
			"The Worker reads a model's SSE with CR, LF or CRLF line ends, comments and multi-line data, however the network splits it.",
		file: "src/gateway/model-stream.ts",
		old: "parser.feed(decoder.decode(value, { stream: true }));",
		new: 'parser.feed(decoder.decode(value, { stream: true }).replaceAll("\\r", ""));',
		tests: ["test/api/chat/format.test.ts"],
	},
	{
		name: "page-sse-cr-line-ends-lost",
		claim:
			"The chat page reads CR line ends, and a CRLF split between chunks, as one line end each.",
		file: "public/js/sse.js",
		old: ".pipeThrough(new TextDecoderStream())",
		new: '.pipeThrough(new TextDecoderStream())\n\t\t.pipeThrough(new TransformStream({ transform: (text, c) => c.enqueue(text.replaceAll("\\r", "")) }))',
		tests: ["test/public/page-sse.test.ts"],
	},

	// --- Turnstile on the chat ------------------------------------------------------------
	{
		name: "turnstile-never-asked",
		claim:
			"With TURNSTILE_SITE_KEY and TURNSTILE_SECRET set, POST /api/chat asks for the human check: neither a token nor a pass is 403 turnstile_missing.",
		file: "src/http/turnstile.ts",
		old: "if (!turnstile) return next();",
		new: "if (turnstile || !turnstile) return next();",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-siteverify-success-ignored",
		claim:
			"A widget token Siteverify refuses is refused: invalid (turnstile_invalid), already used or timed out (turnstile_replayed).",
		file: "src/http/turnstile.ts",
		old: "if (!answer.success) {",
		new: "if (answer.success === undefined) {",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-replay-not-mapped",
		claim:
			"Siteverify's timeout-or-duplicate is 403 turnstile_replayed, a refusal the client acts on.",
		file: "src/core/turnstile.ts",
		old: 'if (errorCodes.includes("timeout-or-duplicate")) return "turnstile_replayed";',
		new: "",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-hostname-unchecked",
		claim: "A token solved on another hostname is refused: 403 turnstile_mismatch.",
		file: "src/http/turnstile.ts",
		old: "(answer.hostname !== hostname || answer.action !== TURNSTILE_ACTION)",
		new: "answer.action !== TURNSTILE_ACTION",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-action-unchecked",
		claim: "A token solved for another action than chat is refused: 403 turnstile_mismatch.",
		file: "src/http/turnstile.ts",
		old: "(answer.hostname !== hostname || answer.action !== TURNSTILE_ACTION)",
		new: "answer.hostname !== hostname",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-test-keys-checked-as-real",
		claim:
			"Cloudflare's test secret keys behave as documented: with 1x…AA the dummy token passes (its placeholder hostname and action are not checked).",
		file: "src/http/turnstile.ts",
		old: "!isTestSecret(turnstile.secret) &&",
		new: "",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-retry-without-idempotency-key",
		claim:
			"A verification retried after a lost answer sends the same idempotency_key, so it is not taken for a replay.",
		// The body, and so its idempotency_key, is made again for each try.
		edits: [
			{
				file: "src/http/turnstile.ts",
				old: "const body = JSON.stringify({",
				new: "const body = () => JSON.stringify({",
			},
			{ file: "src/http/turnstile.ts", old: "\t\t\t\tbody,\n", new: "\t\t\t\tbody: body(),\n" },
		],
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-no-retry",
		claim: "A verification whose answer is lost is tried again before the request is refused.",
		file: "src/http/turnstile.ts",
		old: "const SITEVERIFY_ATTEMPTS = 2;",
		new: "const SITEVERIFY_ATTEMPTS = 1;",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-pass-not-issued",
		claim:
			"A conversation needs one challenge: the answer to a verified token carries a pass (x-turnstile-pass) that the next messages send instead.",
		file: "src/http/turnstile.ts",
		old: "\tc.header(TURNSTILE_PASS_HEADER, await signTurnstilePass(turnstile.secret, hostname, client));\n",
		new: "",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-pass-not-bound-to-client",
		claim:
			"A pass is bound to the client's address and the hostname: another client's is 403 turnstile_invalid.",
		file: "src/core/turnstile.ts",
		// The subject is the hostname alone.
		old: "const passSubject = (hostname: string, client: string) =>",
		new: "const passSubject = (hostname: string, client: string) => hostname || client ||",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-pass-kind-of-feedback-token",
		claim: "A pass is a token of its own kind: a feedback token never passes for one.",
		file: "src/core/turnstile.ts",
		old: 'const PASS_KIND = "tp1";',
		new: 'const PASS_KIND = "v1";',
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-expired-pass-said-invalid",
		claim: "A pass past its 10 minutes is 403 turnstile_expired.",
		file: "src/http/turnstile.ts",
		old: 'check === "expired" ? "turnstile_expired" : "turnstile_invalid"',
		new: '"turnstile_invalid"',
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-site-key-not-served",
		claim: "GET /api/models names the site key and action the chat page's widget needs.",
		file: "src/api/models/route.ts",
		old: "turnstile: turnstile && { siteKey: turnstile.siteKey, action: TURNSTILE_ACTION },",
		new: "turnstile: null,",
		tests: ["test/api/chat/turnstile.test.ts"],
	},
	{
		name: "turnstile-page-never-sends-pass",
		claim:
			"The chat page sends the pass with the next messages, not a new challenge's token each time.",
		file: "public/js/human-check.js",
		old: "return { [PASS_HEADER]: pass.value };",
		new: "return { [TOKEN_HEADER]: pass.value };",
		tests: ["test/public/human-check.test.ts"],
	},
	{
		name: "turnstile-page-keeps-pass-after-refusal",
		claim:
			"After a refused check the page drops its pass and resets the widget, so Retry sends a new token.",
		file: "public/js/human-check.js",
		old: "\t\trefused() {\n\t\t\tpass = null;",
		new: "\t\trefused() {",
		tests: ["test/public/human-check.test.ts"],
	},
	{
		name: "turnstile-page-restarts-solving-widget",
		claim:
			"The page resets the widget only when its token was spent: a first message sent while the widget still solves waits for that challenge.",
		file: "public/js/human-check.js",
		old: "if (spent && widgetId !== null && window.turnstile)",
		new: "if (widgetId !== null && window.turnstile)",
		tests: ["test/public/human-check.test.ts"],
	},

	// --- Surfaces built on first use -------------------------------------------------------
	{
		name: "lazy-surface-errors-unanswered",
		claim:
			"Every surface is built on its first request, and answers its errors (400s, 405s, 404s) in the API's one error shape like the root app.",
		file: "src/http/lazy-surface.ts",
		old: "routes = answerErrors(new TinyHono<AppEnv>().use(withConfig).route(prefix, build()));",
		new: "routes = new TinyHono<AppEnv>().use(withConfig).route(prefix, build());",
		tests: ["test/http/errors.test.ts", "test/api/models/models.test.ts"],
	},
	{
		name: "lazy-surface-without-config",
		claim:
			"A surface built on first use hands its handlers the Worker's parsed configuration, as the root app did.",
		file: "src/http/lazy-surface.ts",
		old: "routes = answerErrors(new TinyHono<AppEnv>().use(withConfig).route(prefix, build()));",
		new: "routes = answerErrors(new TinyHono<AppEnv>().route(prefix, build()));",
		tests: ["test/api/models/models.test.ts", "test/api/chat/chat.test.ts"],
	},

	// --- Cloudflare Access for the team's pages ---------------------------------------------
	{
		name: "access-assertion-ignored",
		claim:
			"With ACCESS_TEAM_DOMAIN and ACCESS_AUD set, a valid Cf-Access-Jwt-Assertion lets a request into the admin API and the debug routes without a bearer token.",
		file: "src/http/auth.ts",
		old: "if (access && assertion !== undefined) {",
		new: "if (false) {",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-routes-need-a-token",
		claim:
			"With Access configured, the admin and debug routes exist even with no bearer token set.",
		file: "src/http/auth.ts",
		old: "if (!token && !access) throw notFound();",
		new: "if (!token) throw notFound();",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-assertion-not-alone",
		claim:
			"A request carrying an assertion is decided by it alone: a valid one passes whatever its Authorization header.",
		file: "src/http/auth.ts",
		old: "if (access && assertion !== undefined) {",
		new: "if (access && assertion !== undefined && !token) {",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-email-not-logged",
		claim:
			"The person's email appears in the Worker's log for each read, export and replay of the admin API and the debug routes.",
		file: "src/http/auth.ts",
		old: "\t\t\tstatus: c.res.status,\n\t\t\t...who,",
		new: "\t\t\tstatus: c.res.status,",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-alg-not-pinned",
		claim:
			"Only RS256 is taken, pinned before the signature is checked: RS384 and PS256 made with a key the team publishes without an alg are 403 access_denied, saying so.",
		file: "src/http/access.ts",
		old: 'if (header.alg !== "RS256") throw denied',
		new: 'if (header.alg === "none") throw denied',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-signature-unchecked",
		claim:
			"A forged signature is 403 access_denied: the assertion's signature is verified, not only decoded.",
		file: "src/http/access.ts",
		old: 'if (!signed) throw denied("bad signature");',
		new: "",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-audience-unchecked",
		claim:
			"An assertion for another Access application (aud is not ACCESS_AUD) is 403 access_denied.",
		file: "src/http/access.ts",
		old: "if (!(Array.isArray(aud) ? aud : [aud]).includes(access.audience))",
		new: "if (!(Array.isArray(aud) ? aud : [aud]).includes(access.audience) && false)",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-issuer-unchecked",
		claim: "An assertion not issued by https://<ACCESS_TEAM_DOMAIN> is 403 access_denied.",
		file: "src/http/access.ts",
		old: 'if (iss !== access.issuer) throw denied("not issued by ACCESS_TEAM_DOMAIN");',
		new: "",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-expiry-unchecked",
		claim: "An expired assertion is 403 access_denied.",
		file: "src/http/access.ts",
		old: 'if (exp <= now) throw denied("expired: sign in again");',
		new: "",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-expiry-optional",
		claim: "An assertion without an expiry is 403 access_denied.",
		file: "src/http/access.ts",
		old: 'if (typeof exp !== "number") throw denied("no expiry");',
		new: 'if (typeof exp === "string") throw denied("no expiry");',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-not-before-unchecked",
		claim: "An assertion not valid yet (nbf in the future) is 403 access_denied.",
		file: "src/http/access.ts",
		old: 'if ((typeof nbf === "number" && nbf > now) || (typeof iat === "number" && iat > now))',
		new: 'if (typeof iat === "number" && iat > now)',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-short-rsa-keys",
		claim: "Keys shorter than 2048 bits are never trusted.",
		file: "src/http/access.ts",
		old: "v.minLength(342)",
		new: "v.minLength(171)",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-keys-not-cached",
		claim: "The team's keys are kept between requests, not fetched for each.",
		file: "src/http/access.ts",
		old: "\t\t!set ||\n\t\tage >= KEYS_MAX_AGE_MS ||",
		new: "\t\t!set ||\n\t\tage >= 0 ||",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-keys-not-refetched",
		claim:
			"A new kid makes the Worker fetch the team's keys again; a removed key no longer verifies.",
		file: "src/http/access.ts",
		old: "!set.keys.has(kid) && age >= KEYS_REFETCH_COOLDOWN_MS)",
		new: "!set.keys.has(kid) && age >= KEYS_MAX_AGE_MS)",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-keys-refetch-flood",
		claim: "Made-up kids do not make the Worker fetch the keys more than once in 30 seconds.",
		file: "src/http/access.ts",
		old: "!set.keys.has(kid) && age >= KEYS_REFETCH_COOLDOWN_MS)",
		new: "!set.keys.has(kid))",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-unknown-kid-unexplained",
		claim:
			"An assertion signed with a key the team does not publish (an unknown kid) is refused saying so.",
		file: "src/http/access.ts",
		old: 'if (!key) throw denied("signed with a key the team does not publish");',
		new: 'if (!key) throw denied("not a signed JWT");',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-keys-failure-as-refusal",
		claim: "Keys that cannot be fetched are 503 upstream_unavailable, not a refusal.",
		file: "src/http/access.ts",
		old: "throw keysUnavailable(err);",
		new: 'throw denied("keys");',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-certs-url",
		claim: "The keys come from https://<team domain>/cdn-cgi/access/certs.",
		file: "src/core/config.ts",
		old: "/cdn-cgi/access/certs`",
		new: "/cdn-cgi/access/cert`",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-half-configured",
		claim:
			"Access is on only with both ACCESS_TEAM_DOMAIN and ACCESS_AUD set; one alone leaves the bearer tokens to decide.",
		file: "src/core/config.ts",
		old: "if (!host || !audience) {",
		new: "if (!host) {",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-cursor-key-empty",
		claim:
			"With Access alone, list cursors are signed with a key from ACCESS_AUD: one signed with no secret is 400 invalid_cursor.",
		file: "src/api/admin/route.ts",
		old: 'c.var.config.adminToken ?? c.var.config.access?.audience ?? ""',
		new: 'c.var.config.adminToken ?? ""',
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-signal-never-true",
		claim:
			"GET /api/admin/access tells /insights, always with 200, that a request came through Cloudflare Access, so the page loads with no token there.",
		file: "src/api/admin/route.ts",
		old: "c.json({ throughAccess: throughAccess(c) })",
		new: "c.json({ throughAccess: false })",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-signal-without-access",
		claim: "Without Access configured, an assertion header does not make /insights skip the token.",
		file: "src/http/auth.ts",
		old: "c.var.config.access !== null && c.req.header(ACCESS_ASSERTION_HEADER) !== undefined;",
		new: "c.req.header(ACCESS_ASSERTION_HEADER) !== undefined;",
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-signal-behind-guard",
		claim:
			"GET /api/admin/access answers 200 to anyone, before the admin guard (it reads nothing).",
		edits: [
			{
				file: "src/api/admin/route.ts",
				old: '\t\t\t.get("/access", (c) => c.json({ throughAccess: throughAccess(c) }))\n\t\t\t.use(adminAuth)\n',
				new: '\t\t\t.use(adminAuth)\n\t\t\t.get("/access", (c) => c.json({ throughAccess: throughAccess(c) }))\n',
			},
		],
		tests: ["test/http/access.test.ts"],
	},
	{
		name: "access-page-sends-empty-bearer",
		claim:
			"/insights works behind Cloudflare Access without a token: without one it sends no Authorization header.",
		file: "public/js/http.js",
		old: "headers: token ? { authorization:",
		new: "headers: true ? { authorization:",
		tests: ["test/public/http.test.ts"],
	},
	// --- The OpenAPI document --------------------------------------------------------------
	{
		name: "openapi-declaration-not-rebuilt",
		claim:
			"public/openapi.json is built from the routes' declarations: a declaration changed without `npm run openapi` fails `npm run check`.",
		file: "src/api/feedback/openapi.ts",
		old: 'summary: "Vote on an answer",',
		new: 'summary: "Vote on one answer",',
		tests: ["test/tooling/openapi.test.ts"],
	},
	{
		name: "openapi-document-drops-a-status",
		claim:
			"Every response the test suite receives is one the OpenAPI document declares: a route whose declaration drops a status it answers with fails the contract test.",
		file: "public/openapi.json",
		old: '"202": {',
		new: '"203": {',
		tests: ["test/api/feedback/feedback.test.ts"],
	},
	{
		name: "openapi-document-wrong-body",
		claim:
			"The contract test checks every JSON body the suite receives against the OpenAPI document's schema of its status.",
		file: "public/openapi.json",
		old: '"type": "boolean",\n\t\t\t\t\t\t\t\t\t\t\t"description": "Whether the gateway\'s cache answered."',
		new: '"type": "string",\n\t\t\t\t\t\t\t\t\t\t\t"description": "Whether the gateway\'s cache answered."',
		tests: ["test/index.test.ts"],
	},
	{
		name: "openapi-route-not-declared",
		claim:
			"Every route the Worker mounts is an operation of the OpenAPI document, and the reverse.",
		file: "src/api/debug/logs.ts",
		old: '.get("/:logId", async',
		new: '.get("/:logId/raw", async',
		tests: ["test/api/openapi.test.ts"],
	},
	// --- Verdicts and agreement statistics ---------------------------------------------------
	{
		name: "verdict-difference-as-wald",
		claim:
			"The difference of two up-rates has its 95% interval by Newcombe's method 10, not the Wald interval (docs/verdicts.md).",
		edits: [
			{
				file: "src/core/verdict.ts",
				old: "low: difference - Math.sqrt((aRate - aLow) ** 2 + (bHigh - bRate) ** 2),",
				new: "low: difference - z * Math.sqrt((aRate * (1 - aRate)) / aVotes + (bRate * (1 - bRate)) / bVotes) + 0 * (aLow + bHigh),",
			},
			{
				file: "src/core/verdict.ts",
				old: "high: difference + Math.sqrt((aHigh - aRate) ** 2 + (bRate - bLow) ** 2),",
				new: "high: difference + z * Math.sqrt((aRate * (1 - aRate)) / aVotes + (bRate * (1 - bRate)) / bVotes) + 0 * (aHigh + bLow),",
			},
		],
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "verdict-mixture-variance-term-dropped",
		claim:
			"The sequential test is the normal-mixture mSPRT: its likelihood ratio carries the mixture's variance term, which keeps it from calling equal models different however often one looks.",
		file: "src/core/verdict.ts",
		old: "0.5 * Math.log(variance / (variance + tau2)) +",
		new: "0 +",
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "verdict-sequence-as-one-look-interval",
		claim:
			"The sequential test's confidence sequence is the mixture's, not a one-look 95% interval peeked at (which calls equal models different far more often than 5%).",
		file: "src/core/verdict.ts",
		old: "const halfWidth = Math.sqrt(",
		new: "const halfWidth = 1.96 * Math.sqrt(variance) + 0 * Math.sqrt(",
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "verdict-p-value-not-running-minimum",
		claim:
			"The always-valid p-value is the running minimum over the looks, and the confidence sequence the running intersection.",
		edits: [
			{
				file: "src/core/verdict.ts",
				old: "pValue = Math.min(pValue, Math.exp(",
				new: "pValue = Math.max(0, Math.exp(",
			},
			{
				file: "src/core/verdict.ts",
				old: "low = Math.max(low, difference - halfWidth);",
				new: "low = difference - halfWidth;",
			},
		],
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "verdict-drift-empties-sequence",
		claim:
			"A sequential verdict, once reached, stands: a later look whose interval misses the sequence so far (the rates drifted) leaves it as it was.",
		file: "src/core/verdict.ts",
		old: "if (difference - halfWidth <= high && difference + halfWidth >= low) {",
		new: "if (difference === difference) {",
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "verdict-votes-needed-ignores-more-votes",
		claim:
			"When undecided, the sequential test says roughly how many more votes each model needs if the up-rates hold.",
		file: "src/core/verdict.ts",
		old: "logMixtureRatio(difference, aSpread / (aVotes + more) + bSpread / (bVotes + more), tau2) >=",
		new: "logMixtureRatio(difference, aSpread / aVotes + bSpread / bVotes, tau2) + 0 * more >=",
		tests: ["test/core/verdict.test.ts"],
	},
	{
		name: "agreement-kappa-ignores-chance",
		claim: "A judge's agreement with people is Cohen's kappa: agreement beyond what chance gives.",
		file: "src/core/agreement.ts",
		old: "const kappa = (observed - chance) / (1 - chance);",
		new: "const kappa = observed;",
		tests: ["test/core/agreement.test.ts"],
	},
	{
		name: "agreement-kappa-interval-wrong",
		claim:
			"Kappa's 95% interval comes from the large-sample standard error of Fleiss, Cohen and Everitt (1969), as SAS reports it.",
		file: "src/core/agreement.ts",
		old: "(diagonal + (1 - kappa) ** 2 * offDiagonal - (kappa - chance * (1 - kappa)) ** 2) /",
		new: "(diagonal + (1 - kappa) ** 2 * offDiagonal) /",
		tests: ["test/core/agreement.test.ts"],
	},
	{
		name: "agreement-precision-is-recall",
		claim:
			"The judge's precision for bad is the share of answers it calls bad that people voted down; its recall, the share of voted-down answers it calls bad.",
		file: "src/core/agreement.ts",
		old: "precisionBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeBadPeopleUp),",
		new: "precisionBad: share(judgeBadPeopleDown, judgeBadPeopleDown + judgeGoodPeopleDown),",
		tests: ["test/core/agreement.test.ts"],
	},
	// --- Auto Router and model aliases -------------------------------------------------------
	{
		name: "router-auto-not-a-router",
		claim:
			"`cloudflare/auto` is the Auto Router: sent through the gateway's compat endpoint, answered with the routed model and why.",
		file: "src/core/models.ts",
		old: 'if (model === "cloudflare/auto") return "auto-router";',
		new: 'if (model === "cloudflare/auto-off") return "auto-router";',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-alias-not-a-router",
		claim: "`custom/<alias>` is a model alias: routed in the gateway like the Auto Router.",
		file: "src/core/models.ts",
		old: 'return model.startsWith("custom/") ? "model-alias" : null;',
		new: 'return model.startsWith("custom-off/") ? "model-alias" : null;',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-not-through-compat",
		claim: "Routers go through gateway.run with the compat provider, like dynamic routes.",
		file: "src/core/models.ts",
		old: '\t"dynamic-route",\n\t"auto-router",\n\t"model-alias",\n]);',
		new: '\t"dynamic-route",\n]);',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-session-to-every-model",
		claim: "cf-aig-session-id goes to routers only, never to other models.",
		file: "src/gateway/inference.ts",
		old: 'ROUTER_KINDS.has(modelInfo(input.model).kind) && { "cf-aig-session-id": input.conversation }),',
		new: '{ "cf-aig-session-id": input.conversation }),',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-session-not-sent",
		claim:
			"The conversation's id goes to a router as cf-aig-session-id, so a conversation keeps its model.",
		file: "src/gateway/inference.ts",
		old: '{ "cf-aig-session-id": input.conversation }),',
		new: '{ "cf-aig-session": input.conversation }),',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-conversation-unchecked",
		claim:
			"A conversation id is 8 to 64 letters, digits, - or _, checked at the edge before it becomes a header.",
		file: "src/api/chat/schemas.ts",
		old: 'v.regex(CONVERSATION_ID, "must be 8 to 64 letters, digits, - or _ (a UUID fits)"),',
		new: "v.check(() => true),",
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-routed-model-ignored",
		claim:
			"A router's answer is served by its routed model (cf-aig-routed-model), in the answer and the store.",
		file: "src/gateway/inference.ts",
		old: 'model: header("cf-aig-routed-model") ?? header("cf-aig-model") ?? model,',
		new: 'model: header("cf-aig-model") ?? model,',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-reason-unreported-dropped",
		claim:
			"A router's answer without a reason header is recorded as `unreported`, so it still counts as routed.",
		file: "src/gateway/inference.ts",
		old: 'reason: header("cf-aig-routing-reason") ?? "unreported",',
		new: 'reason: header("cf-aig-routing-reason") as string,',
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-reason-not-stored",
		claim: "Each answer records the routing reason.",
		file: "src/answers/record.ts",
		old: "routingReason: served.routing?.reason ?? null,",
		new: "routingReason: null,",
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-decision-not-stored",
		claim: "Each answer records the routing decision id.",
		file: "src/answers/record.ts",
		old: "routingDecisionId: served.routing?.decisionId ?? null,",
		new: "routingDecisionId: null,",
		tests: ["test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-rollup-revote-kept",
		claim: "The routers' rollup moves a re-vote's count from the old vote to the new one.",
		file: "migrations/0005_routing_rollups.sql",
		old: "down = down + (NEW.vote = 'down') - (OLD.vote = 'down')",
		new: "down = down + (NEW.vote = 'down')",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "router-rollup-tokens-dropped",
		claim: "The routers' rollup counts each answer's tokens: the cost side of the up-rate.",
		file: "migrations/0005_routing_rollups.sql",
		old: "IFNULL(NEW.total_tokens, 0),",
		new: "0,",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "router-rollup-empty-rows-kept",
		claim: "Retention removes the routers' rollup rows left at zero.",
		file: "src/store/retention.ts",
		old: '\t"DELETE FROM routing_rollups WHERE answers = 0",\n',
		new: "",
		tests: ["test/store/rollups.test.ts"],
	},
	{
		name: "router-stats-reasons-by-model",
		claim:
			"The stats break the routers' up-rate down by routing reason as well as by routed model.",
		file: "src/store/stats.ts",
		old: "reasons: routed(byReason).map(routingSummary),",
		new: "reasons: routed(byModel).map(routingSummary),",
		tests: ["test/api/admin/routing-stats.test.ts"],
	},
	{
		name: "router-stats-tokens-per-any-answer",
		claim: "Tokens per answer count only the answers that reported tokens.",
		file: "src/store/stats.ts",
		old: "tokensPerAnswer: tokened ? round(tokens / tokened, 1) : null,",
		new: "tokensPerAnswer: tokened ? round(tokens / counts.answers, 1) : null,",
		tests: ["test/api/admin/routing-stats.test.ts"],
	},
	{
		name: "router-emulator-no-pinning",
		claim: "The emulator keeps a session seen before on its model: pinned_by_turn.",
		file: "emulator/src/auto-router.ts",
		old: "let pick = pinned !== undefined && pool.includes(pinned) ? pinned : undefined;",
		new: "let pick: string | undefined;",
		tests: ["test/emulator/auto-router.test.ts", "test/gateway/auto-router.test.ts"],
	},
	{
		name: "router-emulator-no-fallback",
		claim:
			"The emulator routes around a failing model of the pool: fallback_candidate_unavailable.",
		file: "emulator/src/auto-router.ts",
		old: "if (failing(pick)) {",
		new: "if (failing(pick) && false) {",
		tests: ["test/emulator/auto-router.test.ts"],
	},
	{
		name: "router-page-conversation-kept-after-new-chat",
		claim:
			"The chat page starts a new conversation id with New chat (its storage has getItem and setItem only).",
		file: "public/js/conversation-store.js",
		old: 'this.#storage.setItem(CONVERSATION_ID_KEY, "");',
		new: "this.#storage.removeItem(CONVERSATION_ID_KEY);",
		tests: ["test/public/conversation-store.test.ts"],
	},
	// --- Bundle size: code folded, behaviour kept ------------------------------------------
	{
		name: "streamed-body-pieces-lost",
		claim:
			"A request body streamed without a Content-Length is read whole, its pieces in the order sent, before the handler parses it.",
		file: "src/http/request-body.ts",
		old: "return new Uint8Array(await new Blob(chunks).arrayBuffer());",
		new: "return new Uint8Array(await new Blob(chunks.slice(1)).arrayBuffer());",
		tests: ["test/http/errors.test.ts"],
	},

	// --- The LLM judge (docs/judge.md) -----------------------------------------------------
	{
		name: "judge-sampled-at-rate-zero",
		claim: "JUDGE_SAMPLE_RATE 0 (the default) judges nothing: no answer is sent to JUDGE_QUEUE.",
		file: "src/judge/judge.ts",
		old: "Boolean(env.JUDGE_QUEUE) && Math.random() < config.judge.sampleRate",
		new: "Boolean(env.JUDGE_QUEUE)",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-sends-incomplete-answers",
		claim: "Only complete answers are judged: a failed or aborted one is not sent to the judge.",
		file: "src/answers/record.ts",
		old: 'if (judged && outcome === "complete" && text)',
		new: "if (judged && text)",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-stream-text-needs-transcripts",
		claim:
			"Sampling is drawn when the answer starts, so a sampled stream keeps its text for the judge even with STORE_TRANSCRIPTS=false.",
		file: "src/answers/record.ts",
		old: "if (storeTranscripts || judged) text += delta;",
		new: "if (storeTranscripts) text += delta;",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-send-failure-unlogged",
		claim: "A failed send to the judge's queue is logged, and the answer's path never hears of it.",
		file: "src/judge/judge.ts",
		old: '\t\tlog.error("judge: queueing failed", {\n\t\t\taiGatewayLogId: rest.aiGatewayLogId,\n\t\t\tdetail: describeError(err),\n\t\t});',
		new: "\t\tthrow err;",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-metadata-unmarked",
		claim:
			"The judge's calls are marked in their gateway log's metadata: { judge: true, judgedLogId: <the answer's log id> }.",
		file: "src/judge/judge.ts",
		old: "{ judge: true, judgedLogId: judged.aiGatewayLogId },",
		new: "{ judgedLogId: judged.aiGatewayLogId },",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-other-gateway",
		claim: "The judge's call goes through the same named gateway as the answer it grades.",
		file: "src/judge/judge.ts",
		old: "{ ...config, gatewayId: judged.gatewayId },",
		new: "config,",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-log-id-dropped",
		claim: "A verdict keeps the judge call's own gateway log id.",
		file: "src/judge/judge.ts",
		old: "judgeLogId: reply.aiGatewayLogId,",
		new: "judgeLogId: null,",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-redelivery-judged-again",
		claim:
			"The verdict is idempotent on the answer's log id: a redelivered message calls no judge and changes nothing stored.",
		edits: [
			{
				file: "src/judge/judge.ts",
				old: "if (await hasVerdict(db, judged.aiGatewayLogId)) return message.ack();",
				new: "",
			},
			{
				file: "src/store/judge-verdicts.ts",
				old: "ON CONFLICT DO NOTHING",
				new: "ON CONFLICT DO UPDATE SET judged_at = excluded.judged_at",
			},
		],
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-daily-limit-ignored",
		claim:
			"At most JUDGE_DAILY_LIMIT judge calls a UTC day: past it, sampled answers are acknowledged and logged as skipped.",
		file: "src/store/judge-verdicts.ts",
		old: "SET calls = calls + 1 WHERE calls < ?2 RETURNING calls",
		new: "SET calls = calls + 1 WHERE ?2 > 0 RETURNING calls",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-unparseable-guessed",
		claim: "A judge reply that is not the rubric's JSON is stored as 'unparseable', never guessed.",
		file: "src/judge/judge.ts",
		old: 'return { outcome: "unparseable", verdict: null, score: null, rationale: null } as const;',
		new: 'return { outcome: "judged", verdict: "bad", score: 1, rationale: null } as const;',
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-rationale-uncut",
		claim: "A verdict's rationale is at most 500 characters.",
		file: "src/judge/judge.ts",
		old: "const RATIONALE_CHARS = 500;",
		new: "const RATIONALE_CHARS = 5000;",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-threshold-shifted",
		claim: "An answer is good from the rubric's threshold score up, bad below it.",
		file: "src/judge/judge.ts",
		old: "score >= RUBRIC.goodFrom",
		new: "score > RUBRIC.goodFrom",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-outage-not-retried",
		claim:
			"A judge outage is retried with backoff, then dead-lettered, and the answer is untouched.",
		file: "src/judge/judge.ts",
		old: "message.retry({ delaySeconds });",
		new: "message.ack();",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-dead-letters-not-dropped",
		claim:
			"What the judge's queue gives up on goes to its dead-letter queue, which logs the answer's log id and drops the message.",
		file: "src/answers/answer-queue.ts",
		old: "if (queue === JUDGE_DEAD_LETTER_QUEUE) return dropDeadJudgements(batch);",
		new: "",
		tests: ["test/judge/judge.test.ts"],
	},
	{
		name: "judge-sample-rate-unchecked",
		claim:
			"A JUDGE_SAMPLE_RATE that is not a number from 0 to 1 turns the judge off, with one error naming the setting.",
		file: "src/core/numeric-settings.ts",
		old: "number >= 0 && number <= 1 ? number : undefined",
		new: "number >= 0 ? Math.min(number, 1) : undefined",
		tests: ["test/core/config.test.ts"],
	},
	{
		name: "judge-rollup-revote-ignored",
		claim: "judge_rollups' confusion cells follow a re-vote and a clear.",
		file: "migrations/0007_judge.sql",
		old: "CREATE TRIGGER votes_judge_update AFTER UPDATE OF vote ON votes\nWHEN OLD.vote IS NOT NEW.vote BEGIN",
		new: "CREATE TRIGGER votes_judge_update AFTER UPDATE OF vote ON votes\nWHEN 0 BEGIN",
		tests: ["test/store/judge-rollups.test.ts"],
	},
	{
		name: "judge-rollup-first-vote-ignored",
		claim: "judge_rollups' confusion cells count an answer's first vote after its verdict.",
		file: "migrations/0007_judge.sql",
		old: "WHERE ai_gateway_log_id = NEW.ai_gateway_log_id AND verdict IS NOT NULL) AS j\n\tWHERE judge_rollups.day = j.day AND judge_rollups.served_model = j.served_model;\nEND;\n\nCREATE TRIGGER votes_judge_update",
		new: "WHERE ai_gateway_log_id = NEW.ai_gateway_log_id AND verdict IS NOT NULL AND 0) AS j\n\tWHERE judge_rollups.day = j.day AND judge_rollups.served_model = j.served_model;\nEND;\n\nCREATE TRIGGER votes_judge_update",
		tests: ["test/store/judge-rollups.test.ts"],
	},
	{
		name: "judge-rollup-vote-before-verdict-ignored",
		claim: "A verdict whose answer was voted on already counts in its confusion cell.",
		file: "migrations/0007_judge.sql",
		old: "\t\tIFNULL(SUM(NEW.verdict IS 'bad' AND vote = 'down'), 0),\n",
		new: "\t\t0,\n",
		tests: ["test/store/judge-rollups.test.ts"],
	},
	{
		name: "judge-rollup-vote-delete-ignored",
		claim: "judge_rollups' confusion cells drop a deleted vote.",
		file: "migrations/0007_judge.sql",
		old: "WHERE ai_gateway_log_id = OLD.ai_gateway_log_id AND verdict IS NOT NULL) AS j",
		new: "WHERE ai_gateway_log_id = OLD.ai_gateway_log_id AND verdict IS NOT NULL AND 0) AS j",
		tests: ["test/store/judge-rollups.test.ts"],
	},
	{
		name: "judge-verdicts-outlive-answers",
		claim: "Retention deletes the verdicts with the answers they belong to.",
		file: "migrations/0007_judge.sql",
		old: "\tDELETE FROM judge_verdicts WHERE ai_gateway_log_id = OLD.ai_gateway_log_id;",
		new: "\tSELECT 1;",
		tests: ["test/store/judge-rollups.test.ts"],
	},
	{
		name: "judge-orphan-verdicts-kept",
		claim:
			"Retention deletes the verdicts of days past RETENTION_DAYS whose answer never reached the store.",
		file: "src/store/retention.ts",
		old: '"DELETE FROM judge_verdicts WHERE day < ?1",',
		new: '"DELETE FROM judge_verdicts WHERE day < ?1 - 100000",',
		tests: ["test/store/judge-rollups.test.ts"],
	},

	// --- Built on first use ----------------------------------------------------------------
	{
		name: "once-rebuilds-every-call",
		claim:
			"The /v1 and admin schemas and the queue's message schema are built by their first use and then kept, not built again per request.",
		file: "src/core/once.ts",
		old: "built ??= { value: build() };",
		new: "built = { value: build() };",
		tests: ["test/core/once.test.ts"],
	},
	{
		name: "once-builds-at-once",
		claim: "What once wraps is not built before its first use (start-up builds none of it).",
		file: "src/core/once.ts",
		old: "\tlet built: { value: T } | undefined;\n",
		new: "\tlet built: { value: T } | undefined = { value: build() };\n",
		tests: ["test/core/once.test.ts"],
	},
	// --- /insights' A/B verdict survives peeking (issue 26) ----------------------------------
	{
		name: "insights-comparison-forgets-earlier-looks",
		claim:
			"/insights' comparison runs the sequential test over the period's days as looks: a verdict reached on an earlier day stands.",
		file: "public/js/insights/comparison.js",
		old: "sequentialVerdict(ofA, ofB, { previous: verdict })",
		new: "sequentialVerdict(ofA, ofB)",
		tests: ["test/public/comparison.test.ts"],
	},
	{
		name: "insights-comparison-one-look-interval",
		claim:
			"/insights decides with the always-valid sequential test, not with a one-look interval that excludes 0 (which peeking ruins).",
		file: "public/js/insights/comparison.js",
		old: 'if (verdict.decision !== "undecided") {',
		new: "if (difference.low > 0 || difference.high < 0) {",
		tests: ["test/public/comparison.test.ts"],
	},
	{
		name: "insights-comparison-judge-counts-thumbs",
		claim: "/insights compares the judge's good and bad apart from people's thumbs.",
		file: "public/js/insights/comparison.js",
		old: "down: (row) => row.judgeBad ?? 0,",
		new: "down: (row) => row.down,",
		tests: ["test/public/comparison.test.ts"],
	},
	// --- The judge against people, in the admin API (issue 26) ------------------------------
	{
		name: "stats-judge-mixed-into-up-rate",
		claim: "The judge's verdicts are shown beside people's up-rate, never mixed into it.",
		file: "src/store/stats.ts",
		old: "\t\t...upRates(up, down),\n\t\tmeanScore:",
		new: "\t\t...upRates(up + judgeGood, down + judgeBad),\n\t\tmeanScore:",
		tests: ["test/api/admin/judge.test.ts"],
	},
	{
		name: "stats-judge-agreement-cells-swapped",
		claim:
			"Each model's judgeVotes is the judge's good/bad against people's up/down on the answers both rated.",
		file: "src/store/stats.ts",
		old: "judgeBadPeopleUp: row.bad_up,",
		new: "judgeBadPeopleUp: row.good_down,",
		tests: ["test/api/admin/judge.test.ts"],
	},
	{
		name: "feedback-judge-disagreements-are-agreements",
		claim:
			"GET /api/admin/feedback?judgeAgrees=false lists the judge's disagreements with people: good with down, bad with up.",
		file: "src/store/feedback-rows.ts",
		old: `"'good down', 'bad up'"`,
		new: `"'good down', 'bad down'"`,
		tests: ["test/api/admin/judge.test.ts"],
	},
	{
		name: "feedback-cursor-ignores-judge-filter",
		claim: "A list cursor is tied to its filters, judgeAgrees included.",
		file: "src/store/cursor.ts",
		old: "\t\tfilters.until,\n\t\tfilters.judgeAgrees,\n",
		new: "\t\tfilters.until,\n",
		tests: ["test/api/admin/judge.test.ts"],
	},
	{
		name: "golden-rejected-answer-kept",
		claim:
			"The golden set puts the user's correction in place of a rejected answer, and a thumbs-down without one gives no line.",
		file: "src/store/export.ts",
		old: 'item.vote === "down" ? item.correction : null',
		new: 'item.vote === "down" ? item.answer : null',
		tests: ["test/api/admin/judge.test.ts"],
	},
	{
		name: "golden-without-transcript",
		claim:
			"The golden set has the conversation then the approved answer, in the chat fine-tuning shape.",
		file: "src/store/export.ts",
		old: '? jsonLine({ messages: [...item.conversation, { role: "assistant", content }] })',
		new: '? jsonLine({ messages: [{ role: "assistant", content }] })',
		tests: ["test/api/admin/judge.test.ts"],
	},
	// --- Corrections (issue 26) ------------------------------------------------------------
	{
		name: "correction-not-stored",
		claim:
			"A thumbs-down's correction is stored with the vote (votes.correction), listed by the admin API and exported.",
		file: "src/store/votes.ts",
		old: "correction: (vote) => vote.correction || null,",
		new: "correction: () => null,",
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "correction-on-gateway-log",
		claim:
			"A correction is kept in the feedback store only: patchLog never carries it (its metadata is 5 flat entries at most).",
		edits: [
			{
				file: "src/gateway/log-feedback.ts",
				old: "{ vote, score, comment }: FeedbackPatch,",
				new: "{ vote, score, comment, correction }: FeedbackPatch & { correction?: string },",
			},
			{
				file: "src/gateway/log-feedback.ts",
				old: 'comment: cleared ? "" : (comment ?? "") },',
				new: 'comment: cleared ? "" : (comment ?? ""), correction: correction ?? "" },',
			},
		],
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "correction-with-any-vote",
		claim:
			"A correction comes only with a thumbs-down: with up or clear it is a 400 invalid_request.",
		file: "src/api/feedback/schemas.ts",
		old: '({ feedback, correction }) => feedback === "down" || !correction,',
		new: "() => true,",
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "correction-survives-next-vote",
		claim:
			"A correction is part of the vote: the next vote replaces it, so a clear (or an up) leaves none.",
		file: "src/feedback/delivery.ts",
		old: "correction: input.correction,",
		new: "correction: input.correction ?? current?.correction,",
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "correction-outside-ordering",
		claim:
			"A correction is ordered with its vote: the same sequence with other words is superseded, not accepted as a repeat.",
		file: "src/feedback/delivery.ts",
		old: "record.comment === input.comment &&\n\trecord.correction === input.correction;",
		new: "record.comment === input.comment;",
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "correction-limit-utf16",
		claim:
			"A correction is up to 8,000 characters counted as Unicode code points: 8,000 emoji fit.",
		file: "src/api/feedback/schemas.ts",
		old: "v.maxCodePoints(\n\t\t\t\t\tLIMITS.correctionChars,",
		new: "v.maxLength(\n\t\t\t\t\tLIMITS.correctionChars,",
		tests: ["test/api/feedback/corrections.test.ts"],
	},
	{
		name: "page-correction-not-sent",
		claim: "The chat page sends a thumbs-down's better answer with the vote, from its outbox too.",
		file: "public/js/feedback-outbox.js",
		old: "if (entry.correction) body.correction = entry.correction;",
		new: "",
		tests: ["test/public/feedback-outbox.test.ts"],
	},
	{
		name: "page-correction-with-up",
		claim: "The chat page sends a correction only with a thumbs-down.",
		file: "public/js/feedback-outbox.js",
		old: 'if (correction && vote === "down") this.#pending.correction = correction;',
		new: "if (correction) this.#pending.correction = correction;",
		tests: ["test/public/feedback-outbox.test.ts"],
	},
];

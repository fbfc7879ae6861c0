// The README's claims, each tied to the tests that prove it. `npm run test:claims`
// (scripts/test-claims.mjs) breaks the code in each way listed here, one at a time, in a
// scratch copy of the repository, and runs only the named test files: a claim is backed
// only if those tests fail once the code no longer keeps it. Every later change that makes
// a claim adds its own entry here. See docs/testing.md.

/**
 * @typedef {object} Edit
 * @property {string} file Path from the repository root, e.g. "src/ai/gateway.ts".
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
			"The log id belongs to the answer: JSON answers read cf-aig-log-id from the call's own response, not the binding's shared env.AI.aiGatewayLogId.",
		file: "src/ai/gateway.ts",
		old: 'logId: res.headers.get("cf-aig-log-id"),',
		new: "logId: env.AI.aiGatewayLogId,",
		tests: ["test/integration/log-id-race.test.ts"],
	},
	{
		name: "log-id-stream-from-shared-binding",
		claim:
			"The log id belongs to the answer: streamed answers carry the call's own cf-aig-log-id in their meta event.",
		file: "src/ai/gateway.ts",
		old: 'return { model, body: res.body, logId: res.headers.get("cf-aig-log-id") };',
		new: "return { model, body: res.body, logId: env.AI.aiGatewayLogId };",
		tests: ["test/integration/log-id-race.test.ts"],
	},
	{
		name: "log-id-v1-from-shared-binding",
		claim:
			"/v1/chat/completions answers carry their own log id in cf-aig-log-id (same AI call path as /api/chat), JSON and streamed.",
		edits: [
			{
				file: "src/ai/gateway.ts",
				old: 'logId: res.headers.get("cf-aig-log-id"),',
				new: "logId: env.AI.aiGatewayLogId,",
			},
			{
				file: "src/ai/gateway.ts",
				old: 'return { model, body: res.body, logId: res.headers.get("cf-aig-log-id") };',
				new: "return { model, body: res.body, logId: env.AI.aiGatewayLogId };",
			},
		],
		tests: [
			"test/integration/log-id-race.test.ts",
			"test/integration/openai-route.test.ts",
			"test/integration/openai-sdks.test.ts",
		],
	},

	// --- Only the person who got an answer can rate it ------------------------------------
	{
		name: "token-accepts-anything",
		claim:
			"Only the person who got an answer can rate it: each answer carries an HMAC-SHA-256 token; anything else is rejected with 403 invalid_token.",
		file: "src/lib/feedback-token.ts",
		old: "if (parts.length !== 4) return false;",
		new: "if (parts.length >= 0) return true;",
		tests: ["test/unit/feedback-token.test.ts", "test/integration/feedback.test.ts"],
	},
	{
		name: "token-ignores-expiry",
		claim: "Feedback tokens carry an expiry (7 days by default); an expired token is rejected.",
		file: "src/lib/feedback-token.ts",
		old: "if (expires <= now) return false;",
		new: "",
		tests: ["test/unit/feedback-token.test.ts", "test/integration/feedback.test.ts"],
	},
	{
		name: "token-ignores-log-id",
		claim:
			"The token is signed over its log id: a client cannot rate arbitrary gateway logs with a token issued for another answer.",
		file: "src/lib/feedback-token.ts",
		// The signed payload leaves the log id out: a token then verifies for any log.
		old: "function signedPayload(logId: string, kid: string, expires: number): Uint8Array {",
		new: 'function signedPayload(_logId: string, kid: string, expires: number): Uint8Array {\n\tconst logId = "";',
		tests: ["test/unit/feedback-token.test.ts", "test/integration/feedback.test.ts"],
	},

	// --- No vote is lost, and the last one wins -------------------------------------------
	{
		name: "delivery-sequence-guard-removed",
		claim:
			"A vote with a lower or equal sequence than the one stored is a late duplicate and changes nothing.",
		file: "src/feedback/delivery.ts",
		old: "if (current && sequence <= current.sequence) return view(current);",
		new: "",
		tests: ["test/integration/feedback.test.ts"],
	},
	{
		name: "log-not-written-yet-is-final",
		claim:
			"Delivery is retried across the gateway's log-write lag: a not-found answer from patchLog is retried, not given up.",
		file: "src/ai/gateway.ts",
		old: 'retry: true, reason: "the gateway has not written the log yet"',
		new: 'retry: false, reason: "the gateway has not written the log yet"',
		tests: ["test/integration/feedback.test.ts"],
	},
	{
		name: "delivery-overtaken-check-removed",
		claim:
			"A delivery overtaken by a newer vote is followed by one of the newer vote, so the gateway ends with the last vote cast.",
		file: "src/feedback/delivery.ts",
		old: "if (latest.revision !== revision) {",
		new: "if (false) {",
		tests: ["test/integration/feedback-overtaken.test.ts"],
	},

	// --- Requests and limits --------------------------------------------------------------
	{
		name: "abort-signal-not-passed",
		claim:
			"A client that disconnects aborts the inference (the request's signal is passed to env.AI.run).",
		file: "src/ai/gateway.ts",
		old: "returnRawResponse: true,\n\t\t\tsignal,",
		new: "returnRawResponse: true,",
		tests: ["test/integration/chat.test.ts", "test/integration/chat-stream.test.ts"],
	},
	{
		name: "rate-limiter-skipped",
		claim:
			"POST /api/chat (20 a minute) and POST /api/feedback (60 a minute) are limited per client IP; excess requests get 429 rate_limited.",
		file: "src/lib/rate-limit.ts",
		old: "const { success } = await limiter.limit({ key });",
		new: "const success = true;",
		tests: ["test/integration/feedback.test.ts"],
	},
	{
		name: "body-limit-removed",
		claim: "Body up to 64 KiB: larger bodies get 413 payload_too_large.",
		file: "src/index.ts",
		old: "maxSize: LIMITS.bodyBytes,",
		new: "maxSize: Number.POSITIVE_INFINITY,",
		tests: ["test/integration/errors.test.ts"],
	},
	{
		name: "debug-route-open-without-token",
		claim:
			"GET /api/logs/:logId (debug) needs Authorization: Bearer <DEBUG_TOKEN>; without it the answer is 401.",
		file: "src/lib/debug-auth.ts",
		old: "if (!token || !(await timingSafeEqual(token, expected))) {",
		new: "if (token && !(await timingSafeEqual(token, expected))) {",
		tests: ["test/integration/logs.test.ts", "test/integration/entrypoint.test.ts"],
	},
	{
		name: "api-key-check-skipped",
		claim:
			"When API_KEYS is set, /v1 requires Authorization: Bearer <one of them>; a bad key gets 401.",
		file: "src/lib/api-key-auth.ts",
		old: "if (configured.length === 0) return next();",
		new: "if (configured.length >= 0) return next();",
		tests: ["test/integration/openai-route.test.ts", "test/integration/openai-sdks.test.ts"],
	},
];

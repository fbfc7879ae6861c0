// The tests' own settings, in place of every var of wrangler.jsonc: an adopter changes the
// models, timeouts or retention there (the README's Configuration) and no test notices. The
// tests name these models and expect these values; a var added to wrangler.jsonc needs its
// test value here (vitest.config.ts stops the run otherwise). Read by vitest.config.ts (the Workers tests) and by test/e2e/dev-server.ts
// (every `npm run dev` of the browser tests, as `--var` overrides).
export const TEST_VARS = {
	AI_GATEWAY_ID: "default",
	AI_GATEWAY_COLLECT_LOG: "true",
	AI_GATEWAY_LOG_PAYLOADS: "true",
	AI_TIMEOUT_MS: "120000",
	DEFAULT_MODEL: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	ALLOWED_MODELS: [
		"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
		"@cf/meta/llama-4-scout-17b-16e-instruct",
		"@cf/openai/gpt-oss-120b",
		"@cf/moonshotai/kimi-k2.6",
	].join(","),
	// Feedback delivery on a test's time scale: retries from 20 ms. The retry window stays
	// the production default (15 minutes), so no test races it on a busy machine: a test that
	// needs a vote given up closes its window (test/feedback/delivery.test.ts).
	FEEDBACK_RETRY_WINDOW_MS: "900000",
	FEEDBACK_RETRY_BASE_MS: "20",
	STORE_TRANSCRIPTS: "false",
	RETENTION_DAYS: "90",
	STORE_MAX_MB: "450",
	// Off: the Turnstile tests turn it on with a site key and a secret of their own.
	TURNSTILE_SITE_KEY: "",
	// Access off; the tests that turn it on set both (test/http/access.test.ts).
	ACCESS_TEAM_DOMAIN: "",
	ACCESS_AUD: "",
	// Off, as by default: the judge's tests turn it on per request (test/judge/judge.test.ts).
	JUDGE_MODEL: "@cf/meta/llama-4-scout-17b-16e-instruct",
	JUDGE_SAMPLE_RATE: "0",
	JUDGE_DAILY_LIMIT: "1000",
} as const satisfies Record<string, string>;

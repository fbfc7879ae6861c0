// Secrets and the dev-only emulator binding are not in wrangler.jsonc, so `wrangler types` cannot see them:
// they extend the generated Env here. All are optional (see README).
declare namespace Cloudflare {
	interface Env {
		/** Signs feedback tokens. Unset: answers carry no token and feedback is disabled. */
		FEEDBACK_SECRET?: string;
		/** The previous FEEDBACK_SECRET during a rotation; verifies only. */
		FEEDBACK_SECRET_PREVIOUS?: string;
		/** Bearer token for GET /api/logs/:logId. Unset: the route answers 404. */
		DEBUG_TOKEN?: string;
		/** Local development only: the AI Gateway emulator (see src/ai/binding.ts). */
		AI_EMULATOR?: Fetcher;
	}
}

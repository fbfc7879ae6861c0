// What `wrangler types` cannot see extends the generated Env here: the optional
// secrets left out of .dev.vars.example (so the Deploy button does not ask for
// them) and the dev-only emulator bindings.
declare namespace Cloudflare {
	interface Env {
		/** Comma-separated keys for /v1/*. Unset: /v1/* is open, like /api/chat. */
		API_KEYS?: string;
		/** The previous FEEDBACK_SECRET while rotating keys; verifies tokens, never signs. */
		FEEDBACK_SECRET_PREVIOUS?: string;
		/** Turnstile's secret key: with TURNSTILE_SITE_KEY, /api/chat asks for a human check. */
		TURNSTILE_SECRET?: string;
		/** Local development only: the AI Gateway emulator (see src/gateway/binding.ts). */
		AI_EMULATOR?: Fetcher;
		/** Local development only: the Siteverify stand-in (see src/http/turnstile.ts). */
		TURNSTILE_EMULATOR?: Fetcher;
		/** Tests and offline development only: serves the Access signing keys (see src/http/access.ts). */
		ACCESS_EMULATOR?: Fetcher;
	}
}

// What `wrangler types` cannot see extends the generated Env here: the secret
// used only during a key rotation (left out of .dev.vars.example so the Deploy
// button does not ask for it) and the dev-only emulator binding.
declare namespace Cloudflare {
	interface Env {
		/** The previous FEEDBACK_SECRET while rotating keys; verifies tokens, never signs. */
		FEEDBACK_SECRET_PREVIOUS?: string;
		/** Local development only: the AI Gateway emulator (see src/ai/binding.ts). */
		AI_EMULATOR?: Fetcher;
	}
}

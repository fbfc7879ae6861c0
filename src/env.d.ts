// The dev-only emulator binding is not in wrangler.jsonc, so `wrangler types`
// cannot see it: it extends the generated Env here.
declare namespace Cloudflare {
	interface Env {
		/** Local development only: the AI Gateway emulator (see src/ai/binding.ts). */
		AI_EMULATOR?: Fetcher;
	}
}

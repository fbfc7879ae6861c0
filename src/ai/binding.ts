/**
 * The one switch between Cloudflare and the local emulator. Every part of
 * the Worker that receives an `env` (the fetch handler today, a Durable
 * Object or a queue consumer tomorrow) passes it through `resolveBindings`.
 *
 * The emulator is used only when an `AI_EMULATOR` service binding exists.
 * wrangler.jsonc never declares one: `npm run dev` adds it to a generated,
 * git-ignored local config, so a deployed Worker cannot take this path.
 */

type AiConstructor = new (fetcher: Fetcher) => Ai;

const emulatedAi = new WeakMap<Fetcher, Ai>();

/** A genuine `Ai` binding (the runtime's own class) whose calls go to `fetcher`. */
export function aiThrough(ai: Ai, fetcher: Fetcher): Ai {
	return new (ai.constructor as AiConstructor)(fetcher);
}

export function resolveBindings(env: Cloudflare.Env): Cloudflare.Env {
	const emulator = env.AI_EMULATOR;
	if (!emulator) return env;
	let ai = emulatedAi.get(emulator);
	if (!ai) {
		ai = aiThrough(env.AI, emulator);
		emulatedAi.set(emulator, ai);
	}
	return { ...env, AI: ai };
}

export const usesEmulator = (env: Cloudflare.Env): boolean => Boolean(env.AI_EMULATOR);

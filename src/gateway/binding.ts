/**
 * The AI binding the Worker uses: Cloudflare's, or the local emulator's. Every call to
 * the binding gets it from `aiBinding(env)`, so the rest of the Worker (the routes, the
 * Durable Objects) takes `env` as the runtime hands it over.
 *
 * The emulator is used only when an `AI_EMULATOR` service binding exists. wrangler.jsonc
 * never declares one: `npm run dev` adds it to a generated, git-ignored local config, so a
 * deployed Worker cannot take this path.
 */

type AiConstructor = new (fetcher: Fetcher) => Ai;

const emulatedAi = new WeakMap<Fetcher, Ai>();

/** A genuine `Ai` binding (the runtime's own class) whose calls go to `fetcher`. */
export function aiThrough(ai: Ai, fetcher: Fetcher): Ai {
	return new (ai.constructor as AiConstructor)(fetcher);
}

export function aiBinding(env: Cloudflare.Env): Ai {
	const emulator = env.AI_EMULATOR;
	if (!emulator) return env.AI;
	let ai = emulatedAi.get(emulator);
	if (!ai) {
		ai = aiThrough(env.AI, emulator);
		emulatedAi.set(emulator, ai);
	}
	return ai;
}

export const usesEmulator = (env: Cloudflare.Env): boolean => Boolean(env.AI_EMULATOR);

/**
 * `gateway(id)` on a binding that remembers the HTTP status of its last answer. The
 * binding's errors do not carry it, and it decides whether retrying a patch can help.
 * Same runtime classes, same wire protocol: the status is watched on the way through.
 */
export function gatewayWithStatus(
	env: Cloudflare.Env,
	gatewayId: string,
): { gateway: AiGateway; lastStatus: () => number | undefined } {
	const ai = aiBinding(env) as Ai & { fetch?: typeof fetch };
	if (!ai.fetch) return { gateway: ai.gateway(gatewayId), lastStatus: () => undefined };
	const send = ai.fetch.bind(ai) as typeof fetch;
	let status: number | undefined;
	const watching = {
		fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
			const response = await send(input, init);
			status = response.status;
			return response;
		},
	} as Fetcher;
	return { gateway: aiThrough(ai, watching).gateway(gatewayId), lastStatus: () => status };
}

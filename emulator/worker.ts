/**
 * The emulator as a Worker, for `npm run dev`: the app reaches it through the
 * AI_EMULATOR service binding. One Durable Object holds the emulator so every
 * request sees the same logs, and its storage keeps them across restarts of
 * the dev server. Never deployed: wrangler.jsonc does not reference it.
 */
import { DurableObject } from "cloudflare:workers";
import { AiGatewayEmulator, type StoredLog } from "./src/index.ts";

/** This dev-only Worker's bindings (emulator/wrangler.jsonc). */
interface EmulatorEnv {
	EMULATOR: DurableObjectNamespace<EmulatorHost>;
	TOKEN_DELAY_MS?: string;
	RESPONSE_DELAY_MS?: string;
	LOG_VISIBILITY_DELAY_MS?: string;
}

const LOG_PREFIX = "log:";

export class EmulatorHost extends DurableObject<EmulatorEnv> {
	readonly #emulator: AiGatewayEmulator;

	constructor(ctx: DurableObjectState, env: EmulatorEnv) {
		super(ctx, env);
		const kv = ctx.storage.kv;
		this.#emulator = new AiGatewayEmulator(
			{
				tokenDelayMs: Number(env.TOKEN_DELAY_MS ?? 0),
				responseDelayMs: Number(env.RESPONSE_DELAY_MS ?? 0),
				logVisibilityDelayMs: Number(env.LOG_VISIBILITY_DELAY_MS ?? 0),
			},
			{
				*load() {
					for (const [key, log] of kv.list<StoredLog>({ prefix: LOG_PREFIX })) {
						yield [key.slice(LOG_PREFIX.length), log];
					}
				},
				save: (id, log) => kv.put(`${LOG_PREFIX}${id}`, log),
			},
		);
	}

	override fetch(request: Request): Promise<Response> {
		return this.#emulator.fetch(request);
	}
}

export default {
	fetch(request, env) {
		return env.EMULATOR.getByName("emulator").fetch(request);
	},
} satisfies ExportedHandler<EmulatorEnv>;

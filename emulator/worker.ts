/**
 * The emulator as a Worker, for `npm run dev`: the app reaches it through the
 * AI_EMULATOR service binding, and Turnstile's Siteverify stand-in under /turnstile/ through
 * the TURNSTILE_EMULATOR one. One Durable Object holds the emulator so every
 * request sees the same logs, and its storage keeps them across restarts of
 * the dev server. Never deployed: wrangler.jsonc does not reference it.
 */
import { DurableObject } from "cloudflare:workers";
import { AiGatewayEmulator, SiteverifyStandIn, type StoredLog } from "./src/index.ts";

/** This dev-only Worker's bindings (emulator/wrangler.jsonc). */
interface EmulatorEnv {
	EMULATOR: DurableObjectNamespace<EmulatorHost>;
	TOKEN_DELAY_MS?: string;
	RESPONSE_DELAY_MS?: string;
	LOG_VISIBILITY_DELAY_MS?: string;
	MAX_RECORDS?: string;
	/** "isolate": keep the emulator in the isolate, not a Durable Object (no persistence, no queueing: benchmarks). */
	MODE?: string;
}

const settingsOf = (env: EmulatorEnv) => ({
	tokenDelayMs: Number(env.TOKEN_DELAY_MS ?? 0),
	responseDelayMs: Number(env.RESPONSE_DELAY_MS ?? 0),
	logVisibilityDelayMs: Number(env.LOG_VISIBILITY_DELAY_MS ?? 0),
	maxRecords: Number(env.MAX_RECORDS ?? Number.POSITIVE_INFINITY),
});

const LOG_PREFIX = "log:";

export class EmulatorHost extends DurableObject<EmulatorEnv> {
	readonly #emulator: AiGatewayEmulator;

	constructor(ctx: DurableObjectState, env: EmulatorEnv) {
		super(ctx, env);
		const kv = ctx.storage.kv;
		this.#emulator = new AiGatewayEmulator(settingsOf(env), {
			*load() {
				for (const [key, log] of kv.list<StoredLog>({ prefix: LOG_PREFIX })) {
					yield [key.slice(LOG_PREFIX.length), log];
				}
			},
			save: (id, log) => kv.put(`${LOG_PREFIX}${id}`, log),
		});
	}

	override fetch(request: Request): Promise<Response> {
		return this.#emulator.fetch(request);
	}
}

let isolateEmulator: AiGatewayEmulator | undefined;
/** Turnstile's Siteverify, for the app's dev-only TURNSTILE_EMULATOR binding (tokens live in memory). */
const siteverify = new SiteverifyStandIn();

export default {
	async fetch(request, env) {
		if (new URL(request.url).pathname.startsWith("/turnstile/")) return siteverify.fetch(request);
		if (env.MODE === "isolate") {
			isolateEmulator ??= new AiGatewayEmulator(settingsOf(env));
			return isolateEmulator.fetch(request);
		}
		// The object may answer (a fault, a refusal) before it reads the body, and a body still
		// streaming to it then fails loudly: hand it over whole (the binding's bodies are small).
		const body = request.body ? await request.arrayBuffer() : null;
		return env.EMULATOR.getByName("emulator").fetch(new Request(request, { body }));
	},
} satisfies ExportedHandler<EmulatorEnv>;

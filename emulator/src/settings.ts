/** The emulator's switches: their defaults, and their overrides per gateway. */

import type { PatchMode } from "./log-store.ts";
import type { GoogleWire } from "./providers.ts";
import { seededRandom } from "./random.ts";
import { type DynamicRoute, routeProblem } from "./routes.ts";

/** Guardrails on a gateway, reduced to word lists (the real ones ask Llama Guard). */
export interface GuardrailSettings {
	/** A prompt containing any of these words (case-insensitive) is blocked: code 2016. */
	promptBlockWords?: string[];
	/**
	 * An answer containing any of these words is blocked: code 2017. Present (even empty)
	 * means responses are evaluated, so `stream: true` requests are buffered into one JSON
	 * payload on the gateway endpoints.
	 */
	responseBlockWords?: string[];
	/**
	 * The code of a blocked prompt on `env.AI.run`. The Guardrails page's error table lists
	 * `422 / 2017` for a blocked prompt on the `/run` API (a likely slip for 2016), so both
	 * can be tested. Default 2016.
	 */
	runPromptCode?: 2016 | 2017;
	/**
	 * `env.AI.run` with `stream: true` and responses evaluated: `"buffer"` (default) answers one
	 * JSON payload, as the gateway endpoints are documented to; `"unenforced"` streams and leaves
	 * the response unchecked, as the REST API (api.cloudflare.com) is documented to.
	 */
	runStreaming?: "buffer" | "unenforced";
}

/**
 * How the gateway's Logs API treats getLog and patchLog: `"legacy"` serves them (accounts
 * created before 2026-09-24); `"unsupported"` refuses them with 405 and code 7001 (a guess
 * at a gateway on the Workers Observability log system); `"not-found"` answers 404 for every
 * log, forever (the other plausible refusal, indistinguishable from the write lag).
 */
export type LogsApi = "legacy" | "unsupported" | "not-found";

/** The knobs tests and local development turn. All times in milliseconds. */
export interface EmulatorSettings {
	/** Pause before each token (streaming), or per token before a JSON answer. */
	tokenDelayMs: number;
	/** Pause before the response starts: the model's queueing and prefill time. */
	responseDelayMs: number;
	/** How long after a response ends its log becomes visible to getLog/patchLog. */
	logVisibilityDelayMs: number;
	/** Break every stream after this many tokens (an upstream failure mid-stream). */
	streamFailureAfterTokens: number | null;
	/** Account id used in getUrl answers. */
	accountId: string;
	/**
	 * Models whose every inference fails with a 500, directly, as a universal-request step or
	 * as a dynamic-route step (matched against the name as given and as `provider/model`).
	 */
	failingModels: string[];
	/** Share (0 to 1) of patchLog calls that fail with a 500, drawn from a seeded generator. */
	patchLogFailureRate: number;
	/** Whether patchLog merges into the log's feedback fields or replaces them (undocumented). */
	patchMode: PatchMode;
	/** Seed of the generators (patchLog failures, dynamic-route splits), so runs can be replayed. */
	seed: number;
	/** Logs and run records kept in memory (oldest dropped first), so long runs stay bounded. */
	maxRecords: number;
	/** Dynamic routes by name, called as `model: "dynamic/<name>"` on the `compat` provider. */
	dynamicRoutes: Record<string, DynamicRoute>;
	/** The Auto Router's pool (`model: "cloudflare/auto"` on `compat`), as `provider/model` names. */
	autoRouterPool: string[];
	/** Model aliases by name, called as `model: "custom/<name>"`: each a pool of `provider/model` names. */
	modelAliases: Record<string, string[]>;
	/** Guardrails, or null for none. */
	guardrails: GuardrailSettings | null;
	/** Unified Billing has no credits: third-party models answer 402, code 2021. */
	outOfCredits: boolean;
	/** The whole service is down: every binding call answers 503 with an HTML page. */
	serviceDown: boolean;
	/** What getLog and patchLog do: see `LogsApi`. */
	logsApi: LogsApi;
	/** How `google/...` models answer on `env.AI.run`: OpenAI-normalised (default) or native Gemini. */
	googleWire: GoogleWire;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
	tokenDelayMs: 0,
	responseDelayMs: 0,
	logVisibilityDelayMs: 0,
	streamFailureAfterTokens: null,
	accountId: "emulated-account",
	failingModels: [],
	patchLogFailureRate: 0,
	patchMode: "merge",
	seed: 1,
	maxRecords: Number.POSITIVE_INFINITY,
	dynamicRoutes: {},
	autoRouterPool: [
		"workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast",
		"workers-ai/@cf/openai/gpt-oss-120b",
		"openai/gpt-4.1-mini",
	],
	modelAliases: {},
	guardrails: null,
	outOfCredits: false,
	serviceDown: false,
	logsApi: "legacy",
	googleWire: "openai",
};

/** Checks every route of a settings update, so a bad one fails when set, not when called. */
function checkSettings(settings: Partial<EmulatorSettings>): void {
	for (const [name, route] of Object.entries(settings.dynamicRoutes ?? {})) {
		const problem = routeProblem(route);
		if (problem) throw new TypeError(`dynamic route ${name}: ${problem}`);
	}
	const pools: [string, string[]][] = Object.entries(settings.modelAliases ?? {}).map(
		([name, pool]) => [`model alias ${name}`, pool],
	);
	if (settings.autoRouterPool) pools.push(["the Auto Router's pool", settings.autoRouterPool]);
	for (const [what, pool] of pools) {
		const problem = routeProblem({ fallbacks: pool });
		if (problem) throw new TypeError(`${what}: ${problem}`);
	}
}

const randomKey = (gatewayId: string, purpose: string) => `${gatewayId}\u0000${purpose}`;

/**
 * The global settings, each gateway's overrides (key by key), and the seeded generators
 * drawn from them, which start over whenever the settings they are seeded from change.
 */
export class Settings {
	global: EmulatorSettings;
	readonly #perGateway = new Map<string, Partial<EmulatorSettings>>();
	readonly #random = new Map<string, () => number>();

	constructor(settings: Partial<EmulatorSettings>) {
		checkSettings(settings);
		this.global = { ...DEFAULT_SETTINGS, ...settings };
	}

	/** Changes the settings of every gateway, or of one gateway only. Throws on a malformed dynamic route. */
	configure(settings: Partial<EmulatorSettings>, gatewayId?: string): void {
		checkSettings(settings);
		if (gatewayId === undefined) {
			this.global = { ...this.global, ...settings };
			this.#random.clear();
		} else {
			this.#perGateway.set(gatewayId, {
				...this.#perGateway.get(gatewayId),
				...settings,
			});
			for (const purpose of ["patchLog", "split"])
				this.#random.delete(randomKey(gatewayId, purpose));
		}
	}

	for(gatewayId: string): EmulatorSettings {
		return { ...this.global, ...this.#perGateway.get(gatewayId) };
	}

	/** A seeded generator per gateway and purpose, so one kind of draw never shifts another. */
	random(gatewayId: string, purpose: "patchLog" | "split"): () => number {
		const key = randomKey(gatewayId, purpose);
		let random = this.#random.get(key);
		if (!random) {
			random = seededRandom(this.for(gatewayId).seed);
			this.#random.set(key, random);
		}
		return random;
	}
}

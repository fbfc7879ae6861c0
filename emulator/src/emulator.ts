import { Hono } from "hono";
import { controlApi } from "./control-api.ts";
import { gatewayError } from "./errors.ts";
import {
	ANY_GATEWAY,
	type FaultStatus,
	Faults,
	type FaultTarget,
	type HoldPart,
	Holds,
} from "./faults.ts";
import { getUrl } from "./get-url.ts";
import { type LogPersistence, LogStore } from "./log-store.ts";
import { getLog, patchLog } from "./logs-api.ts";
import { run } from "./run.ts";
import { type EmulatorSettings, Settings } from "./settings.ts";
import type { EmulatorState, RunRecord } from "./state.ts";
import { universal } from "./universal.ts";

/**
 * An in-memory stand-in for the service behind the Workers AI binding
 * (`https://workers-binding.ai`): inference through a gateway as JSON or SSE
 * in every shape the binding can return, the universal endpoint with
 * dynamic routes, and the gateway's getLog, patchLog and getUrl.
 * Give it to the runtime's real `Ai` class as its fetcher.
 *
 * Each gateway id is its own world: settings, faults and holds can be scoped
 * to one gateway, so tests sharing one emulator stay apart by using their own
 * gateway ids. `/__emulator/...` is a small HTTP API for the same switches,
 * for callers that reach the emulator over a service binding.
 */
export class AiGatewayEmulator {
	readonly logs: LogStore;
	readonly runs: RunRecord[] = [];
	readonly #state: EmulatorState;
	readonly #app = new Hono();

	constructor(settings: Partial<EmulatorSettings> = {}, persistence?: LogPersistence) {
		const book = new Settings(settings);
		this.logs = new LogStore(persistence);
		const state: EmulatorState = {
			settings: book,
			faults: new Faults(book),
			holds: new Holds(),
			logs: this.logs,
			runs: this.runs,
			sessions: new Map(),
		};
		this.#state = state;
		this.#app.route("/__emulator", controlApi(state));
		this.#app
			.post("/ai-gateway/run", (c) => run(state, c))
			.post("/run", (c) => run(state, c))
			.get("/ai-gateway/gateways/:gateway/logs/:logId", (c) => getLog(state, c))
			.patch("/ai-gateway/gateways/:gateway/logs/:logId", (c) => patchLog(state, c))
			.get("/ai-gateway/gateways/:gateway/url/:provider", (c) => getUrl(state, c))
			.post("/ai-gateway/universal/run/:gateway", (c) => universal(state, c))
			.notFound(() => gatewayError(404, 7000, "No route for that URI"));
	}

	/** The fetcher interface the `Ai` class calls. */
	fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
		Promise.resolve(this.#app.fetch(new Request(input, init)));

	/** The settings of every gateway (each gateway's own override them key by key). */
	get settings(): EmulatorSettings {
		return this.#state.settings.global;
	}

	set settings(settings: EmulatorSettings) {
		this.#state.settings.global = settings;
	}

	/** Changes the settings of every gateway, or of one gateway only. Throws on a malformed dynamic route. */
	configure(settings: Partial<EmulatorSettings>, gatewayId?: string): this {
		this.#state.settings.configure(settings, gatewayId);
		return this;
	}

	settingsFor(gatewayId: string): EmulatorSettings {
		return this.#state.settings.for(gatewayId);
	}

	/** The next `count` calls to `target` (on `gatewayId`, or any gateway) answer `status`. */
	failNext(target: FaultTarget, status: FaultStatus, count = 1, gatewayId = ANY_GATEWAY): this {
		this.#state.faults.add(target, status, count, gatewayId);
		return this;
	}

	/**
	 * The next `run` (on `gatewayId`, or any gateway) answers with its headers
	 * (and log id) at once but holds its body back until `release()`, so tests
	 * can overlap requests. With `part: "response"` it holds the whole response.
	 */
	holdNextResponse(
		gatewayId = ANY_GATEWAY,
		part: HoldPart = "body",
	): { id: string; release: () => void } {
		return this.#state.holds.add(gatewayId, part);
	}
}

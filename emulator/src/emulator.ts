import { type Context, Hono } from "hono";
import {
	type ChatMessage,
	countTokens,
	emulatedAnswer,
	formatEvent,
	jsonAnswer,
	type OutputShape,
	outputShapeOf,
	streamEvents,
	tokenize,
	usageOf,
} from "./answers.ts";
import {
	AIG,
	aiGatewayError,
	gatewayError,
	modelNotFound,
	outOfCredits,
	PROMPT_BLOCKED,
	RESPONSE_BLOCKED,
	serviceDownPage,
	userInputError,
} from "./errors.ts";
import { type LogPersistence, LogStore, type Metadata, type PatchMode } from "./log-store.ts";
import {
	answerModelName,
	type ChatRequest,
	type GoogleWire,
	isThirdPartyRunModel,
	type ModelRef,
	missingMessages,
	parseChat,
	parseModelRef,
	runShapeOf,
} from "./providers.ts";
import { type DynamicRoute, pickChain, routeProblem } from "./routes.ts";
import { uuidv7 } from "./uuid.ts";

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
	guardrails: null,
	outOfCredits: false,
	serviceDown: false,
	logsApi: "legacy",
	googleWire: "openai",
};

/** Faults and holds that apply to any gateway. */
const ANY_GATEWAY = "*";

/** Calls of the binding that can be made to fail. */
export type FaultTarget = "run" | "getLog" | "patchLog" | "getUrl";
/** 402 on `run` is the gateway's out-of-credits answer (code 2021). */
export type FaultStatus = 400 | 401 | 402 | 404 | 408 | 429 | 500 | 502 | 503 | 504;
/**
 * What a hold keeps back: the body (the headers, with the log id, go out at once)
 * or the whole response.
 */
export type HoldPart = "body" | "response";

/** What the emulator saw of one inference (one `run`, or one step of a universal request), for assertions. */
export interface RunRecord {
	logId: string;
	gatewayId: string | null;
	/** The model that ran (for `compat` steps, the provider's model id without the provider prefix). */
	model: string;
	inputs: Record<string, unknown>;
	/** The run's options; for universal steps `{ universal, step, provider, ... }`, with `route` and `branch` for dynamic routes. */
	options: Record<string, unknown>;
	status: number | null;
	/** The caller cancelled the inference (aborted the request or the body). */
	aborted: boolean;
	completed: boolean;
	/** A log was kept (a gateway, and collectLog not false). */
	logged: boolean;
}

const WORKERS_AI_ERROR_CODES: Record<number, number> = {
	400: 5006,
	401: 10000,
	404: 5007,
	429: 3040,
	500: 3043,
	502: 3043,
	503: 3040,
	504: 3046,
};

const encoder = new TextEncoder();

/** Checks every route of a settings update, so a bad one fails when set, not when called. */
function checkSettings(settings: Partial<EmulatorSettings>): void {
	for (const [name, route] of Object.entries(settings.dynamicRoutes ?? {})) {
		const problem = routeProblem(route);
		if (problem) throw new TypeError(`dynamic route ${name}: ${problem}`);
	}
}

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
	settings: EmulatorSettings;
	readonly logs: LogStore;
	readonly runs: RunRecord[] = [];
	readonly #gatewaySettings = new Map<string, Partial<EmulatorSettings>>();
	readonly #faults = new Map<string, { status: FaultStatus; remaining: number }[]>();
	readonly #holds = new Map<string, Hold[]>();
	readonly #heldById = new Map<string, Hold>();
	readonly #random = new Map<string, () => number>();
	readonly #app = new Hono();

	constructor(settings: Partial<EmulatorSettings> = {}, persistence?: LogPersistence) {
		checkSettings(settings);
		this.settings = { ...DEFAULT_SETTINGS, ...settings };
		this.logs = new LogStore(persistence);
		this.#app.route("/__emulator", this.#controlApi());
		this.#app
			.post("/ai-gateway/run", (c) => this.#run(c))
			.post("/run", (c) => this.#run(c))
			.get("/ai-gateway/gateways/:gateway/logs/:logId", (c) => this.#getLog(c))
			.patch("/ai-gateway/gateways/:gateway/logs/:logId", (c) => this.#patchLog(c))
			.get("/ai-gateway/gateways/:gateway/url/:provider", (c) => this.#getUrl(c))
			.post("/ai-gateway/universal/run/:gateway", (c) => this.#universal(c))
			.notFound(() => gatewayError(404, 7000, "No route for that URI"));
	}

	/** The fetcher interface the `Ai` class calls. */
	fetch = (input: RequestInfo | URL, init?: RequestInit): Promise<Response> =>
		Promise.resolve(this.#app.fetch(new Request(input, init)));

	/** Changes the settings of every gateway, or of one gateway only. Throws on a malformed dynamic route. */
	configure(settings: Partial<EmulatorSettings>, gatewayId?: string): this {
		checkSettings(settings);
		if (gatewayId === undefined) {
			this.settings = { ...this.settings, ...settings };
			this.#random.clear();
		} else {
			this.#gatewaySettings.set(gatewayId, {
				...this.#gatewaySettings.get(gatewayId),
				...settings,
			});
			for (const purpose of ["patchLog", "split"])
				this.#random.delete(randomKey(gatewayId, purpose));
		}
		return this;
	}

	settingsFor(gatewayId: string): EmulatorSettings {
		return { ...this.settings, ...this.#gatewaySettings.get(gatewayId) };
	}

	/** The next `count` calls to `target` (on `gatewayId`, or any gateway) answer `status`. */
	failNext(target: FaultTarget, status: FaultStatus, count = 1, gatewayId = ANY_GATEWAY): this {
		const key = faultKey(gatewayId, target);
		const queue = this.#faults.get(key) ?? [];
		queue.push({ status, remaining: count });
		this.#faults.set(key, queue);
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
		let release!: () => void;
		const promise = new Promise<void>((resolve) => {
			release = resolve;
		});
		const hold: Hold = { id: crypto.randomUUID(), part, promise, release };
		this.#holds.set(gatewayId, [...(this.#holds.get(gatewayId) ?? []), hold]);
		this.#heldById.set(hold.id, hold);
		return { id: hold.id, release };
	}

	#takeHold(gatewayId: string): Hold | undefined {
		for (const key of [gatewayId, ANY_GATEWAY]) {
			const hold = this.#holds.get(key)?.shift();
			if (hold) return hold;
		}
		return undefined;
	}

	/** A seeded generator per gateway and purpose, so one kind of draw never shifts another. */
	#randomFor(gatewayId: string, purpose: string): () => number {
		const key = randomKey(gatewayId, purpose);
		let random = this.#random.get(key);
		if (!random) {
			random = seededRandom(this.settingsFor(gatewayId).seed);
			this.#random.set(key, random);
		}
		return random;
	}

	#takeFault(target: FaultTarget, gatewayId: string): FaultStatus | undefined {
		for (const key of [faultKey(gatewayId, target), faultKey(ANY_GATEWAY, target)]) {
			const queue = this.#faults.get(key);
			const fault = queue?.[0];
			if (!queue || !fault) continue;
			if (--fault.remaining <= 0) queue.shift();
			return fault.status;
		}
		if (target === "patchLog") {
			const { patchLogFailureRate } = this.settingsFor(gatewayId);
			if (patchLogFailureRate > 0 && this.#randomFor(gatewayId, "patchLog")() < patchLogFailureRate)
				return 500;
		}
		return undefined;
	}

	/** The switches over HTTP, mounted at /__emulator. */
	#controlApi(): Hono {
		return new Hono()
			.put("/gateways/:gateway/settings", async (c) => {
				try {
					this.configure(await c.req.json<Partial<EmulatorSettings>>(), c.req.param("gateway"));
				} catch (error) {
					return c.json({ error: String(error) }, 400);
				}
				return c.body(null, 204);
			})
			.post("/gateways/:gateway/faults", async (c) => {
				const { target, status, count } = await c.req.json<{
					target: FaultTarget;
					status: FaultStatus;
					count?: number;
				}>();
				this.failNext(target, status, count, c.req.param("gateway"));
				return c.body(null, 204);
			})
			.post("/gateways/:gateway/holds", async (c) => {
				const text = await c.req.text();
				const { part } = (text ? JSON.parse(text) : {}) as { part?: HoldPart };
				return c.json({ id: this.holdNextResponse(c.req.param("gateway"), part).id });
			})
			.post("/holds/:id/release", (c) => {
				this.#heldById.get(c.req.param("id"))?.release();
				return c.body(null, 204);
			})
			.get("/gateways/:gateway/runs", (c) =>
				c.json(this.runs.filter((run) => run.gatewayId === c.req.param("gateway"))),
			)
			.get("/gateways/:gateway/logs/:logId", (c) => {
				const log = this.logs.peek(c.req.param("logId"));
				if (!log || log.gatewayId !== c.req.param("gateway"))
					return c.json({ error: "no such log" }, 404);
				return c.json(log);
			});
	}

	/** `env.AI.run(model, inputs, options)`: Workers AI models, and third-party models through a gateway. */
	async #run(c: Context): Promise<Response> {
		const model = c.req.header("cf-consn-model-id") ?? "";
		const requestBody = await c.req.text();
		let payload: { inputs?: Record<string, unknown>; options?: Record<string, unknown> };
		try {
			payload = JSON.parse(requestBody);
		} catch {
			return gatewayError(400, 5006, "Error: the request body is not JSON");
		}
		const inputs = payload.inputs ?? {};
		const options = payload.options ?? {};
		const gatewayOptions = options.gateway as RunGatewayOptions | undefined;
		const gatewayId = gatewayOptions?.id;
		const settings = this.settingsFor(gatewayId ?? "");
		if (settings.serviceDown) return serviceDownPage();
		if (!model) return missingMessages();
		const thirdParty = isThirdPartyRunModel(model);
		if (thirdParty && gatewayId === undefined)
			return gatewayError(
				400,
				5007,
				`No such model ${model} or task: third-party models run only through an AI Gateway (options.gateway.id)`,
			);
		const shape = runShapeOf(model, settings.googleWire);
		const request = parseChat(shape, inputs);
		// Workers AI rejects a malformed input itself, before any log; the gateway validates third-party ones.
		if (!thirdParty && request instanceof Response) return request;
		const ref = thirdParty ? (parseModelRef(model) as ModelRef) : undefined;
		const { response } = await this.#infer({
			model,
			answerModel: answerModelName(model),
			shape,
			request,
			inputs,
			options,
			gateway:
				gatewayId === undefined
					? null
					: gatewayContext(gatewayId, c.req.raw.headers, gatewayOptions),
			requestBody,
			signal: c.req.raw.signal,
			restEnvelope: false,
			surface: "run",
			thirdParty,
			failureNames: [model],
			log: {
				provider: ref?.provider ?? "workers-ai",
				model: ref?.model ?? model,
				path: model,
				requestType: "workers-ai",
				step: 0,
			},
		});
		return response;
	}

	/**
	 * AI Gateway's universal endpoint (`gateway.run(request | [requests])`): tries each
	 * request in order and answers with the first that succeeds. `workers-ai` requests need
	 * an API token and answer in the REST API's `{ result }` envelope; `compat` requests
	 * (`chat/completions`, no token) take a `provider/model` or a `dynamic/<route>`, whose
	 * models are tried in turn. Every model tried is one step with its own log, numbered
	 * across the whole call; the answer's `cf-aig-step` names the one that answered.
	 */
	async #universal(c: Context): Promise<Response> {
		const gatewayId = c.req.param("gateway") ?? "";
		if (this.settingsFor(gatewayId).serviceDown) return serviceDownPage();
		let entries: UniversalRequest[];
		try {
			const parsed = JSON.parse(await c.req.text()) as UniversalRequest | UniversalRequest[];
			entries = Array.isArray(parsed) ? parsed : [parsed];
		} catch {
			return gatewayError(400, 2001, "the request body is not JSON");
		}
		const reasons: string[] = [];
		let lastStatus = 502;
		let lastHeaders: Headers | undefined;
		let step = 0;
		const failed = async (response: Response, label: string) => {
			lastStatus = response.status;
			lastHeaders = response.headers;
			const failure = (await response.json().catch(() => ({}))) as {
				errors?: { message?: string }[];
				error?: { message?: string }[] | { message?: string };
			};
			const detail = Array.isArray(failure.error) ? failure.error[0] : failure.error;
			const reason = failure.errors?.[0]?.message ?? detail?.message ?? "";
			reasons.push(`step ${label}: ${response.status} ${reason}`);
		};
		for (const request of entries) {
			const headers = new Headers(c.req.raw.headers);
			for (const [key, value] of Object.entries(request.headers ?? {})) {
				if (key.toLowerCase().startsWith("cf-aig-")) headers.set(key, String(value));
			}
			const stepHeaders = Object.fromEntries(
				Object.entries(request.headers ?? {}).map(([key, value]) => [
					key.toLowerCase(),
					String(value),
				]),
			);
			const gateway = gatewayContext(gatewayId, headers);
			const inputs = (request.query ?? {}) as Record<string, unknown>;
			if (request.provider === "compat") {
				const plan = this.#compatPlan(gatewayId, request.endpoint, inputs);
				if (plan instanceof Response) {
					if (entries.length === 1) return plan;
					await failed(plan, `${step} (compat ${String(inputs.model)})`);
					continue;
				}
				for (const [index, ref] of plan.models.entries()) {
					const current = step++;
					const { response, fallback } = await this.#infer({
						model: ref.model,
						answerModel: ref.model,
						shape: "openai-chat",
						request: parseChat("openai-chat", inputs),
						inputs,
						options: {
							universal: true,
							step: current,
							provider: "compat",
							endpoint: request.endpoint,
							...(plan.route === undefined ? {} : { route: plan.route, branch: plan.branch }),
						},
						gateway,
						requestBody: JSON.stringify({ ...inputs, model: plan.names[index] }),
						signal: c.req.raw.signal,
						restEnvelope: false,
						surface: "gateway",
						thirdParty: ref.thirdParty,
						failureNames: [plan.names[index] ?? "", ref.model, `${ref.provider}/${ref.model}`],
						log: {
							provider: ref.provider,
							model: ref.model,
							path: "chat/completions",
							requestType: "universal",
							step: current,
						},
					});
					response.headers.set("cf-aig-step", String(current));
					response.headers.set("cf-aig-model", ref.model);
					response.headers.set("cf-aig-provider", ref.provider);
					if (response.ok || !fallback) return response;
					await failed(response, `${current} (${plan.names[index]})`);
				}
				continue;
			}
			const current = step++;
			const label = `${current} (${request.endpoint})`;
			if (request.provider !== "workers-ai") {
				await failed(
					gatewayError(400, 2008, `provider ${request.provider} is not emulated`),
					label,
				);
				continue;
			}
			if (!/^Bearer \S+$/.test(stepHeaders.authorization ?? "")) {
				await failed(
					gatewayError(401, 10000, "Authentication error: Workers AI needs an API token"),
					label,
				);
				continue;
			}
			const parsed = parseChat("workers-ai", inputs);
			if (parsed instanceof Response) {
				await failed(parsed, label);
				continue;
			}
			const { response, fallback } = await this.#infer({
				model: request.endpoint,
				answerModel: request.endpoint,
				shape: outputShapeOf(request.endpoint),
				request: parsed,
				inputs,
				options: { universal: true, step: current },
				gateway,
				requestBody: JSON.stringify(inputs),
				signal: c.req.raw.signal,
				restEnvelope: true,
				surface: "gateway",
				thirdParty: false,
				failureNames: [request.endpoint],
				log: {
					provider: "workers-ai",
					model: request.endpoint,
					path: request.endpoint,
					requestType: "universal",
					step: current,
				},
			});
			response.headers.set("cf-aig-step", String(current));
			if (response.ok || !fallback) return response;
			await failed(response, label);
		}
		const headers = new Headers();
		for (const name of ["cf-aig-log-id", "cf-aig-step"]) {
			const value = lastHeaders?.get(name);
			if (value) headers.set(name, value);
		}
		return Response.json(
			{
				success: false,
				errors: reasons.map((message) => ({ code: AIG.providerFailed, message })),
			},
			{ status: lastStatus, headers },
		);
	}

	/** The models a `compat` request tries: one named model, or a dynamic route's chain. */
	#compatPlan(
		gatewayId: string,
		endpoint: string,
		inputs: Record<string, unknown>,
	): CompatPlan | Response {
		if (!/^chat\/completions?$/.test(endpoint))
			return aiGatewayError(
				404,
				AIG.notFoundOrInput,
				`compat endpoint ${endpoint} is not emulated: use chat/completions`,
			);
		const name = inputs.model;
		if (typeof name !== "string" || name === "")
			return userInputError("Required value missing: model");
		if (name.startsWith("dynamic/")) {
			const routeName = name.slice("dynamic/".length);
			const routes = this.settingsFor(gatewayId).dynamicRoutes;
			// `dynamic/<route>@<version>` names a version; the emulator keeps one per name.
			const key = Object.hasOwn(routes, routeName) ? routeName : routeName.replace(/@[^@]*$/, "");
			const route = Object.hasOwn(routes, key) ? routes[key] : undefined;
			if (!route) return modelNotFound(name);
			const { branch, models } = pickChain(route, this.#randomFor(gatewayId, "split"));
			return {
				route: key,
				branch,
				names: models,
				models: models.map((model) => parseModelRef(model, true) as ModelRef),
			};
		}
		const ref = parseModelRef(name);
		if (ref === "unknown-provider")
			return aiGatewayError(400, AIG.invalidProvider, "Invalid provider");
		if (ref === "no-provider")
			return aiGatewayError(
				400,
				AIG.providerFailed,
				"Failed to get response from provider: name the model as provider/model, e.g. workers-ai/@cf/...",
			);
		return { names: [name], models: [ref] };
	}

	/**
	 * One inference: its log, Guardrails, credits, faults, latency, and the answer as JSON
	 * or SSE. `fallback` says whether a route or universal request may try its next step.
	 */
	async #infer(inference: Inference): Promise<Attempt> {
		const { model, shape, request, inputs, options, gateway, signal, surface } = inference;
		const logId = uuidv7();
		const gatewayId = gateway?.id ?? "";
		const settings = this.settingsFor(gatewayId);
		const logged = gateway?.collectLog === true;
		const record: RunRecord = {
			logId,
			gatewayId: gateway?.id ?? null,
			model,
			inputs,
			options,
			status: null,
			aborted: false,
			completed: false,
			logged,
		};
		this.runs.push(record);
		if (this.runs.length > this.settings.maxRecords) this.runs.shift();
		this.logs.trim(this.settings.maxRecords);
		const headers = new Headers({ "cf-ai-req-id": crypto.randomUUID() });
		const messages: ChatMessage[] = request instanceof Response ? [] : request.messages;
		if (gateway) {
			headers.set("cf-aig-log-id", logId);
			headers.set("cf-aig-cache-status", "MISS");
		}
		if (gateway && logged) {
			this.logs.create({
				id: logId,
				gatewayId,
				model: inference.log.model,
				requestBody: inference.requestBody,
				metadata: gateway.metadata ?? {},
				tokensIn: countTokens(messages),
				startedAt: Date.now(),
				provider: inference.log.provider,
				path: inference.log.path,
				requestType: inference.log.requestType,
				step: inference.log.step,
				collectPayload: gateway.collectPayload,
			});
		}
		const finish = (
			statusCode: number,
			responseBody: string,
			contentType: string,
			tokensOut = 0,
		) => {
			if (record.completed) return;
			record.status = statusCode;
			record.completed = true;
			if (logged) {
				this.logs.complete(
					logId,
					{
						statusCode,
						responseBody,
						responseContentType: contentType,
						tokensOut,
						finishedAt: Date.now(),
					},
					settings.logVisibilityDelayMs,
				);
			}
		};
		/** Ends the inference with an error answer, keeping the gateway's headers on it. */
		const refuse = async (error: Response, fallback: boolean): Promise<Attempt> => {
			const body = await error.text();
			const merged = new Headers(headers);
			for (const [name, value] of error.headers) merged.set(name, value);
			finish(error.status, body, "application/json");
			return { response: new Response(body, { status: error.status, headers: merged }), fallback };
		};
		const aborted = (): Attempt => {
			record.aborted = true;
			finish(499, "client closed request", "text/plain");
			return { response: new Response(null, { status: 499 }), fallback: false };
		};

		// Guardrails look at the prompt before anything reaches a provider.
		const guardrails = settings.guardrails;
		const blockedStatus = surface === "run" ? 422 : 424;
		if (containsWord(messages, guardrails?.promptBlockWords)) {
			const code =
				surface === "run" ? (guardrails?.runPromptCode ?? AIG.promptBlocked) : AIG.promptBlocked;
			return refuse(aiGatewayError(blockedStatus, code, PROMPT_BLOCKED), false);
		}
		// The gateway checks a third-party request against the model's schema before billing.
		if (request instanceof Response) return refuse(request, false);
		if (inference.thirdParty && settings.outOfCredits) {
			// Seen live on env.AI.run: no cf-aig-log-id header, although the refusal is logged.
			if (surface === "run") headers.delete("cf-aig-log-id");
			return refuse(outOfCredits(), true);
		}
		const fault =
			this.#takeFault("run", gatewayId) ??
			(inference.failureNames.some((name) => settings.failingModels.includes(name))
				? 500
				: undefined);
		if (fault) {
			if (fault === 402) {
				if (surface === "run") headers.delete("cf-aig-log-id");
				return refuse(outOfCredits(), true);
			}
			if (fault === 429) headers.set("retry-after", "2");
			return refuse(
				gatewayError(
					fault,
					WORKERS_AI_ERROR_CODES[fault] ?? 3043,
					`AiError: emulated failure (${fault})`,
				),
				true,
			);
		}

		try {
			const { responseDelayMs } = settings;
			const timeoutMs = gateway?.requestTimeoutMs;
			if (timeoutMs !== undefined && responseDelayMs > timeoutMs) {
				await sleep(timeoutMs, signal);
				return refuse(
					gatewayError(
						504,
						WORKERS_AI_ERROR_CODES[504] ?? 3046,
						"Request timed out: the provider did not answer in time",
					),
					true,
				);
			}
			await sleep(responseDelayMs, signal);
		} catch {
			return aborted();
		}

		const allTokens = tokenize(emulatedAnswer(inference.answerModel, messages));
		const tokens = allTokens.slice(0, request.maxTokens);
		const answer = {
			id: logId,
			model: inference.answerModel,
			text: tokens.join(""),
			tokens,
			usage: usageOf(countTokens(messages), tokens.length),
			truncated: tokens.length < allTokens.length,
			includeUsage: request.includeUsage,
		};
		// Responses are evaluated when the gateway has response rules. A stream is then buffered
		// into one JSON payload, except on env.AI.run set to "unenforced".
		const evaluated = guardrails?.responseBlockWords !== undefined;
		const buffered =
			evaluated &&
			request.stream &&
			(surface === "gateway" || guardrails?.runStreaming !== "unenforced");
		let hold = this.#takeHold(gatewayId);
		if (hold?.part === "response") {
			try {
				await untilReleased(hold.promise, signal);
			} catch {
				return aborted();
			}
			hold = undefined;
		}

		if (request.stream && !buffered) {
			headers.set("content-type", "text/event-stream");
			const events = streamEvents(shape, answer);
			let index = 0;
			let sent = "";
			let tokensSent = 0;
			const body = new ReadableStream<Uint8Array>({
				async pull(controller) {
					const next = events[index++];
					try {
						if (index === 1 && hold) await untilReleased(hold.promise, signal);
						if (next?.isToken) await sleep(settings.tokenDelayMs, signal);
					} catch (reason) {
						record.aborted = true;
						finish(499, sent, "text/event-stream", tokensSent);
						controller.error(reason);
						return;
					}
					if (!next) {
						controller.close();
						finish(200, sent, "text/event-stream", tokensSent);
						return;
					}
					if (next.isToken) {
						if (
							settings.streamFailureAfterTokens !== null &&
							tokensSent >= settings.streamFailureAfterTokens
						) {
							finish(500, sent, "text/event-stream", tokensSent);
							controller.error(new Error("emulated upstream failure mid-stream"));
							return;
						}
						tokensSent++;
					}
					const event = formatEvent(next);
					sent += event;
					controller.enqueue(encoder.encode(event));
				},
				cancel() {
					record.aborted = true;
					finish(499, sent, "text/event-stream", tokensSent);
				},
			});
			return { response: new Response(body, { status: 200, headers }), fallback: false };
		}

		try {
			await sleep(settings.tokenDelayMs * tokens.length, signal);
		} catch {
			return aborted();
		}
		if (evaluated && containsText(answer.text, guardrails?.responseBlockWords)) {
			return refuse(aiGatewayError(blockedStatus, AIG.responseBlocked, RESPONSE_BLOCKED), false);
		}
		const result = jsonAnswer(shape, answer);
		const json = JSON.stringify(
			inference.restEnvelope ? { result, success: true, errors: [], messages: [] } : result,
		);
		headers.set("content-type", "application/json");
		if (!hold) {
			finish(200, json, "application/json", tokens.length);
			return { response: new Response(json, { status: 200, headers }), fallback: false };
		}
		const body = new ReadableStream<Uint8Array>({
			async pull(controller) {
				try {
					await untilReleased(hold.promise, signal);
				} catch (reason) {
					record.aborted = true;
					finish(499, "", "application/json");
					controller.error(reason);
					return;
				}
				controller.enqueue(encoder.encode(json));
				controller.close();
				finish(200, json, "application/json", tokens.length);
			},
			cancel() {
				record.aborted = true;
				finish(499, "", "application/json");
			},
		});
		return { response: new Response(body, { status: 200, headers }), fallback: false };
	}

	/** The Logs API's refusals for this gateway, if it has no legacy Logs API. */
	#logsRefusal(c: Context, gatewayId: string): Response | undefined {
		const { serviceDown, logsApi } = this.settingsFor(gatewayId);
		if (serviceDown) return serviceDownPage();
		if (logsApi === "unsupported")
			// The Cloudflare API's answer to a method on a URI it does not serve (seen verbatim elsewhere in the API).
			return Response.json(
				{
					result: null,
					success: false,
					errors: [{ code: 7001, message: `${c.req.method} not supported for requested URI.` }],
					messages: [],
				},
				{ status: 405 },
			);
		if (logsApi === "not-found") return gatewayError(404, 7002, "Not Found");
		return undefined;
	}

	#getLog(c: Context): Response {
		const gatewayId = c.req.param("gateway") ?? "";
		const refusal = this.#logsRefusal(c, gatewayId);
		if (refusal) return refusal;
		const fault = this.#takeFault("getLog", gatewayId);
		if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
		const log = this.logs.find(gatewayId, c.req.param("logId") ?? "");
		if (!log) return gatewayError(404, 7002, "Not Found");
		return Response.json({ success: true, result: log });
	}

	async #patchLog(c: Context): Promise<Response> {
		const gatewayId = c.req.param("gateway") ?? "";
		const refusal = this.#logsRefusal(c, gatewayId);
		if (refusal) return refusal;
		const fault = this.#takeFault("patchLog", gatewayId);
		if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
		let patch: unknown;
		try {
			patch = await c.req.json();
		} catch {
			return gatewayError(400, 7001, "Invalid JSON body");
		}
		const problem = patchProblem(patch);
		if (problem) return gatewayError(400, 7001, problem);
		const found = this.logs.patch(
			gatewayId,
			c.req.param("logId") ?? "",
			patch as never,
			this.settingsFor(gatewayId).patchMode,
		);
		if (!found) return gatewayError(404, 7002, "Not Found");
		return Response.json({ success: true, result: null });
	}

	#getUrl(c: Context): Response {
		const gatewayId = c.req.param("gateway") ?? "";
		const settings = this.settingsFor(gatewayId);
		if (settings.serviceDown) return serviceDownPage();
		const fault = this.#takeFault("getUrl", gatewayId);
		if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
		const provider = c.req.param("provider") ?? "universal";
		const base = `https://gateway.ai.cloudflare.com/v1/${settings.accountId}/${gatewayId}`;
		return Response.json({
			success: true,
			result: { url: provider === "universal" ? base : `${base}/${provider}` },
		});
	}
}

interface UniversalRequest {
	provider: string;
	endpoint: string;
	headers?: Record<string, unknown>;
	query?: unknown;
}

/** `options.gateway` of `env.AI.run`, as the binding sends it. */
interface RunGatewayOptions {
	id?: string;
	metadata?: Metadata;
	requestTimeoutMs?: number;
	collectLog?: boolean;
}

/** The gateway a request goes through, with its per-request options. */
interface GatewayContext {
	id: string;
	metadata?: Metadata;
	requestTimeoutMs?: number;
	/** `collectLog: false` / `cf-aig-collect-log: false`: no log is kept. */
	collectLog: boolean;
	/** `cf-aig-collect-log-payload: false`: the log keeps no bodies. */
	collectPayload: boolean;
}

/**
 * Options from `options.gateway` (env.AI.run) or `cf-aig-*` headers (the universal
 * endpoint, and `extraHeaders` of either call); an option wins over a header.
 */
function gatewayContext(id: string, headers: Headers, options?: RunGatewayOptions): GatewayContext {
	const flag = (name: string) => {
		const value = headers.get(name)?.trim().toLowerCase();
		return value === "true" ? true : value === "false" ? false : undefined;
	};
	const metadataHeader = headers.get("cf-aig-metadata");
	const timeoutHeader = headers.get("cf-aig-request-timeout");
	let metadata = options?.metadata;
	if (metadata === undefined && metadataHeader) {
		try {
			metadata = JSON.parse(metadataHeader) as Metadata;
		} catch {
			metadata = undefined;
		}
	}
	return {
		id,
		metadata,
		requestTimeoutMs:
			options?.requestTimeoutMs ?? (timeoutHeader ? Number(timeoutHeader) : undefined),
		collectLog: options?.collectLog ?? flag("cf-aig-collect-log") ?? true,
		collectPayload: flag("cf-aig-collect-log-payload") ?? true,
	};
}

interface CompatPlan {
	/** The dynamic route's name, if the request named one. */
	route?: string;
	/** The split branch taken (index), or null when the route has no split. */
	branch?: number | null;
	/** The models as named in the route or request, in order. */
	names: string[];
	models: ModelRef[];
}

interface Inference {
	/** The model as the run record names it. */
	model: string;
	/** The model as the answer names it. */
	answerModel: string;
	shape: OutputShape;
	/** The parsed request, or the error its validation gave (logged, not served). */
	request: ChatRequest | Response;
	inputs: Record<string, unknown>;
	options: Record<string, unknown>;
	gateway: GatewayContext | null;
	requestBody: string;
	signal: AbortSignal;
	/** Answer JSON in the REST API's `{ result }` envelope (universal workers-ai requests). */
	restEnvelope: boolean;
	/** `run` (env.AI.run) or `gateway` (the universal endpoint): Guardrails answer differently. */
	surface: "run" | "gateway";
	/** Billed through Unified Billing, so `outOfCredits` applies. */
	thirdParty: boolean;
	/** Names `failingModels` is matched against. */
	failureNames: string[];
	log: { provider: string; model: string; path: string; requestType: string; step: number };
}

interface Attempt {
	response: Response;
	/** A failure the next step of a route or universal request may stand in for. */
	fallback: boolean;
}

interface Hold {
	id: string;
	part: HoldPart;
	promise: Promise<void>;
	release: () => void;
}

const faultKey = (gatewayId: string, target: FaultTarget) => `${gatewayId}\u0000${target}`;
const randomKey = (gatewayId: string, purpose: string) => `${gatewayId}\u0000${purpose}`;

function containsText(text: string, words: readonly string[] | undefined): boolean {
	if (!words?.length) return false;
	const lower = text.toLowerCase();
	return words.some((word) => word !== "" && lower.includes(word.toLowerCase()));
}

function containsWord(messages: readonly ChatMessage[], words: readonly string[] | undefined) {
	return messages.some((message) => containsText(message.content, words));
}

/** mulberry32: a small deterministic generator, so a failure pattern can be replayed. */
export function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Checks a patchLog body the way the gateway documents it. */
function patchProblem(patch: unknown): string | undefined {
	if (typeof patch !== "object" || patch === null || Array.isArray(patch))
		return "body must be an object";
	const { feedback, score, metadata } = patch as Record<string, unknown>;
	if (
		feedback !== undefined &&
		feedback !== null &&
		feedback !== -1 &&
		feedback !== 0 &&
		feedback !== 1
	) {
		return "feedback must be -1, 0, 1 or null";
	}
	if (
		score !== undefined &&
		score !== null &&
		!(typeof score === "number" && score >= 0 && score <= 100)
	) {
		return "score must be between 0 and 100";
	}
	if (metadata !== undefined && metadata !== null) {
		if (typeof metadata !== "object" || Array.isArray(metadata))
			return "metadata must be an object";
		for (const value of Object.values(metadata)) {
			if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
				return "metadata values must be strings, numbers or booleans";
			}
		}
	}
	return undefined;
}

/** Like fetch, a response body stops when the caller's signal aborts. */
function untilReleased(hold: Promise<void>, signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise((resolve, reject) => {
		signal.addEventListener("abort", () => reject(signal.reason), { once: true });
		hold.then(resolve);
	});
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.reject(signal.reason);
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			signal?.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener("abort", onAbort, { once: true });
	});
}

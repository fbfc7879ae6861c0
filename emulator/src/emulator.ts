import { type Context, Hono } from "hono";
import {
	type ChatMessage,
	countTokens,
	emulatedAnswer,
	jsonAnswer,
	outputShapeOf,
	streamChunk,
	streamEpilogue,
	streamPreamble,
	tokenize,
	usageOf,
} from "./answers.ts";
import { type LogPersistence, LogStore, type Metadata } from "./log-store.ts";
import { uuidv7 } from "./uuid.ts";

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
	/** Models whose every inference fails with a 500, directly or as a universal-request step. */
	failingModels: string[];
	/** Share (0 to 1) of patchLog calls that fail with a 500, drawn from a seeded generator. */
	patchLogFailureRate: number;
	/** Seed of that generator, so a failing run can be replayed. */
	seed: number;
	/** Logs and run records kept in memory (oldest dropped first), so long runs stay bounded. */
	maxRecords: number;
}

export const DEFAULT_SETTINGS: EmulatorSettings = {
	tokenDelayMs: 0,
	responseDelayMs: 0,
	logVisibilityDelayMs: 0,
	streamFailureAfterTokens: null,
	accountId: "emulated-account",
	failingModels: [],
	patchLogFailureRate: 0,
	seed: 1,
	maxRecords: Number.POSITIVE_INFINITY,
};

/** Faults and holds that apply to any gateway. */
const ANY_GATEWAY = "*";

/** Calls of the binding that can be made to fail. */
export type FaultTarget = "run" | "getLog" | "patchLog" | "getUrl";
export type FaultStatus = 400 | 401 | 404 | 429 | 500 | 502 | 503 | 504;
/**
 * What a hold keeps back: the body (the headers, with the log id, go out at once)
 * or the whole response.
 */
export type HoldPart = "body" | "response";

/** What the emulator saw of one `run` call, for assertions. */
export interface RunRecord {
	logId: string;
	gatewayId: string | null;
	model: string;
	inputs: Record<string, unknown>;
	options: Record<string, unknown>;
	status: number | null;
	/** The caller cancelled the inference (aborted the request or the body). */
	aborted: boolean;
	completed: boolean;
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

/**
 * An in-memory stand-in for the service behind the Workers AI binding
 * (`https://workers-binding.ai`): inference through a gateway as JSON or SSE
 * in both output shapes, and the gateway's getLog, patchLog and getUrl.
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

	/** Changes the settings of every gateway, or of one gateway only. */
	configure(settings: Partial<EmulatorSettings>, gatewayId?: string): this {
		if (gatewayId === undefined) {
			this.settings = { ...this.settings, ...settings };
		} else {
			this.#gatewaySettings.set(gatewayId, {
				...this.#gatewaySettings.get(gatewayId),
				...settings,
			});
			this.#random.delete(gatewayId);
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

	#takeFault(target: FaultTarget, gatewayId: string): FaultStatus | undefined {
		for (const key of [faultKey(gatewayId, target), faultKey(ANY_GATEWAY, target)]) {
			const queue = this.#faults.get(key);
			const fault = queue?.[0];
			if (!queue || !fault) continue;
			if (--fault.remaining <= 0) queue.shift();
			return fault.status;
		}
		if (target === "patchLog") {
			const { patchLogFailureRate, seed } = this.settingsFor(gatewayId);
			if (patchLogFailureRate > 0) {
				let random = this.#random.get(gatewayId);
				if (!random) {
					random = seededRandom(seed);
					this.#random.set(gatewayId, random);
				}
				if (random() < patchLogFailureRate) return 500;
			}
		}
		return undefined;
	}

	/** The switches over HTTP, mounted at /__emulator. */
	#controlApi(): Hono {
		return new Hono()
			.put("/gateways/:gateway/settings", async (c) => {
				this.configure(await c.req.json<Partial<EmulatorSettings>>(), c.req.param("gateway"));
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
		const gateway = (options.gateway ?? null) as {
			id?: string;
			metadata?: Metadata;
			requestTimeoutMs?: number;
		} | null;
		const messages = messagesOf(inputs);
		if (!model || !messages) return missingMessages();
		return this.#infer({
			model,
			inputs,
			options,
			messages,
			gateway,
			requestBody,
			signal: c.req.raw.signal,
			restEnvelope: false,
		});
	}

	/**
	 * AI Gateway's universal endpoint (`gateway.run([...])`): tries each
	 * request in order and answers with the first that succeeds, marking it
	 * with `cf-aig-step`. Only the workers-ai provider is emulated, answering
	 * in the REST API's `{ result }` envelope as the real one does.
	 */
	async #universal(c: Context): Promise<Response> {
		const gatewayId = c.req.param("gateway") ?? "";
		let steps: UniversalRequest[];
		try {
			const parsed = JSON.parse(await c.req.text()) as UniversalRequest | UniversalRequest[];
			steps = Array.isArray(parsed) ? parsed : [parsed];
		} catch {
			return gatewayError(400, 2001, "the request body is not JSON");
		}
		const metadataHeader = c.req.header("cf-aig-metadata");
		const timeoutHeader = c.req.header("cf-aig-request-timeout");
		const gateway = {
			id: gatewayId,
			metadata: metadataHeader ? (JSON.parse(metadataHeader) as Metadata) : undefined,
			requestTimeoutMs: timeoutHeader ? Number(timeoutHeader) : undefined,
		};
		const reasons: string[] = [];
		let lastStatus = 502;
		for (const [step, request] of steps.entries()) {
			const headers = Object.fromEntries(
				Object.entries(request.headers ?? {}).map(([key, value]) => [
					key.toLowerCase(),
					String(value),
				]),
			);
			const inputs = (request.query ?? {}) as Record<string, unknown>;
			const messages = messagesOf(inputs);
			let response: Response;
			if (request.provider !== "workers-ai") {
				response = gatewayError(400, 2008, `provider ${request.provider} is not emulated`);
			} else if (!/^Bearer \S+$/.test(headers.authorization ?? "")) {
				response = gatewayError(401, 10000, "Authentication error: Workers AI needs an API token");
			} else if (!messages) {
				response = missingMessages();
			} else {
				response = await this.#infer({
					model: request.endpoint,
					inputs,
					options: { universal: true, step },
					messages,
					gateway,
					requestBody: JSON.stringify(inputs),
					signal: c.req.raw.signal,
					restEnvelope: true,
				});
			}
			if (response.ok) {
				response.headers.set("cf-aig-step", String(step));
				return response;
			}
			lastStatus = response.status;
			const failure = (await response.json().catch(() => ({}))) as {
				errors?: { message?: string }[];
			};
			const reason = failure.errors?.[0]?.message ?? "";
			reasons.push(`step ${step} (${request.endpoint}): ${response.status} ${reason}`);
		}
		return Response.json(
			{ success: false, errors: reasons.map((message) => ({ code: 2005, message })) },
			{ status: lastStatus },
		);
	}

	/** One inference: its log, its faults, its latency, and the answer as JSON or SSE. */
	async #infer({
		model,
		inputs,
		options,
		messages,
		gateway,
		requestBody,
		signal,
		restEnvelope,
	}: Inference): Promise<Response> {
		const logId = uuidv7();
		const record: RunRecord = {
			logId,
			gatewayId: gateway?.id ?? null,
			model,
			inputs,
			options,
			status: null,
			aborted: false,
			completed: false,
		};
		this.runs.push(record);
		if (this.runs.length > this.settings.maxRecords) this.runs.shift();
		this.logs.trim(this.settings.maxRecords);
		const gatewayId = gateway?.id ?? "";
		const logged = gateway?.id !== undefined;
		const settings = this.settingsFor(gatewayId);
		const headers = new Headers({ "cf-ai-req-id": crypto.randomUUID() });
		if (logged) {
			headers.set("cf-aig-log-id", logId);
			headers.set("cf-aig-cache-status", "MISS");
			this.logs.create({
				id: logId,
				gatewayId,
				model,
				requestBody,
				metadata: gateway?.metadata ?? {},
				tokensIn: countTokens(messages),
				startedAt: Date.now(),
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
		const fail = (status: FaultStatus, message: string) => {
			const response = gatewayError(
				status,
				WORKERS_AI_ERROR_CODES[status] ?? 3043,
				message,
				headers,
			);
			finish(status, message, "application/json");
			return response;
		};

		const fault =
			this.#takeFault("run", gatewayId) ??
			(settings.failingModels.includes(model) ? 500 : undefined);
		if (fault) {
			if (fault === 429) headers.set("retry-after", "2");
			return fail(fault, `AiError: emulated failure (${fault})`);
		}

		try {
			const { responseDelayMs } = settings;
			const timeoutMs = gateway?.requestTimeoutMs;
			if (timeoutMs !== undefined && responseDelayMs > timeoutMs) {
				await sleep(timeoutMs, signal);
				return fail(504, "Request timed out: the provider did not answer in time");
			}
			await sleep(responseDelayMs, signal);
		} catch {
			record.aborted = true;
			finish(499, "client closed request", "text/plain");
			return new Response(null, { status: 499 });
		}

		const answer = emulatedAnswer(model, messages);
		const maxTokens = typeof inputs.max_tokens === "number" ? inputs.max_tokens : 256;
		const allTokens = tokenize(answer);
		const tokens = allTokens.slice(0, maxTokens);
		const truncated = tokens.length < allTokens.length;
		const text = tokens.join("");
		const usage = usageOf(countTokens(messages), tokens.length);
		const shape = outputShapeOf(model);
		let hold = this.#takeHold(gatewayId);
		if (hold?.part === "response") {
			try {
				await untilReleased(hold.promise, signal);
			} catch {
				record.aborted = true;
				finish(499, "client closed request", "text/plain");
				return new Response(null, { status: 499 });
			}
			hold = undefined;
		}

		if (inputs.stream === true) {
			headers.set("content-type", "text/event-stream");
			const events = [
				...streamPreamble(shape, logId, model).map((chunk) => ({ chunk, isToken: false })),
				...tokens.map((token) => ({
					chunk: streamChunk(shape, logId, model, token),
					isToken: true,
				})),
				...streamEpilogue(shape, { id: logId, model, usage, truncated }).map((chunk) => ({
					chunk,
					isToken: false,
				})),
			];
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
						const done = "data: [DONE]\n\n";
						sent += done;
						controller.enqueue(encoder.encode(done));
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
					const event = `data: ${JSON.stringify(next.chunk)}\n\n`;
					sent += event;
					controller.enqueue(encoder.encode(event));
				},
				cancel() {
					record.aborted = true;
					finish(499, sent, "text/event-stream", tokensSent);
				},
			});
			return new Response(body, { status: 200, headers });
		}

		try {
			await sleep(settings.tokenDelayMs * tokens.length, signal);
		} catch {
			record.aborted = true;
			finish(499, "client closed request", "text/plain");
			return new Response(null, { status: 499 });
		}
		const result = jsonAnswer(shape, { id: logId, model, text, usage, truncated });
		const json = JSON.stringify(
			restEnvelope ? { result, success: true, errors: [], messages: [] } : result,
		);
		headers.set("content-type", "application/json");
		if (!hold) {
			finish(200, json, "application/json", tokens.length);
			return new Response(json, { status: 200, headers });
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
		return new Response(body, { status: 200, headers });
	}

	#getLog(c: Context): Response {
		const fault = this.#takeFault("getLog", c.req.param("gateway") ?? "");
		if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
		const log = this.logs.find(c.req.param("gateway") ?? "", c.req.param("logId") ?? "");
		if (!log) return gatewayError(404, 7002, "Not Found");
		return Response.json({ success: true, result: log });
	}

	async #patchLog(c: Context): Promise<Response> {
		const fault = this.#takeFault("patchLog", c.req.param("gateway") ?? "");
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
			c.req.param("gateway") ?? "",
			c.req.param("logId") ?? "",
			patch as never,
		);
		if (!found) return gatewayError(404, 7002, "Not Found");
		return Response.json({ success: true, result: null });
	}

	#getUrl(c: Context): Response {
		const gatewayId = c.req.param("gateway") ?? "";
		const fault = this.#takeFault("getUrl", gatewayId);
		if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
		const provider = c.req.param("provider") ?? "universal";
		const { accountId } = this.settingsFor(gatewayId);
		const base = `https://gateway.ai.cloudflare.com/v1/${accountId}/${gatewayId}`;
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

interface Inference {
	model: string;
	inputs: Record<string, unknown>;
	options: Record<string, unknown>;
	messages: ChatMessage[];
	gateway: { id?: string; metadata?: Metadata; requestTimeoutMs?: number } | null;
	requestBody: string;
	signal: AbortSignal;
	/** Answer JSON in the REST API's `{ result }` envelope (universal requests). */
	restEnvelope: boolean;
}

const missingMessages = () =>
	gatewayError(400, 5006, "Error: oneOf at '/' not all met: 'messages' or 'prompt' is required");

interface Hold {
	id: string;
	part: HoldPart;
	promise: Promise<void>;
	release: () => void;
}

const faultKey = (gatewayId: string, target: FaultTarget) => `${gatewayId}\u0000${target}`;

/** mulberry32: a small deterministic generator, so a failure pattern can be replayed. */
function seededRandom(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function messagesOf(inputs: Record<string, unknown>): ChatMessage[] | null {
	if (Array.isArray(inputs.messages)) {
		const valid = inputs.messages.every(
			(message) => typeof message?.role === "string" && typeof message?.content === "string",
		);
		return valid ? (inputs.messages as ChatMessage[]) : null;
	}
	if (typeof inputs.prompt === "string") return [{ role: "user", content: inputs.prompt }];
	return null;
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

function gatewayError(status: number, code: number, message: string, headers?: Headers): Response {
	const response = Response.json(
		{ success: false, errors: [{ code, message }] },
		{ status, headers },
	);
	return response;
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

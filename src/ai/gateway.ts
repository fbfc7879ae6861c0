/**
 * The one module that talks to the AI binding. Routes call these functions;
 * every binding failure leaves here as an ApiError with a stable code.
 */

import { aiTimeoutMs } from "../lib/config";
import { ApiError } from "../lib/errors";
import type { ChatRequest } from "../lib/schemas";
import { aiThrough } from "./binding";
import { answerText, chunkFinishReason, type Usage, usageOf } from "./model-output";

export interface ChatInput {
	model: string;
	messages: ChatRequest["messages"];
	max_tokens?: number;
	temperature?: number;
	top_p?: number;
	stop?: string[];
	/** Which API asked; stored on the gateway log. */
	route: "api/chat" | "v1/chat/completions";
	/** The caller's end-user id (OpenAI's `user`), stored on the gateway log. */
	user?: string;
}

const DEADLINE_GRACE_MS = 1000;

export interface ChatAnswer {
	/** The model that answered: the requested one, or a fallback. */
	model: string;
	response: string;
	logId: string | null;
	cached: boolean;
	usage?: Usage;
	finishReason: string;
}

export interface ChatStream {
	model: string;
	body: ReadableStream<Uint8Array>;
	logId: string | null;
}

/** A complete answer. The log id comes from this call's own response, never from the shared binding. */
export async function completeChat(
	env: Cloudflare.Env,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatAnswer> {
	// The deadline covers the whole answer. Native timer and signals: this runs on every request.
	const callSignal = AbortSignal.any([signal, AbortSignal.timeout(deadlineMs(env))]);
	const { res, model } = await runWithFallback(env, input, false, callSignal);
	let body: unknown;
	try {
		// The signal also aborts the body read, so a body that never comes ends at the deadline.
		body = await res.json();
	} catch (err) {
		throw upstreamFailure("the model's answer was not JSON", err, callSignal);
	}
	return {
		model,
		response: answerText(body),
		logId: res.headers.get("cf-aig-log-id"),
		cached: res.headers.get("cf-aig-cache-status")?.toUpperCase() === "HIT",
		usage: usageOf(body),
		finishReason: chunkFinishReason(body) ?? "stop",
	};
}

/** The model's SSE stream, once its headers have arrived. */
export async function streamChat(
	env: Cloudflare.Env,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatStream> {
	// The deadline covers the wait for the first byte only; a long answer may take its time,
	// so it is a timer that stops once the headers are in.
	const deadline = new AbortController();
	const timer = setTimeout(
		() => deadline.abort(new DOMException("AI call timed out", "TimeoutError")),
		deadlineMs(env),
	);
	try {
		const callSignal = AbortSignal.any([signal, deadline.signal]);
		const { res, model } = await runWithFallback(env, input, true, callSignal);
		if (!res.body) throw upstreamFailure("the stream had no body");
		return { model, body: res.body, logId: res.headers.get("cf-aig-log-id") };
	} finally {
		clearTimeout(timer);
	}
}

/** Input fields the models take, the same for the binding and universal requests. */
const modelInputs = (input: ChatInput, stream: boolean) => ({
	messages: input.messages,
	max_tokens: input.max_tokens,
	temperature: input.temperature,
	top_p: input.top_p,
	stop: input.stop,
	stream,
});

// At most 2 entries: a vote adds 3, and the gateway keeps 5.
const runMetadata = (input: ChatInput): Record<string, string> =>
	input.user ? { route: input.route, user: input.user } : { route: input.route };

/**
 * Runs the requested model. When it fails in a way another model could fix
 * (429, 5xx, timeout) and FALLBACK_MODELS and CF_API_TOKEN are set, sends one
 * universal request through the gateway with the requested model first and
 * the fallbacks after it: AI Gateway tries them in order.
 */
async function runWithFallback(
	env: Cloudflare.Env,
	input: ChatInput,
	stream: boolean,
	signal: AbortSignal,
): Promise<{ res: Response; model: string }> {
	try {
		return { res: await runRaw(env, input, stream, signal), model: input.model };
	} catch (err) {
		const fallbacks = fallbackModels(env, input.model);
		const token = env.CF_API_TOKEN?.trim();
		const recoverable = err instanceof ApiError && (err.status === 429 || err.status >= 500);
		if (!recoverable || fallbacks.length === 0 || !token || signal.aborted) throw err;
		return runUniversal(env, input, [input.model, ...fallbacks], stream, signal, token);
	}
}

function fallbackModels(env: Cloudflare.Env, primary: string): string[] {
	return (env.FALLBACK_MODELS ?? "")
		.split(",")
		.map((model) => model.trim())
		.filter((model) => model && model !== primary);
}

async function runUniversal(
	env: Cloudflare.Env,
	input: ChatInput,
	models: string[],
	stream: boolean,
	signal: AbortSignal,
	token: string,
): Promise<{ res: Response; model: string }> {
	const query = modelInputs(input, stream);
	let res: Response;
	try {
		res = await env.AI.gateway(env.AI_GATEWAY_ID).run(
			models.map((model) => ({
				provider: "workers-ai",
				endpoint: model,
				headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
				query,
			})),
			{
				gateway: {
					id: env.AI_GATEWAY_ID,
					metadata: runMetadata(input),
					requestTimeoutMs: aiTimeoutMs(env),
				},
				signal,
			},
		);
	} catch (err) {
		throw upstreamFailure("the fallback request failed", err, signal);
	}
	if (!res.ok) {
		if (signal.aborted) throw upstreamFailure("the call was aborted", undefined, signal);
		// Every step failed: each step's reason goes to the log, a clean 502 to the client.
		for (const detail of await upstreamErrorDetails(res)) {
			logUpstream(`fallback step failed (the gateway answered ${res.status})`, detail);
		}
		throw new ApiError(502, "upstream_error", "The AI service failed to answer");
	}
	const step = Number(res.headers.get("cf-aig-step") ?? 0);
	return { res, model: models[step] ?? input.model };
}

async function runRaw(
	env: Cloudflare.Env,
	input: ChatInput,
	stream: boolean,
	signal: AbortSignal,
): Promise<Response> {
	let res: Response;
	try {
		// A runtime model name is not one of the typed literals: widen the model list.
		res = await (env.AI as Ai<AiModelListType>).run(input.model, modelInputs(input, stream), {
			gateway: {
				id: env.AI_GATEWAY_ID,
				metadata: runMetadata(input),
				requestTimeoutMs: aiTimeoutMs(env),
			},
			// Read the log id from this call's own headers: `env.AI.aiGatewayLogId`
			// is shared by every request in the isolate and races.
			returnRawResponse: true,
			signal,
		});
	} catch (err) {
		throw upstreamFailure("the AI binding call failed", err, signal);
	}
	if (!res.ok) {
		if (signal.aborted) throw upstreamFailure("the call was aborted", undefined, signal);
		throw await upstreamStatusError(res);
	}
	return res;
}

/**
 * The Worker's own deadline: the gateway gets AI_TIMEOUT_MS and normally reports
 * a timeout first (and logs it); this backstop comes a little later.
 */
const deadlineMs = (env: Cloudflare.Env) => aiTimeoutMs(env) + DEADLINE_GRACE_MS;

function upstreamFailure(what: string, cause?: unknown, signal?: AbortSignal): ApiError {
	if (signal?.aborted) {
		const reason: unknown = signal.reason;
		if (reason instanceof DOMException && reason.name === "TimeoutError") {
			return new ApiError(504, "upstream_timeout", "The model did not answer in time", { cause });
		}
		// Otherwise the client left: nobody reads this answer, so do not log it as a failure.
	} else {
		logUpstream(what, cause);
	}
	return new ApiError(502, "upstream_error", "The AI service failed to answer", { cause });
}

/** Maps a non-2xx answer of the binding to this API's errors; details go to the log only. */
async function upstreamStatusError(res: Response): Promise<ApiError> {
	const detail = await upstreamErrorDetail(res);
	logUpstream(`the AI service answered ${res.status}`, detail);
	switch (res.status) {
		case 400:
		case 413:
		case 422:
			return new ApiError(400, "invalid_request", "The model rejected the request");
		case 408:
		case 504:
			return new ApiError(504, "upstream_timeout", "The model did not answer in time");
		case 429:
			return new ApiError(429, "rate_limited", "The AI service is rate limiting; retry later", {
				headers: { "Retry-After": retryAfter(res) },
			});
		default:
			return new ApiError(502, "upstream_error", "The AI service failed to answer");
	}
}

async function upstreamErrorDetail(res: Response): Promise<string> {
	return (await upstreamErrorDetails(res))[0] ?? "";
}

/** Every error the upstream reported, as "code: message" (a universal request has one per step). */
async function upstreamErrorDetails(res: Response): Promise<string[]> {
	const text = await res.text().catch(() => "");
	try {
		const parsed = JSON.parse(text) as {
			internalCode?: number;
			description?: string;
			errors?: { code?: number; message?: string }[];
		};
		if (parsed.internalCode) return [`${parsed.internalCode}: ${parsed.description}`];
		const errors = (parsed.errors ?? []).map((error) => `${error.code}: ${error.message}`);
		if (errors.length > 0) return errors;
	} catch {
		// Not JSON: keep the start of the text.
	}
	return [text.slice(0, 200)];
}

function retryAfter(res: Response): string {
	const value = res.headers.get("retry-after");
	return value && /^\d{1,6}$/.test(value) ? value : "1";
}

/** Only well-known fields are logged: prompts and secrets never reach the logs. */
function logUpstream(what: string, cause: unknown): void {
	const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause ?? "");
	console.error(JSON.stringify({ message: what, detail: detail.slice(0, 300) }));
}

// --- Gateway logs -----------------------------------------------------------------

export type Vote = "up" | "down" | "clear";

export interface FeedbackPatch {
	vote: Vote;
	score?: number;
	comment?: string;
}

/** What one delivery attempt came to; `retry` says whether trying again can help. */
export type DeliveryOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/**
 * One attempt to put a vote on its gateway log with `patchLog`. "clear"
 * withdraws the vote (the gateway's "not evaluated"). Never throws: the
 * caller decides on retries from the outcome.
 */
export async function patchFeedback(
	env: Cloudflare.Env,
	gatewayId: string,
	logId: string,
	{ vote, score, comment }: FeedbackPatch,
): Promise<DeliveryOutcome> {
	// Every field is sent, even when empty: whether the gateway merges a patch into the log or
	// replaces it is undocumented, and an earlier vote's score or comment must not survive.
	const cleared = vote === "clear";
	const patch: AiGatewayPatchLog = {
		feedback: cleared ? null : vote === "up" ? 1 : -1,
		score: cleared ? null : (score ?? null),
		metadata: { vote, rated_at: new Date().toISOString(), comment: cleared ? "" : (comment ?? "") },
	};

	// The binding's errors do not carry the HTTP status, which decides whether a retry can
	// help: watch it on the way through (same runtime classes, same wire protocol).
	let status: number | undefined;
	const ai = env.AI as Ai & { fetch?: typeof fetch };
	const fetcher = ai.fetch && {
		fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
			const response = await (ai.fetch as typeof fetch)(input, init);
			status = response.status;
			return response;
		},
	};
	const gateway = fetcher
		? aiThrough(env.AI, fetcher as Fetcher).gateway(gatewayId)
		: env.AI.gateway(gatewayId);
	try {
		await gateway.patchLog(logId, patch);
		return { ok: true };
	} catch (err) {
		if (isLogNotFound(err))
			return { ok: false, retry: true, reason: "the gateway has not written the log yet" };
		logUpstream("patchLog failed", err);
		if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
			return { ok: false, retry: false, reason: `the gateway rejected the vote (${status})` };
		}
		return { ok: false, retry: true, reason: `the gateway failed (${status ?? "no answer"})` };
	}
}

/** Providers whose gateway URL GET /api/gateway always lists. */
const URL_PROVIDERS = ["workers-ai", "openai", "anthropic"];

export interface GatewayUrls {
	gatewayId: string;
	universalUrl: string;
	providers: Record<string, string>;
}

/** The gateway's universal URL and its provider URLs, from `gateway.getUrl`. */
export async function gatewayUrls(env: Cloudflare.Env): Promise<GatewayUrls> {
	const extra = (env.GATEWAY_URL_PROVIDERS ?? "")
		.split(",")
		.map((name) => name.trim())
		.filter((name) => /^[a-z0-9-]{1,64}$/.test(name));
	const providers = [...new Set([...URL_PROVIDERS, ...extra])];
	const gateway = env.AI.gateway(env.AI_GATEWAY_ID);
	try {
		const [universalUrl, ...urls] = await Promise.all([
			gateway.getUrl(),
			...providers.map((provider) => gateway.getUrl(provider)),
		]);
		return {
			gatewayId: env.AI_GATEWAY_ID,
			universalUrl: universalUrl ?? "",
			providers: Object.fromEntries(providers.map((provider, i) => [provider, urls[i] ?? ""])),
		};
	} catch (err) {
		throw gatewayLogError(err);
	}
}

export async function readLog(env: Cloudflare.Env, logId: string): Promise<AiGatewayLog> {
	try {
		return await env.AI.gateway(env.AI_GATEWAY_ID).getLog(logId);
	} catch (err) {
		if (isLogNotFound(err)) throw new ApiError(404, "log_not_found", "No gateway log has this id");
		throw gatewayLogError(err);
	}
}

function isLogNotFound(err: unknown): boolean {
	return err instanceof Error && err.name === "AiGatewayLogNotFound";
}

function gatewayLogError(err: unknown): ApiError {
	logUpstream("the gateway call failed", err);
	return new ApiError(502, "upstream_error", "The AI Gateway failed to answer", { cause: err });
}

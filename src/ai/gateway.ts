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
	response: string;
	logId: string | null;
	cached: boolean;
	usage?: Usage;
	finishReason: string;
}

export interface ChatStream {
	body: ReadableStream<Uint8Array>;
	logId: string | null;
}

/** A complete answer. The log id comes from this call's own response, never from the shared binding. */
export async function completeChat(
	env: Cloudflare.Env,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatAnswer> {
	return withDeadline(env, signal, async (callSignal) => {
		const res = await runRaw(env, input, false, callSignal);
		let body: unknown;
		try {
			body = await abortable(res.json(), callSignal);
		} catch (err) {
			res.body?.cancel().catch(() => {});
			throw upstreamFailure("the model's answer was not JSON", err, callSignal);
		}
		return {
			response: answerText(body),
			logId: res.headers.get("cf-aig-log-id"),
			cached: res.headers.get("cf-aig-cache-status")?.toUpperCase() === "HIT",
			usage: usageOf(body),
			finishReason: chunkFinishReason(body) ?? "stop",
		};
	});
}

/** The model's SSE stream, once its headers have arrived. */
export async function streamChat(
	env: Cloudflare.Env,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatStream> {
	// The deadline covers the wait for the first byte only; a long answer may take its time.
	return withDeadline(env, signal, async (callSignal) => {
		const res = await runRaw(env, input, true, callSignal);
		if (!res.body) throw upstreamFailure("the stream had no body");
		return { body: res.body, logId: res.headers.get("cf-aig-log-id") };
	});
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
		res = await (env.AI as Ai<AiModelListType>).run(
			input.model,
			{
				messages: input.messages,
				max_tokens: input.max_tokens,
				temperature: input.temperature,
				top_p: input.top_p,
				stop: input.stop,
				stream,
			},
			{
				gateway: {
					id: env.AI_GATEWAY_ID,
					// At most 2 entries: a vote adds 3, and the gateway keeps 5.
					metadata: input.user ? { route: input.route, user: input.user } : { route: input.route },
					requestTimeoutMs: aiTimeoutMs(env),
				},
				// Read the log id from this call's own headers: `env.AI.aiGatewayLogId`
				// is shared by every request in the isolate and races.
				returnRawResponse: true,
				signal,
			},
		);
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
 * Runs `call` with a signal that aborts when the client leaves or the
 * deadline passes. The gateway gets the same timeout and normally reports it
 * first (and logs it); this deadline, a little later, is the backstop.
 */
async function withDeadline<T>(
	env: Cloudflare.Env,
	clientSignal: AbortSignal,
	call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
	const controller = new AbortController();
	const abort = () => controller.abort(clientSignal.reason);
	clientSignal.addEventListener("abort", abort);
	const timer = setTimeout(
		() => controller.abort(new DOMException("AI call timed out", "TimeoutError")),
		aiTimeoutMs(env) + DEADLINE_GRACE_MS,
	);
	try {
		return await call(controller.signal);
	} finally {
		clearTimeout(timer);
		// Streams keep following the client: a client that leaves cancels the body read instead.
		clientSignal.removeEventListener("abort", abort);
	}
}

/** Settles with `promise`, or rejects as soon as `signal` aborts, whichever comes first. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise<T>((resolve, reject) => {
		const onAbort = () => reject(signal.reason);
		signal.addEventListener("abort", onAbort, { once: true });
		promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
	});
}

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
	const text = await res.text().catch(() => "");
	try {
		const parsed = JSON.parse(text) as {
			internalCode?: number;
			description?: string;
			errors?: { code?: number; message?: string }[];
		};
		if (parsed.internalCode) return `${parsed.internalCode}: ${parsed.description}`;
		const [first] = parsed.errors ?? [];
		if (first) return `${first.code}: ${first.message}`;
	} catch {
		// Not JSON: keep the start of the text.
	}
	return text.slice(0, 200);
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
	const metadata: Record<string, string> = { vote, rated_at: new Date().toISOString() };
	if (comment) metadata.comment = comment;
	const patch: AiGatewayPatchLog =
		vote === "clear"
			? { feedback: null, score: null, metadata }
			: { feedback: vote === "up" ? 1 : -1, metadata, ...(score !== undefined && { score }) };

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
	logUpstream("the gateway log call failed", err);
	return new ApiError(502, "upstream_error", "The AI Gateway failed to answer", { cause: err });
}

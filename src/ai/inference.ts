/**
 * Chat inference through the AI binding and the named gateway, with fallback models.
 * The log id always comes from the call's own response, never from the shared binding.
 */

import type { Config } from "../lib/config";
import { ApiError } from "../lib/errors";
import type { ChatMessage } from "../lib/schemas";
import { aiBinding } from "./binding";
import { answerText, chunkFinishReason, type Usage, usageOf } from "./model-output";
import {
	logUpstream,
	upstreamErrorDetails,
	upstreamFailure,
	upstreamStatusError,
} from "./upstream-errors";

export interface ChatInput {
	model: string;
	messages: ChatMessage[];
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

interface Call {
	env: Cloudflare.Env;
	config: Config;
	input: ChatInput;
	stream: boolean;
	signal: AbortSignal;
}

/** A complete answer. */
export async function completeChat(
	env: Cloudflare.Env,
	config: Config,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatAnswer> {
	// The deadline covers the whole answer. Native timer and signals: this runs on every request.
	const callSignal = AbortSignal.any([signal, AbortSignal.timeout(deadlineMs(config))]);
	const { res, model } = await runWithFallback({
		env,
		config,
		input,
		stream: false,
		signal: callSignal,
	});
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
	config: Config,
	input: ChatInput,
	signal: AbortSignal,
): Promise<ChatStream> {
	// The deadline covers the wait for the first byte only; a long answer may take its time,
	// so it is a timer that stops once the headers are in.
	const deadline = new AbortController();
	const timer = setTimeout(
		() => deadline.abort(new DOMException("AI call timed out", "TimeoutError")),
		deadlineMs(config),
	);
	try {
		const callSignal = AbortSignal.any([signal, deadline.signal]);
		const { res, model } = await runWithFallback({
			env,
			config,
			input,
			stream: true,
			signal: callSignal,
		});
		if (!res.body) throw upstreamFailure("the stream had no body");
		return { model, body: res.body, logId: res.headers.get("cf-aig-log-id") };
	} finally {
		clearTimeout(timer);
	}
}

/** Input fields the models take, the same for the binding and universal requests. */
const modelInputs = ({ input, stream }: Call) => ({
	messages: input.messages,
	max_tokens: input.max_tokens,
	temperature: input.temperature,
	top_p: input.top_p,
	stop: input.stop,
	stream,
});

/** The gateway options of a call. Metadata has at most 2 entries: a vote adds 3, the gateway keeps 5. */
const gatewayOptions = ({ config, input }: Call): GatewayOptions => {
	const metadata: Record<string, string> = { route: input.route };
	if (input.user) metadata.user = input.user;
	return { id: config.gatewayId, metadata, requestTimeoutMs: config.aiTimeoutMs };
};

/**
 * Runs the requested model. When it fails in a way another model could fix
 * (429, 5xx, timeout) and FALLBACK_MODELS and CF_API_TOKEN are set, sends one
 * universal request through the gateway with the requested model first and
 * the fallbacks after it: AI Gateway tries them in order.
 */
async function runWithFallback(call: Call): Promise<{ res: Response; model: string }> {
	try {
		return { res: await runRaw(call), model: call.input.model };
	} catch (err) {
		const { config, input, signal } = call;
		const fallbacks = config.fallbackModels.filter((model) => model !== input.model);
		const recoverable = err instanceof ApiError && (err.status === 429 || err.status >= 500);
		if (!recoverable || fallbacks.length === 0 || !config.cfApiToken || signal.aborted) throw err;
		return runUniversal(call, [input.model, ...fallbacks], config.cfApiToken);
	}
}

async function runUniversal(
	call: Call,
	models: string[],
	token: string,
): Promise<{ res: Response; model: string }> {
	const { env, signal } = call;
	const query = modelInputs(call);
	let res: Response;
	try {
		res = await aiBinding(env)
			.gateway(call.config.gatewayId)
			.run(
				models.map((model) => ({
					provider: "workers-ai",
					endpoint: model,
					headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
					query,
				})),
				{ gateway: gatewayOptions(call), signal },
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
	return { res, model: models[step] ?? call.input.model };
}

async function runRaw(call: Call): Promise<Response> {
	const { env, input, signal } = call;
	let res: Response;
	try {
		// A runtime model name is not one of the typed literals: widen the model list.
		res = await (aiBinding(env) as Ai<AiModelListType>).run(input.model, modelInputs(call), {
			gateway: gatewayOptions(call),
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
const deadlineMs = (config: Config) => config.aiTimeoutMs + DEADLINE_GRACE_MS;

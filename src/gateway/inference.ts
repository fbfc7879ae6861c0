/**
 * Chat inference through the AI binding and the named gateway.
 * The log id always comes from the call's own response, never from the shared binding.
 */

import type { ChatInput, LogMetadata, ModelInput, Served, Usage } from "../core/chat";
import type { Config } from "../core/config";
import { modelInfo, ROUTED_IN_GATEWAY, ROUTER_KINDS } from "../core/models";
import { type ToolCall, wantsJson } from "../core/tools";
import { aiBinding } from "./binding";
import { answerText, chunkFinishReason, toolCallsOf, usageOf } from "./model-output";
import { modelInputs } from "./providers";
import { upstreamFailure, upstreamStatusError } from "./upstream-errors";

const DEADLINE_GRACE_MS = 1000;

export interface ChatAnswer extends Served {
	response: string;
	/** Calls of the request's tools, in OpenAI's shape (empty when it answered in text). */
	toolCalls: ToolCall[];
	cached: boolean;
	usage?: Usage;
	finishReason: string;
}

/** What a complete result says, in any model shape. */
function readAnswer(body: unknown, input: ModelInput) {
	const toolCalls = toolCallsOf(body);
	const reason = chunkFinishReason(body) ?? "stop";
	return {
		response: answerText(body, wantsJson(input)),
		toolCalls,
		usage: usageOf(body),
		// Workers AI's own shape gives no finish reason: calls mean "tool_calls".
		finishReason: toolCalls.length > 0 && reason === "stop" ? "tool_calls" : reason,
	};
}

export interface ChatStream extends Served {
	body: ReadableStream<Uint8Array>;
}

interface Call {
	env: Cloudflare.Env;
	config: Config;
	input: ModelInput & { conversation?: string };
	/** The gateway log's metadata. */
	metadata: LogMetadata;
	stream: boolean;
	signal: AbortSignal;
}

/**
 * A complete answer. `started` hears who serves it (and its log id) as soon as the model's
 * headers are in, before the body, so that a client leaving mid-answer can be recorded.
 */
export const completeChat = (
	env: Cloudflare.Env,
	config: Config,
	input: ChatInput,
	signal: AbortSignal,
	started?: (served: Served) => void,
): Promise<ChatAnswer> => completeModel(env, config, input, chatMetadata(input), signal, started);

/** A complete answer to any caller (a chat, the judge), its gateway log marked with `metadata`. */
export async function completeModel(
	env: Cloudflare.Env,
	config: Config,
	input: ModelInput,
	metadata: LogMetadata,
	signal: AbortSignal,
	started?: (served: Served) => void,
): Promise<ChatAnswer> {
	// The deadline covers the whole answer. Native timer and signals: this runs on every request.
	const callSignal = AbortSignal.any([signal, AbortSignal.timeout(deadlineMs(config))]);
	const { res, served } = await runModel({
		env,
		config,
		input,
		metadata,
		stream: false,
		signal: callSignal,
	});
	started?.(served);
	let body: unknown;
	try {
		// The signal also aborts the body read, so a body that never comes ends at the deadline.
		body = await res.json();
	} catch (err) {
		throw upstreamFailure("the model's answer was not JSON", err, callSignal);
	}
	return {
		...served,
		...readAnswer(body, input),
		cached: res.headers.get("cf-aig-cache-status")?.toUpperCase() === "HIT",
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
		const { res, served } = await runModel({
			env,
			config,
			input,
			metadata: chatMetadata(input),
			stream: true,
			signal: callSignal,
		});
		if (!res.body) throw upstreamFailure("the stream had no body");
		// A complete answer (Guardrails evaluating answers make the gateway answer a stream
		// request so; JSON mode and tool calls of Workers AI's own form are asked for whole):
		// stream it on as one chunk.
		if (res.headers.get("content-type")?.startsWith("application/json")) {
			return { ...served, body: asOneChunkStream(await res.json().catch(() => null), input) };
		}
		return { ...served, body: res.body };
	} finally {
		clearTimeout(timer);
	}
}

/** A complete answer as an SSE stream of one OpenAI-shaped chunk and `[DONE]`. */
function asOneChunkStream(body: unknown, input: ModelInput): ReadableStream<Uint8Array> {
	const { response, toolCalls, usage, finishReason } = readAnswer(body, input);
	const chunk = {
		choices: [
			{
				index: 0,
				delta: {
					content: response,
					tool_calls: toolCalls.map((call, index) => ({ index, ...call })),
				},
				finish_reason: finishReason,
			},
		],
		usage,
	};
	return new Response(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`)
		.body as ReadableStream<Uint8Array>;
}

/** A chat's log metadata: at most 2 entries, as a vote adds 3 and the gateway keeps 5. */
const chatMetadata = ({ route, user }: ChatInput): LogMetadata =>
	user ? { route, user } : { route };

/** The gateway options of a call. */
const gatewayOptions = ({ config, metadata }: Call): GatewayOptions => {
	return {
		id: config.gatewayId,
		metadata,
		requestTimeoutMs: config.aiTimeoutMs,
		...(!config.collectLog && { collectLog: false }),
	};
};

/**
 * Headers the binding has no option for: payload-free logs, and a router's session (the
 * conversation's id, checked against CONVERSATION_ID at the edge), sent to routers only.
 */
const extraHeaders = ({ config, input }: Call): Record<string, string> => ({
	...(!config.logPayloads && { "cf-aig-collect-log-payload": "false" }),
	...(input.conversation !== undefined &&
		ROUTER_KINDS.has(modelInfo(input.model).kind) && { "cf-aig-session-id": input.conversation }),
});

interface Ran {
	res: Response;
	served: Served;
}

/**
 * Reads who served an answer from the gateway's headers, with what was asked as the default.
 * A router's answer is served by its routed model, and says why (`routing`).
 */
function servedBy(res: Response, model: string, provider: string, step: number | null): Served {
	const header = (name: string) => res.headers.get(name);
	const stepHeader = header("cf-aig-step");
	const served: Served = {
		model: header("cf-aig-routed-model") ?? header("cf-aig-model") ?? model,
		provider: header("cf-aig-provider") ?? provider,
		aiGatewayLogId: header("cf-aig-log-id"),
		step: stepHeader === null ? step : Number(stepHeader),
	};
	if (ROUTER_KINDS.has(modelInfo(model).kind)) {
		served.routing = {
			reason: header("cf-aig-routing-reason") ?? "unreported",
			decisionId: header("cf-aig-routing-decision-id"),
		};
	}
	return served;
}

/**
 * A dynamic route, the Auto Router or a model alias goes to the gateway, which picks the model
 * (ordered fallbacks, percentage splits, budget and rate limits, a pool) and says which one
 * answered: through the binding, with the `compat` provider, no API token. Any other model
 * goes to `env.AI.run`.
 */
async function runModel(call: Call): Promise<Ran> {
	const { env, input, stream, signal } = call;
	const routed = ROUTED_IN_GATEWAY.has(modelInfo(input.model).kind);
	const inputs = modelInputs(input.model, input, stream);
	const options = { gateway: gatewayOptions(call), extraHeaders: extraHeaders(call), signal };
	let res: Response;
	try {
		res = routed
			? await aiBinding(env)
					.gateway(call.config.gatewayId)
					.run(
						{
							provider: "compat",
							endpoint: "chat/completions",
							headers: {},
							query: { model: input.model, ...inputs },
						},
						options,
					)
			: // A runtime model name is not one of the typed literals: widen the model list. Read
				// the log id from this call's own headers: `env.AI.aiGatewayLogId` is shared by
				// every request in the isolate and races.
				await (aiBinding(env) as Ai<AiModelListType>).run(input.model, inputs, {
					...options,
					returnRawResponse: true,
				});
	} catch (err) {
		throw upstreamFailure(
			routed ? "the dynamic route request failed" : "the AI binding call failed",
			err,
			signal,
		);
	}
	if (!res.ok) {
		if (signal.aborted) throw upstreamFailure("the call was aborted", undefined, signal);
		throw await upstreamStatusError(res);
	}
	return {
		res,
		served: servedBy(res, input.model, modelInfo(input.model).provider, routed ? 0 : null),
	};
}

/**
 * The Worker's own deadline: the gateway gets AI_TIMEOUT_MS and normally reports
 * a timeout first (and logs it); this backstop comes a little later.
 */
const deadlineMs = (config: Config) => config.aiTimeoutMs + DEADLINE_GRACE_MS;

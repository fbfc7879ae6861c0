import type { Usage } from "../../core/chat";
import { unixNow } from "../../core/signed-token";
import { formatSseEvent } from "../../core/sse";
import type { ChatAnswer } from "../../gateway/inference";
import { reframeModelStream, type StreamObserver } from "../../gateway/model-stream";

/** OpenAI usage always has all three counts. */
function openAiUsage(usage: Usage | undefined) {
	if (!usage) return undefined;
	const prompt = usage.prompt_tokens ?? 0;
	const completion = usage.completion_tokens ?? 0;
	return {
		prompt_tokens: prompt,
		completion_tokens: completion,
		total_tokens: usage.total_tokens ?? prompt + completion,
	};
}

const completionId = (aiGatewayLogId: string | null) =>
	`chatcmpl-${aiGatewayLogId ?? crypto.randomUUID()}`;

/** The assistant message: with tool calls, its content is null unless the model also wrote text. */
const assistantMessage = ({
	response,
	toolCalls = [],
}: Pick<ChatAnswer, "response"> & { toolCalls?: ChatAnswer["toolCalls"] }) =>
	toolCalls.length > 0
		? { role: "assistant", content: response || null, refusal: null, tool_calls: toolCalls }
		: { role: "assistant", content: response, refusal: null };

/** A `chat.completion` object from an answer in either model shape. */
export function toChatCompletion(
	model: string,
	answer: Pick<ChatAnswer, "aiGatewayLogId" | "response" | "finishReason" | "usage"> &
		Partial<Pick<ChatAnswer, "toolCalls">>,
) {
	const usage = openAiUsage(answer.usage);
	return {
		id: completionId(answer.aiGatewayLogId),
		object: "chat.completion",
		created: unixNow(),
		model,
		choices: [
			{
				index: 0,
				message: assistantMessage(answer),
				logprobs: null,
				finish_reason: answer.finishReason,
			},
		],
		...(usage && { usage }),
	};
}

/**
 * `chat.completion.chunk` events ending with `data: [DONE]`, whichever output
 * shape the model streams in. With `includeUsage`, a last chunk with empty
 * `choices` carries the usage, as OpenAI's `stream_options.include_usage` does.
 */
export function toChatCompletionChunks(
	upstream: ReadableStream<Uint8Array>,
	{
		model,
		aiGatewayLogId,
		includeUsage,
		observer,
	}: {
		model: string;
		aiGatewayLogId: string | null;
		includeUsage: boolean;
		observer?: StreamObserver;
	},
): ReadableStream<Uint8Array> {
	const id = completionId(aiGatewayLogId);
	const created = unixNow();
	const event = (choices: unknown[], extra: Record<string, unknown> = {}) =>
		formatSseEvent({
			data: JSON.stringify({
				id,
				object: "chat.completion.chunk",
				created,
				model,
				choices,
				...extra,
			}),
		});
	/** A chunk of the one choice. */
	const chunk = (delta: object, finishReason: string | null = null) =>
		event([{ index: 0, delta, logprobs: null, finish_reason: finishReason }]);
	return reframeModelStream(
		upstream,
		{
			start: () => chunk({ role: "assistant", content: "" }),
			delta: (text) => chunk({ content: text }),
			// OpenAI's pieces: the first of a call has its id, type and name; the rest add arguments.
			toolCall: ({ index, id, name, arguments: args = "" }) =>
				chunk({
					tool_calls: [
						id === undefined
							? { index, function: { arguments: args } }
							: { index, id, type: "function", function: { name, arguments: args } },
					],
				}),
			end: ({ usage, finishReason }) => {
				const final = chunk({}, finishReason);
				const usageChunk = includeUsage ? event([], { usage: openAiUsage(usage) ?? null }) : "";
				return `${final}${usageChunk}${formatSseEvent({ data: "[DONE]" })}`;
			},
			// OpenAI's SDKs read an `error` object in the stream as a failure.
			fail: () =>
				formatSseEvent({
					data: JSON.stringify({
						error: {
							message: "The model's stream failed before it finished",
							type: "api_error",
							code: "upstream_error",
							param: null,
						},
					}),
				}),
		},
		{ aiGatewayLogId, observer },
	);
}

/** An answer the gateway's Guardrails blocked, as OpenAI reports a filtered completion. */
export const filteredCompletion = (model: string, aiGatewayLogId: string | null) =>
	toChatCompletion(model, { aiGatewayLogId, response: "", finishReason: "content_filter" });

/** The same as a stream: no content, then `finish_reason: "content_filter"` and `[DONE]`. */
export function filteredCompletionChunks(model: string, aiGatewayLogId: string | null) {
	const upstream = new Response(
		`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "content_filter" }] })}\n\ndata: [DONE]\n\n`,
	).body as ReadableStream<Uint8Array>;
	return toChatCompletionChunks(upstream, { model, aiGatewayLogId, includeUsage: false });
}

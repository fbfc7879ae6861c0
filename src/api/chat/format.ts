import type { AnswerMeta } from "../../answers/respond";
import { formatSseEvent } from "../../core/sse";
import { reframeModelStream, type StreamObserver } from "../../gateway/model-stream";
import type { BlockedPart } from "../../gateway/upstream-errors";

const DONE = formatSseEvent({ data: "[DONE]" });
const errorEvent = (code: string, message: string) =>
	formatSseEvent({ event: "error", data: JSON.stringify({ error: { code, message } }) });
const FAILED = errorEvent("upstream_error", "The model's stream failed before it finished");

const metaEvent = ({ aiGatewayLogId, feedbackToken, model, provider, routing }: AnswerMeta) =>
	formatSseEvent({
		event: "meta",
		data: JSON.stringify({ aiGatewayLogId, feedbackToken, model, provider, routing }),
	});

/**
 * This API's stream: `event: meta`, one `{"response": delta}` event per
 * delta, then `[DONE]`, or `event: error` when the model fails part-way.
 */
export function toChatEventStream(
	upstream: ReadableStream<Uint8Array>,
	meta: AnswerMeta,
	observer?: StreamObserver,
): ReadableStream<Uint8Array> {
	return reframeModelStream(
		upstream,
		{
			start: () => metaEvent(meta),
			delta: (text) => formatSseEvent({ data: JSON.stringify({ response: text }) }),
			end: () => DONE,
			fail: () => FAILED,
		},
		{ aiGatewayLogId: meta.aiGatewayLogId, observer },
	);
}

/** A blocked request, as this API's stream: `event: meta`, then `event: error` content_blocked. */
export function blockedChatEventStream(
	part: BlockedPart,
	meta: AnswerMeta,
): ReadableStream<Uint8Array> {
	const events =
		metaEvent(meta) +
		errorEvent("content_blocked", `The AI Gateway's guardrails blocked the ${part}`);
	return new Response(events).body as ReadableStream<Uint8Array>;
}

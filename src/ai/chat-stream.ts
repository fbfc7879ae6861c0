import { formatSseEvent } from "../lib/sse";
import { reframeModelStream } from "./model-stream";

export interface StreamMeta {
	logId: string | null;
	feedbackToken: string | null;
	model: string;
}

const DONE = formatSseEvent({ data: "[DONE]" });
const FAILED = formatSseEvent({
	event: "error",
	data: JSON.stringify({
		error: { code: "upstream_error", message: "The model's stream failed before it finished" },
	}),
});

/**
 * This API's stream: `event: meta`, one `{"response": delta}` event per
 * delta, then `[DONE]`, or `event: error` when the model fails part-way.
 */
export function toChatEventStream(
	upstream: ReadableStream<Uint8Array>,
	meta: StreamMeta,
): ReadableStream<Uint8Array> {
	return reframeModelStream(
		upstream,
		{
			start: () => formatSseEvent({ event: "meta", data: JSON.stringify(meta) }),
			delta: (text) => formatSseEvent({ data: JSON.stringify({ response: text }) }),
			end: () => DONE,
			fail: () => FAILED,
		},
		meta,
	);
}

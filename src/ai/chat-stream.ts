import { createParser } from "eventsource-parser";
import { encodeSseEvent, formatSseEvent } from "../lib/sse";
import { chunkDelta, chunkError } from "./model-output";

export interface StreamMeta {
	logId: string | null;
	feedbackToken: string | null;
	model: string;
}

const encoder = new TextEncoder();
const DONE = formatSseEvent({ data: "[DONE]" });

/**
 * Re-frames the model's SSE stream (either output shape) as this API's
 * stream: `event: meta`, one `{"response": delta}` event per delta, then
 * `[DONE]`, or `event: error` when the upstream fails part-way. Pull-based,
 * so each upstream chunk is forwarded as soon as it is read and never held.
 */
export function toChatEventStream(
	upstream: ReadableStream<Uint8Array>,
	meta: StreamMeta,
): ReadableStream<Uint8Array> {
	const reader = upstream.getReader();
	const decoder = new TextDecoder();
	let outgoing = "";
	let finished = false;

	const fail = (reason: string) => {
		console.error(JSON.stringify({ message: "chat stream failed", reason, logId: meta.logId }));
		const error = {
			code: "upstream_error",
			message: "The model's stream failed before it finished",
		};
		outgoing += formatSseEvent({ event: "error", data: JSON.stringify({ error }) });
		finished = true;
	};

	const parser = createParser({
		onEvent(message) {
			if (finished) return;
			if (message.data === "[DONE]") {
				outgoing += DONE;
				finished = true;
				return;
			}
			let chunk: unknown;
			try {
				chunk = JSON.parse(message.data);
			} catch {
				return fail("malformed chunk");
			}
			const error = message.event === "error" ? message.data : chunkError(chunk);
			if (error) return fail(`upstream error event: ${error.slice(0, 200)}`);
			const delta = chunkDelta(chunk);
			if (delta) outgoing += formatSseEvent({ data: JSON.stringify({ response: delta }) });
		},
	});

	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encodeSseEvent({ event: "meta", data: JSON.stringify(meta) }));
		},
		async pull(controller) {
			try {
				while (!outgoing && !finished) {
					const { done, value } = await reader.read();
					if (done) {
						parser.feed(decoder.decode());
						if (!finished) fail("stream ended without [DONE]");
						break;
					}
					parser.feed(decoder.decode(value, { stream: true }));
				}
			} catch (err) {
				if (!finished) fail(`read failed: ${err instanceof Error ? err.message : String(err)}`);
			}
			if (outgoing) {
				controller.enqueue(encoder.encode(outgoing));
				outgoing = "";
			}
			if (finished) {
				controller.close();
				reader.cancel().catch(() => {});
			}
		},
		cancel(reason) {
			// The client went away: stop reading, which cancels the inference upstream.
			return reader.cancel(reason);
		},
	});
}

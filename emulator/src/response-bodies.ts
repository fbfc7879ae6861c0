/** The bodies of answers that are not sent whole at once: streams, and held JSON. */

import { sleep, untilReleased } from "./latency.ts";
import { formatEvent, type StreamEvent } from "./stream-events.ts";

const encoder = new TextEncoder();

/** How a body reports its end to the inference's log and run record. */
export interface BodyEnd {
	/** It ended: 200 sent whole, 500 broken by the emulator. */
	finish(statusCode: number, sent: string, contentType: string, tokensOut?: number): void;
	/** The caller went away (cancelled, or aborted its signal). */
	abort(sent: string, contentType: string, tokensOut?: number): void;
}

interface StreamOptions {
	tokenDelayMs: number;
	/** Break the stream after this many tokens. */
	streamFailureAfterTokens: number | null;
	/** Held back until released, before the first event. */
	hold: Promise<void> | undefined;
	signal: AbortSignal;
	end: BodyEnd;
}

/** An answer's events as server-sent events, paced per token. */
export function eventStream(
	events: readonly StreamEvent[],
	{ tokenDelayMs, streamFailureAfterTokens, hold, signal, end }: StreamOptions,
): ReadableStream<Uint8Array> {
	let index = 0;
	let sent = "";
	let tokensSent = 0;
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			const next = events[index++];
			try {
				if (index === 1 && hold) await untilReleased(hold, signal);
				if (next?.isToken) await sleep(tokenDelayMs, signal);
			} catch (reason) {
				end.abort(sent, "text/event-stream", tokensSent);
				controller.error(reason);
				return;
			}
			if (!next) {
				controller.close();
				end.finish(200, sent, "text/event-stream", tokensSent);
				return;
			}
			if (next.isToken) {
				if (streamFailureAfterTokens !== null && tokensSent >= streamFailureAfterTokens) {
					end.finish(500, sent, "text/event-stream", tokensSent);
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
			end.abort(sent, "text/event-stream", tokensSent);
		},
	});
}

/** A JSON answer whose body waits for its hold's release. */
export function heldJson(
	json: string,
	tokensOut: number,
	hold: Promise<void>,
	signal: AbortSignal,
	end: BodyEnd,
): ReadableStream<Uint8Array> {
	return new ReadableStream<Uint8Array>({
		async pull(controller) {
			try {
				await untilReleased(hold, signal);
			} catch (reason) {
				end.abort("", "application/json");
				controller.error(reason);
				return;
			}
			controller.enqueue(encoder.encode(json));
			controller.close();
			end.finish(200, json, "application/json", tokensOut);
		},
		cancel() {
			end.abort("", "application/json");
		},
	});
}

import type { Usage } from "./model-output";

/** How a model stream ended: all of it, broken off by the model, or cancelled by the client. */
export type StreamOutcome = "complete" | "failed" | "aborted";

/** Hears what a model stream carried, as reframeModelStream reads it (for the feedback store). */
export interface ModelStreamWatcher {
	delta(text: string): void;
	/** Called once, when the stream ends in any way. */
	end(outcome: StreamOutcome, usage?: Usage): void;
}

const watchers = new WeakMap<ReadableStream<Uint8Array>, ModelStreamWatcher>();

/**
 * Asks whoever re-frames the model stream `stream` to tell `watcher` about it. A side
 * channel, so the answer formats (this API's, OpenAI's) need not know about it.
 */
export function watchModelStream(
	stream: ReadableStream<Uint8Array>,
	watcher: ModelStreamWatcher,
): void {
	watchers.set(stream, watcher);
}

export const watcherOf = (stream: ReadableStream<Uint8Array>) => watchers.get(stream);

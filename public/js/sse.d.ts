// Types of sse.js for the unit tests (the page itself has no build step).

export interface SseEvent {
	id: string | undefined;
	event: string | undefined;
	data: string;
}

export function readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent, void>;

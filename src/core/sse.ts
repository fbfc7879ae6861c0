/**
 * Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
 * Reading them is eventsource-parser's, the one SSE parser of the Worker (model streams),
 * the chat page (vendored) and the tests.
 */

export interface SseEvent {
	event?: string;
	data: string;
}

export function formatSseEvent({ event, data }: SseEvent): string {
	// A data field cannot hold a line break: each line becomes its own `data:` line.
	const lines = data.split(/\r\n|\r|\n/).map((line) => `data: ${line}\n`);
	return `${event ? `event: ${event}\n` : ""}${lines.join("")}\n`;
}

export const SSE_HEADERS = {
	"content-type": "text/event-stream; charset=utf-8",
	"cache-control": "no-cache, no-transform",
	// Stops proxies that honour it (nginx and friends) from buffering the stream.
	"x-accel-buffering": "no",
} as const;

/** Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html). */

export interface SseEvent {
	event?: string;
	data: string;
}

/**
 * Reads an SSE byte stream's text, fed in chunks of any size, and calls `onEvent` for each
 * complete event. The parts of the spec a model stream uses: `event` and `data` fields (data
 * lines joined with "\n"), comments, and CR, LF or CRLF line ends, also split across chunks.
 * (A few lines instead of a library: the Worker's bundle size matters.)
 */
export function createSseParser(onEvent: (event: SseEvent) => void): (chunk: string) => void {
	let buffer = "";
	let data: string[] = [];
	let event: string | undefined;
	const line = (text: string) => {
		if (text === "") {
			if (data.length > 0) onEvent({ event, data: data.join("\n") });
			data = [];
			event = undefined;
			return;
		}
		if (text.startsWith(":")) return;
		const colon = text.indexOf(":");
		const field = colon === -1 ? text : text.slice(0, colon);
		let value = colon === -1 ? "" : text.slice(colon + 1);
		if (value.startsWith(" ")) value = value.slice(1);
		if (field === "data") data.push(value);
		else if (field === "event") event = value;
	};
	return (chunk) => {
		buffer += chunk;
		let start = 0;
		for (let i = 0; i < buffer.length; i++) {
			const char = buffer[i];
			if (char !== "\n" && char !== "\r") continue;
			// A CR at the end may be the first half of a CRLF: wait for the next chunk.
			if (char === "\r" && i + 1 === buffer.length) break;
			line(buffer.slice(start, i));
			if (char === "\r" && buffer[i + 1] === "\n") i++;
			start = i + 1;
		}
		buffer = buffer.slice(start);
	};
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

// The chat page's SSE reader (public/js/sse.js), fed the way a network delivers bytes.
import { describe, expect, it } from "vitest";
import { readEvents } from "../../public/js/sse.js";

/** A body that arrives in the given chunks, split wherever the network splits it. */
function body(...chunks: string[]) {
	const bytes = chunks.map((chunk) => new TextEncoder().encode(chunk));
	return new ReadableStream<Uint8Array>({
		pull(controller) {
			const next = bytes.shift();
			if (next) controller.enqueue(next);
			else controller.close();
		},
	});
}

async function collect(stream: ReadableStream<Uint8Array>) {
	const events = [];
	for await (const event of readEvents(stream)) events.push(event);
	return events;
}

describe("the page's readEvents", () => {
	it("reads named and unnamed events, across chunk boundaries and CRLF line ends", async () => {
		const events = await collect(
			body(
				'event: meta\r\ndata: {"aiGatewayLogId":"a"}\r\n\r\nda',
				'ta: {"response":"Hi"}\n',
				"\ndata: [DONE]\n\n",
			),
		);
		expect(events).toEqual([
			{ event: "meta", data: '{"aiGatewayLogId":"a"}' },
			{ event: undefined, data: '{"response":"Hi"}' },
			{ event: undefined, data: "[DONE]" },
		]);
	});

	it("reads CR line ends, and a CRLF split between chunks, as one line end each", async () => {
		const events = await collect(body("data: a\r\r", "data: b\r", "\n\r", "\ndata: c\n\n"));
		expect(events).toEqual([
			{ event: undefined, data: "a" },
			{ event: undefined, data: "b" },
			{ event: undefined, data: "c" },
		]);
	});

	it("joins data lines, keeps a multi-byte character split between chunks, and skips comments", async () => {
		const euro = new TextEncoder().encode("€");
		const stream = new ReadableStream<Uint8Array>({
			start(controller) {
				controller.enqueue(new TextEncoder().encode(": keep-alive\n\ndata:a\ndata: "));
				controller.enqueue(euro.slice(0, 1));
				controller.enqueue(euro.slice(1));
				controller.enqueue(new TextEncoder().encode("\n\ndata: unfinished"));
				controller.close();
			},
		});
		expect(await collect(stream)).toEqual([{ event: undefined, data: "a\n€" }]);
	});
});

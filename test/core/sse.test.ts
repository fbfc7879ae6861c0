import { describe, expect, it } from "vitest";
import { createSseParser, formatSseEvent } from "../../src/core/sse";

describe("formatSseEvent", () => {
	it("frames data, with an optional event name", () => {
		expect(formatSseEvent({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
		expect(formatSseEvent({ event: "meta", data: '{"a":1}' })).toBe(
			'event: meta\ndata: {"a":1}\n\n',
		);
	});

	it("splits line breaks into separate data lines so they cannot end the event", () => {
		expect(formatSseEvent({ data: "a\nb\r\nc\rd" })).toBe("data: a\ndata: b\ndata: c\ndata: d\n\n");
	});
});

describe("createSseParser", () => {
	const parse = (chunks: string[]) => {
		const events: { event?: string; data: string }[] = [];
		const feed = createSseParser((event) => events.push(event));
		for (const chunk of chunks) feed(chunk);
		return events;
	};

	it("reads events with CR, LF and CRLF line ends, split anywhere", () => {
		const text =
			'event: meta\r\ndata: {"a":1}\r\n\r\ndata: one\rdata: two\r\r: comment\ndata:three\n\n';
		const expected = [
			{ event: "meta", data: '{"a":1}' },
			{ event: undefined, data: "one\ntwo" },
			{ event: undefined, data: "three" },
		];
		expect(parse([text])).toEqual(expected);
		for (let cut = 1; cut < text.length; cut++) {
			expect(parse([text.slice(0, cut), text.slice(cut)]), `cut at ${cut}`).toEqual(expected);
		}
		expect(parse([...text])).toEqual(expected);
	});

	it("keeps an event without its closing blank line pending, and skips empty ones", () => {
		expect(parse(["data: a\n", "\n\nevent: x\n\ndata: b"])).toEqual([
			{ event: undefined, data: "a" },
		]);
	});
});

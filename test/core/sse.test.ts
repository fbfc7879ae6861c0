import { describe, expect, it } from "vitest";
import { formatSseEvent } from "../../src/core/sse";

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

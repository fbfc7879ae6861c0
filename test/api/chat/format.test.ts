import { describe, expect, it } from "vitest";
import { toChatEventStream } from "../../../src/api/chat/format";
import { deltasOf, readEvents } from "../../harness";

const meta = { aiGatewayLogId: "log-1", feedbackToken: "tok", model: "m", provider: "workers-ai" };
const encoder = new TextEncoder();

function upstreamOf(parts: (string | Error)[]): ReadableStream<Uint8Array> {
	let index = 0;
	return new ReadableStream({
		pull(controller) {
			const part = parts[index++];
			if (part === undefined) controller.close();
			else if (part instanceof Error) controller.error(part);
			else controller.enqueue(encoder.encode(part));
		},
	});
}

const run = async (parts: (string | Error)[]) =>
	readEvents(new Response(toChatEventStream(upstreamOf(parts), meta)));

describe("toChatEventStream", () => {
	it("re-frames deltas split across arbitrary chunk boundaries", async () => {
		const raw =
			'data: {"response":"Hel"}\n\ndata: {"response":"lo"}\n\ndata: {"response":"","usage":{}}\n\ndata: [DONE]\n\n';
		const parts = raw.match(/.{1,7}/gs) ?? [];
		const events = await run(parts);
		expect(events[0]).toMatchObject({ event: "meta", data: JSON.stringify(meta) });
		expect(deltasOf(events.slice(1))).toEqual(["Hel", "lo"]);
		expect(events.at(-1)?.data).toBe("[DONE]");
	});

	it("reads the model's SSE with CR, LF and CRLF line ends, comments and multi-line data, split anywhere", async () => {
		const raw =
			'event: x\r\ndata: {"response":"a"}\r\n\r\ndata: {"response":\rdata: "b"}\r\r: comment\ndata:{"response":"c"}\n\ndata: [DONE]\n\n';
		const deltas = async (parts: string[]) => {
			const events = await run(parts);
			expect(events.at(-1)?.data, parts.join("|")).toBe("[DONE]");
			return deltasOf(events.slice(1));
		};
		expect(await deltas([raw])).toEqual(["a", "b", "c"]);
		for (let cut = 1; cut < raw.length; cut++) {
			expect(await deltas([raw.slice(0, cut), raw.slice(cut)]), `cut at ${cut}`).toEqual([
				"a",
				"b",
				"c",
			]);
		}
		expect(await deltas([...raw])).toEqual(["a", "b", "c"]);
	});

	it("keeps multi-byte characters split between chunks intact", async () => {
		const bytes = encoder.encode('data: {"response":"héllo ✓"}\n\ndata: [DONE]\n\n');
		const upstream = new ReadableStream<Uint8Array>({
			start(controller) {
				for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
				controller.close();
			},
		});
		const events = await readEvents(new Response(toChatEventStream(upstream, meta)));
		expect(deltasOf(events.slice(1))).toEqual(["héllo ✓"]);
	});

	it("reads OpenAI-shaped chunks", async () => {
		const events = await run([
			'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n',
			'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n',
			'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n',
			"data: [DONE]\n\n",
		]);
		expect(deltasOf(events.slice(1))).toEqual(["Hi"]);
	});

	it.each([
		["an upstream read error", ['data: {"response":"a"}\n\n', new Error("reset")]],
		["a stream that ends without [DONE]", ['data: {"response":"a"}\n\n']],
		["an in-band error", ['data: {"response":"a"}\n\n', 'data: {"error":"overloaded"}\n\n']],
		["an error event", ['data: {"response":"a"}\n\n', 'event: error\ndata: {"message":"x"}\n\n']],
		["a malformed chunk", ['data: {"response":"a"}\n\n', "data: {oops\n\n"]],
	])("ends with an error event on %s", async (_name, parts) => {
		const events = await run(parts as (string | Error)[]);
		expect(events.map((event) => event.event ?? "data")).toEqual(["meta", "data", "error"]);
		expect(JSON.parse(events[2]?.data ?? "")).toEqual({
			error: { code: "upstream_error", message: expect.any(String) },
		});
	});
});

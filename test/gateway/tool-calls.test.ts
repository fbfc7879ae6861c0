import { describe, expect, it } from "vitest";
import { toChatCompletionChunks } from "../../src/api/openai/format";
import { answerText, chunkToolCalls, toolCallsOf } from "../../src/gateway/model-output";
import { readEvents } from "../harness";

const weather = { name: "get_weather", arguments: '{"city":"Paris"}' };

describe("tool calls in every model shape", () => {
	it("read a complete answer's calls in OpenAI's shape", () => {
		const openAi = {
			choices: [
				{
					message: {
						content: null,
						tool_calls: [{ id: "call_1", type: "function", function: weather }],
					},
				},
			],
		};
		expect(toolCallsOf(openAi)).toEqual([{ id: "call_1", type: "function", function: weather }]);
		const flat = toolCallsOf({
			response: "",
			tool_calls: [{ name: "get_weather", arguments: { city: "Paris" } }],
		});
		expect(flat).toEqual([
			{ id: expect.stringMatching(/^call_\w{24}$/), type: "function", function: weather },
		]);
		expect(
			toolCallsOf({
				result: {
					tool_calls: [{ id: "c2", type: "function", function: { name: "f", arguments: {} } }],
				},
			}),
		).toEqual([{ id: "c2", type: "function", function: { name: "f", arguments: "{}" } }]);
		expect(
			toolCallsOf({
				content: [
					{ type: "text", text: "Let me look." },
					{ type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
				],
			}),
		).toEqual([{ id: "toolu_1", type: "function", function: weather }]);
		expect(toolCallsOf({ response: "hi", tool_calls: [] })).toEqual([]);
		expect(toolCallsOf({ tool_calls: [{ arguments: {} }, null] })).toEqual([]);
	});

	it("read JSON mode's object answer as its JSON text, and only in JSON mode", () => {
		expect(answerText({ response: { name: "Paris" } }, true)).toBe('{"name":"Paris"}');
		expect(answerText({ response: { name: "Paris" } })).toBe("");
	});

	it("read streamed pieces: OpenAI deltas, Workers AI's own chunks, Anthropic's events", () => {
		expect(
			chunkToolCalls({
				choices: [
					{
						delta: {
							tool_calls: [
								{ index: 1, id: "c", type: "function", function: { name: "f", arguments: "" } },
							],
						},
					},
				],
			}),
		).toEqual([{ index: 1, id: "c", name: "f" }]);
		expect(
			chunkToolCalls({ response: "", tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
		).toEqual([{ index: 0, arguments: '{"a"' }]);
		expect(
			chunkToolCalls({
				response: "",
				tool_calls: [{ id: null, type: null, function: { name: null } }],
			}),
		).toEqual([]);
		expect(
			chunkToolCalls({
				type: "content_block_start",
				index: 1,
				content_block: { type: "tool_use", id: "toolu_1", name: "f", input: {} },
			}),
		).toEqual([{ index: 1, id: "toolu_1", name: "f" }]);
		expect(
			chunkToolCalls({
				type: "content_block_delta",
				index: 1,
				delta: { type: "input_json_delta", partial_json: "{}" },
			}),
		).toEqual([{ index: 1, arguments: "{}" }]);
		expect(
			chunkToolCalls({
				type: "content_block_delta",
				index: 0,
				delta: { type: "text_delta", text: "x" },
			}),
		).toEqual([]);
	});
});

describe("tool calls in a /v1 stream", () => {
	const stream = (events: unknown[]) =>
		new Response(
			`${events.map((event) => `data: ${JSON.stringify(event)}\n\n`).join("")}data: [DONE]\n\n`,
		).body as ReadableStream<Uint8Array>;

	it("number the calls from 0, give each an id, and end with finish_reason tool_calls", async () => {
		// Workers AI's own stream: no ids, no finish reason, a closing entry of nulls.
		const upstream = stream([
			{ response: "", tool_calls: [{ index: 3, function: { name: "get_weather" } }] },
			{ response: "", tool_calls: [{ index: 3, function: { arguments: '{"city":' } }] },
			{ response: "", tool_calls: [{ index: 3, function: { arguments: '"Paris"}' } }] },
			{ response: "", tool_calls: [{ id: null, type: null, function: { name: null } }] },
			{ response: "", usage: { prompt_tokens: 1, completion_tokens: 2 } },
		]);
		const events = await readEvents(
			new Response(
				toChatCompletionChunks(upstream, {
					model: "m",
					aiGatewayLogId: "log",
					includeUsage: false,
				}),
			),
		);
		const deltas = events.slice(1, -1).map(
			(event) =>
				JSON.parse(event.data).choices[0] as {
					delta: { tool_calls?: unknown[] };
					finish_reason: string | null;
				},
		);
		expect(deltas.flatMap((choice) => choice.delta.tool_calls ?? [])).toEqual([
			{
				index: 0,
				id: expect.stringMatching(/^call_/),
				type: "function",
				function: { name: "get_weather", arguments: "" },
			},
			{ index: 0, function: { arguments: '{"city":' } },
			{ index: 0, function: { arguments: '"Paris"}' } },
		]);
		expect(deltas.at(-1)?.finish_reason).toBe("tool_calls");
		expect(events.at(-1)?.data).toBe("[DONE]");
	});
});

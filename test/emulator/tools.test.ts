/**
 * Tool calls and JSON mode in every wire shape the emulator speaks, through the real `Ai.run`
 * and `gateway.run`: a request with tools (and a tool_choice other than "none") gets a
 * deterministic call of the first or the chosen tool, with arguments that fit its schema
 * minimally; after a tool's result it answers in text; JSON mode answers valid JSON that fits
 * the schema's required properties. Requests are checked as each real service checks them.
 */
import { describe, expect, it } from "vitest";
import { emulatedAnswer, minimalValue } from "../../emulator/src/index.ts";
import { compat, dataOf, GPT_OSS, LLAMA, messages, rawRun, run, setup } from "./helpers.ts";

const gateway = { gateway: { id: "tools" } };
const SCOUT = "@cf/meta/llama-4-scout-17b-16e-instruct";
const parameters = {
	type: "object",
	properties: {
		city: { type: "string", description: "The city" },
		days: { type: "integer", description: "How many days", minimum: 1 },
		unit: { type: "string", description: "Unit", enum: ["c", "f"] },
		detail: { type: "boolean", description: "Detail" },
	},
	required: ["city", "days", "unit"],
};
const openAiTools = [
	{ type: "function", function: { name: "get_weather", description: "Weather", parameters } },
	{
		type: "function",
		function: {
			name: "get_time",
			description: "Time",
			parameters: { type: "object", properties: {} },
		},
	},
];
const expectedArguments = { city: "emulated", days: 1, unit: "c" };

type Json = Record<string, unknown>;

describe("minimal values from a JSON schema", () => {
	it("fill only what is required, with the smallest value of each type", () => {
		expect(minimalValue(parameters)).toEqual(expectedArguments);
		expect(
			minimalValue({
				type: "object",
				properties: {
					tags: { type: "array", items: { type: "string" }, minItems: 2 },
					where: {
						type: "object",
						properties: { lat: { type: "number" }, note: { type: "string" } },
						required: ["lat"],
					},
					kind: { const: "fixed" },
					either: { anyOf: [{ type: "null" }, { type: "string" }] },
					maybe: { type: ["string", "null"] },
				},
				required: ["tags", "where", "kind", "either", "maybe"],
			}),
		).toEqual({
			tags: ["emulated", "emulated"],
			where: { lat: 0 },
			kind: "fixed",
			either: null,
			maybe: "emulated",
		});
		expect(minimalValue({})).toEqual({});
	});
});

describe("Workers AI's own shape", () => {
	it("answers a tool call as tool_calls of { name, arguments } (llama 3.3)", async () => {
		const { ai } = setup();
		const body = (await run(ai, LLAMA, { messages, tools: openAiTools }, gateway)) as Json;
		expect(body).toMatchObject({
			response: "",
			tool_calls: [{ name: "get_weather", arguments: expectedArguments }],
		});
	});

	it("answers llama 4 Scout's tool calls as { id, type, function: { name, arguments } }", async () => {
		const { ai } = setup();
		const flat = [
			{ name: "get_time", description: "Time", parameters: { type: "object", properties: {} } },
		];
		const body = (await run(ai, SCOUT, { messages, tools: flat }, gateway)) as {
			tool_calls: Json[];
		};
		expect(body.tool_calls).toEqual([
			{
				id: expect.stringMatching(/^\w{9,}$/),
				type: "function",
				function: { name: "get_time", arguments: {} },
			},
		]);
	});

	it("streams a tool call as start, argument and closing tool_calls chunks", async () => {
		const { ai } = setup();
		const chunks = (await dataOf(
			(await run(
				ai,
				LLAMA,
				{ messages, tools: openAiTools, stream: true },
				gateway,
			)) as ReadableStream,
		)) as (Json | string)[];
		expect(chunks.at(-1)).toBe("[DONE]");
		const calls = chunks.flatMap((chunk) =>
			typeof chunk === "object" && Array.isArray(chunk.tool_calls) ? chunk.tool_calls : [],
		) as {
			index?: number;
			id?: string | null;
			function?: { name?: string | null; arguments?: string };
		}[];
		expect(calls[0]).toMatchObject({ index: 0, function: { name: "get_weather" } });
		expect(calls.at(-1)).toEqual({ id: null, type: null, function: { name: null } });
		const args = calls.map((call) => call.function?.arguments ?? "").join("");
		expect(JSON.parse(args)).toEqual(expectedArguments);
	});

	it("answers JSON mode with the object as `response`, and refuses to stream it", async () => {
		const { ai } = setup();
		const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
		const body = (await run(
			ai,
			LLAMA,
			{ messages, response_format: { type: "json_schema", json_schema: schema } },
			gateway,
		)) as Json;
		expect(body.response).toEqual({ name: "emulated" });
		const object = (await run(
			ai,
			LLAMA,
			{ messages, response_format: { type: "json_object" } },
			gateway,
		)) as Json;
		expect(object.response).toEqual({ response: emulatedAnswer(LLAMA, messages) });
		const streamed = await rawRun(
			ai,
			LLAMA,
			{ messages, response_format: { type: "json_object" }, stream: true },
			gateway,
		);
		expect(streamed.status).toBe(400);
	});

	it("answers in text after a tool's result, quoting it", async () => {
		const { ai } = setup();
		const history = [
			...messages,
			{ role: "assistant", content: '[{"name":"get_time","arguments":{}}]' },
			{ role: "tool", content: "noon" },
		];
		const body = (await run(ai, LLAMA, { messages: history, tools: openAiTools }, gateway)) as Json;
		expect(body).toMatchObject({ tool_calls: [] });
		expect(body.response).toContain("noon");
	});

	it("refuses what the model's schema refuses: null content, tools without a description", async () => {
		const { ai } = setup();
		const nullContent = await rawRun(
			ai,
			LLAMA,
			{ messages: [...messages, { role: "assistant", content: null }] },
			gateway,
		);
		expect(nullContent.status).toBe(400);
		const bare = [
			{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } },
		];
		expect((await rawRun(ai, LLAMA, { messages, tools: bare }, gateway)).status).toBe(400);
		const undescribed = [
			{
				name: "f",
				description: "F",
				parameters: { type: "object", properties: { x: { type: "string" } } },
			},
		];
		expect((await rawRun(ai, LLAMA, { messages, tools: undescribed }, gateway)).status).toBe(400);
	});
});

describe("OpenAI's chat-completions shape", () => {
	it("answers the chosen tool with content null and finish_reason tool_calls (gpt-oss on Workers AI)", async () => {
		const { ai } = setup();
		const body = (await run(
			ai,
			GPT_OSS,
			{
				messages,
				tools: openAiTools,
				tool_choice: { type: "function", function: { name: "get_time" } },
			},
			gateway,
		)) as { choices: { message: Json; finish_reason: string }[] };
		expect(body.choices[0]).toMatchObject({
			finish_reason: "tool_calls",
			message: {
				role: "assistant",
				content: null,
				tool_calls: [
					{
						id: expect.stringMatching(/^call_\w+$/),
						type: "function",
						function: { name: "get_time", arguments: "{}" },
					},
				],
			},
		});
	});

	it("answers text with tool_choice none, and JSON in the content with response_format", async () => {
		const { ai } = setup();
		const none = (await run(
			ai,
			"openai/gpt-4.1-mini",
			{ messages, tools: openAiTools, tool_choice: "none" },
			gateway,
		)) as { choices: { message: { content: string }; finish_reason: string }[] };
		expect(none.choices[0]).toMatchObject({
			finish_reason: "stop",
			message: { content: emulatedAnswer("gpt-4.1-mini", messages) },
		});
		const json = (await run(
			ai,
			"openai/gpt-4.1-mini",
			{
				messages,
				response_format: {
					type: "json_schema",
					json_schema: {
						name: "x",
						schema: { type: "object", properties: { n: { type: "number" } }, required: ["n"] },
					},
				},
			},
			gateway,
		)) as { choices: { message: { content: string } }[] };
		expect(JSON.parse(json.choices[0]?.message.content ?? "")).toEqual({ n: 0 });
	});

	it("streams a tool call as delta.tool_calls with an index, then finish_reason tool_calls", async () => {
		const { ai } = setup();
		const chunks = (await dataOf(
			(await run(
				ai,
				"openai/gpt-4.1-mini",
				{ messages, tools: openAiTools, tool_choice: "required", stream: true },
				gateway,
			)) as ReadableStream,
		)) as ({ choices: { delta: Json; finish_reason: string | null }[] } | string)[];
		expect(chunks.at(-1)).toBe("[DONE]");
		const objects = chunks.filter((chunk) => typeof chunk === "object");
		const deltas = objects.flatMap(
			(chunk) =>
				(chunk.choices[0]?.delta.tool_calls ?? []) as {
					index: number;
					id?: string;
					function: Json;
				}[],
		);
		expect(deltas[0]).toMatchObject({
			index: 0,
			id: expect.any(String),
			type: "function",
			function: { name: "get_weather", arguments: "" },
		});
		expect(deltas.every((delta) => delta.index === 0)).toBe(true);
		expect(JSON.parse(deltas.map((delta) => delta.function.arguments).join(""))).toEqual(
			expectedArguments,
		);
		expect(objects.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
	});

	it("takes a tool-call history and answers in text, but refuses a tool result that answers no call", async () => {
		const { ai } = setup();
		const call = {
			id: "call_1",
			type: "function",
			function: { name: "get_time", arguments: "{}" },
		};
		const history = [
			...messages,
			{ role: "assistant", content: null, tool_calls: [call] },
			{ role: "tool", tool_call_id: "call_1", content: "noon" },
		];
		const body = (await run(
			ai,
			"openai/gpt-4.1-mini",
			{ messages: history, tools: openAiTools },
			gateway,
		)) as {
			choices: { message: { content: string }; finish_reason: string }[];
		};
		expect(body.choices[0]).toMatchObject({ finish_reason: "stop" });
		expect(body.choices[0]?.message.content).toContain("noon");
		const orphan = await rawRun(
			ai,
			"openai/gpt-4.1-mini",
			{ messages: [...messages, { role: "tool", tool_call_id: "call_9", content: "noon" }] },
			gateway,
		);
		expect(orphan.status).toBe(400);
	});

	it("answers tool calls through a dynamic route (compat)", async () => {
		const { ai } = setup({ dynamicRoutes: { r: { model: "openai/gpt-4.1-mini" } } });
		const res = (await ai
			.gateway("tools")
			.run(compat("dynamic/r", { tools: openAiTools }))) as Response;
		const body = (await res.json()) as { choices: { message: Json; finish_reason: string }[] };
		expect(body.choices[0]?.finish_reason).toBe("tool_calls");
	});
});

describe("Anthropic's Messages shape", () => {
	const anthropicTools = [
		{ name: "get_weather", description: "Weather", input_schema: parameters },
		{ name: "get_time", input_schema: { type: "object", properties: {} } },
	];

	it("answers a tool_use block with stop_reason tool_use", async () => {
		const { ai } = setup();
		const body = (await run(
			ai,
			"anthropic/claude-sonnet-4",
			{ messages, max_tokens: 100, tools: anthropicTools, tool_choice: { type: "any" } },
			gateway,
		)) as Json;
		expect(body).toMatchObject({
			stop_reason: "tool_use",
			content: [
				{
					type: "tool_use",
					id: expect.stringMatching(/^toolu_/),
					name: "get_weather",
					input: expectedArguments,
				},
			],
		});
	});

	it("streams tool_use as content_block_start and input_json_delta events", async () => {
		const { ai } = setup();
		const events = (await dataOf(
			(await run(
				ai,
				"anthropic/claude-sonnet-4",
				{
					messages,
					max_tokens: 100,
					tools: anthropicTools,
					tool_choice: { type: "tool", name: "get_time" },
					stream: true,
				},
				gateway,
			)) as ReadableStream,
		)) as Json[];
		expect(events.find((event) => event.type === "content_block_start")).toMatchObject({
			content_block: { type: "tool_use", name: "get_time", input: {} },
		});
		const partial = events
			.filter((event) => event.type === "content_block_delta")
			.map((event) => event.delta as { type: string; partial_json: string })
			.map((delta) => {
				expect(delta.type).toBe("input_json_delta");
				return delta.partial_json;
			})
			.join("");
		expect(JSON.parse(partial)).toEqual({});
		expect(events.find((event) => event.type === "message_delta")).toMatchObject({
			delta: { stop_reason: "tool_use" },
		});
	});

	it("takes tool_use and tool_result blocks, and refuses a tool_result that answers no tool_use", async () => {
		const { ai } = setup();
		const history = [
			...messages,
			{
				role: "assistant",
				content: [{ type: "tool_use", id: "toolu_1", name: "get_time", input: {} }],
			},
			{ role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "noon" }] },
		];
		const body = (await run(
			ai,
			"anthropic/claude-sonnet-4",
			{ messages: history, max_tokens: 100, tools: anthropicTools },
			gateway,
		)) as { content: { type: string; text: string }[]; stop_reason: string };
		expect(body.stop_reason).toBe("end_turn");
		expect(body.content[0]?.text).toContain("noon");
		const orphan = await rawRun(
			ai,
			"anthropic/claude-sonnet-4",
			{
				messages: [
					...messages,
					{
						role: "user",
						content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "x" }],
					},
				],
				max_tokens: 100,
			},
			gateway,
		);
		expect(orphan.status).toBe(400);
	});
});

/**
 * /v1/chat/completions with tools, tool-call histories and JSON mode, through the real `Ai`
 * binding against the emulator: each model family gets the parameters in the form it takes
 * (or a 400 `unsupported_parameter` naming the parameter), and every answer comes back in
 * OpenAI's shape, `tool_calls` and `finish_reason: "tool_calls"` included, JSON and streamed.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createHarness, readEvents } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const SCOUT = "@cf/meta/llama-4-scout-17b-16e-instruct";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const MISTRAL = "@cf/mistral/mistral-7b-instruct-v0.1";
const OPENAI = "openai/gpt-4.1-mini";
const ANTHROPIC = "anthropic/claude-sonnet-4";
/** A third-party author beyond the first three: OpenAI's shape too. */
const XAI = "xai/grok-4";
const allowed = {
	ALLOWED_MODELS: [LLAMA, SCOUT, GPT_OSS, MISTRAL, OPENAI, ANTHROPIC, XAI, "dynamic/tools"].join(
		",",
	),
};
const routes = { tools: { model: "openai/gpt-4.1-mini" } };

const weather = {
	type: "function" as const,
	function: {
		name: "get_weather",
		description: "The weather in a city",
		parameters: {
			type: "object",
			properties: {
				city: { type: "string", description: "The city" },
				unit: { type: "string", enum: ["c", "f"] },
			},
			required: ["city"],
		},
	},
};
const time = {
	type: "function" as const,
	function: {
		name: "get_time",
		parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
	},
};
const question = [{ role: "user", content: "Weather in Paris?" }];

interface ToolCall {
	id: string;
	type: string;
	function: { name: string; arguments: string };
}
interface Completion {
	choices: {
		message: { role: string; content: string | null; tool_calls?: ToolCall[] };
		finish_reason: string;
	}[];
}
interface Chunk {
	choices: {
		delta: {
			content?: string | null;
			tool_calls?: {
				index: number;
				id?: string;
				type?: string;
				function: { name?: string; arguments?: string };
			}[];
		};
		finish_reason: string | null;
	}[];
}
interface OpenAiError {
	error: { message: string; type: string; code: string; param: string | null };
}

function setup() {
	const harness = createHarness({ dynamicRoutes: routes }, allowed);
	const completions = (body: Record<string, unknown>) =>
		harness.postJson("/v1/chat/completions", { messages: question, ...body });
	return { ...harness, completions };
}

/** A stream's chunks, and the tool calls its deltas build (OpenAI's way of joining them). */
async function streamed(res: Response) {
	expect(res.status).toBe(200);
	const events = await readEvents(res);
	expect(events.at(-1)?.data).toBe("[DONE]");
	const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data) as Chunk);
	const calls: ToolCall[] = [];
	let content = "";
	for (const chunk of chunks) {
		content += chunk.choices[0]?.delta.content ?? "";
		for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
			calls[delta.index] ??= { id: "", type: "", function: { name: "", arguments: "" } };
			const call = calls[delta.index] as ToolCall;
			if (delta.id) call.id = delta.id;
			if (delta.type) call.type = delta.type;
			call.function.name += delta.function.name ?? "";
			call.function.arguments += delta.function.arguments ?? "";
		}
	}
	const finish = chunks.findLast((chunk) => chunk.choices[0]?.finish_reason)?.choices[0]
		?.finish_reason;
	return { chunks, calls, content, finish };
}

const expectWeatherCall = (call: ToolCall | undefined) => {
	expect(call).toMatchObject({ type: "function", function: { name: "get_weather" } });
	expect(call?.id).toMatch(/^\w{9,}/);
	expect(JSON.parse(call?.function.arguments ?? "")).toEqual({ city: expect.any(String) });
};

async function expectUnsupported(res: Response, param: string, mention: RegExp) {
	expect(res.status).toBe(400);
	const { error } = (await res.json()) as OpenAiError;
	expect(error).toMatchObject({
		type: "invalid_request_error",
		code: "unsupported_parameter",
		param,
	});
	expect(error.message).toMatch(mention);
	return error.message;
}

describe("tools on /v1", () => {
	describe.each([LLAMA, SCOUT, GPT_OSS, OPENAI, XAI, ANTHROPIC, "dynamic/tools"])("%s", (model) => {
		it("answers a tool call in OpenAI's shape with finish_reason tool_calls", async () => {
			const { completions, emulator } = setup();
			const res = await completions({ model, tools: [weather, time] });
			expect(res.status).toBe(200);
			const body = (await res.json()) as Completion;
			const [choice] = body.choices;
			expect(choice?.finish_reason).toBe("tool_calls");
			expect(choice?.message.content).toBeNull();
			expect(choice?.message.tool_calls).toHaveLength(1);
			expectWeatherCall(choice?.message.tool_calls?.[0]);
			expect(emulator.runs).toHaveLength(1);
		});

		it("streams the tool call as delta.tool_calls, then finish_reason tool_calls", async () => {
			const { completions } = setup();
			const { calls, finish, chunks } = await streamed(
				await completions({ model, tools: [weather], stream: true }),
			);
			expect(calls).toHaveLength(1);
			expectWeatherCall(calls[0]);
			expect(finish).toBe("tool_calls");
			expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
		});
	});

	it("sends Workers AI's own models their tool form, description filled in, and no stream", async () => {
		const { completions, emulator } = setup();
		await completions({ model: LLAMA, tools: [time], stream: true });
		expect(emulator.runs[0]?.inputs).toMatchObject({
			stream: false,
			tools: [
				{
					type: "function",
					function: {
						name: "get_time",
						description: "",
						parameters: {
							type: "object",
							properties: { zone: { type: "string", description: "" } },
							required: ["zone"],
						},
					},
				},
			],
		});
		expect(emulator.runs[0]?.inputs).not.toHaveProperty("tool_choice");
	});

	it("passes tools, tool_choice and parallel_tool_calls as they are to OpenAI-shaped models", async () => {
		for (const model of [GPT_OSS, OPENAI, XAI, "dynamic/tools"]) {
			const { completions, emulator } = setup();
			const choice = { type: "function", function: { name: "get_time" } };
			const res = await completions({
				model,
				tools: [weather, time],
				tool_choice: choice,
				parallel_tool_calls: false,
			});
			expect(emulator.runs[0]?.inputs).toMatchObject({
				tools: [weather, time],
				tool_choice: choice,
				parallel_tool_calls: false,
			});
			const body = (await res.json()) as Completion;
			expect(body.choices[0]?.message.tool_calls?.[0]?.function.name).toBe("get_time");
		}
	});

	it("gives Anthropic its own tool form and tool_choice", async () => {
		const { completions, emulator } = setup();
		const res = await completions({
			model: ANTHROPIC,
			tools: [weather, time],
			tool_choice: "required",
			parallel_tool_calls: false,
		});
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.inputs).toMatchObject({
			tools: [
				{
					name: "get_weather",
					description: "The weather in a city",
					input_schema: weather.function.parameters,
				},
				{ name: "get_time", input_schema: time.function.parameters },
			],
			tool_choice: { type: "any", disable_parallel_tool_use: true },
		});
	});

	it("drops the tools with tool_choice none on Workers AI's own models, and answers text", async () => {
		const { completions, emulator } = setup();
		const res = await completions({ model: LLAMA, tools: [weather], tool_choice: "none" });
		const body = (await res.json()) as Completion;
		expect(emulator.runs[0]?.inputs).not.toHaveProperty("tools");
		expect(body.choices[0]).toMatchObject({ finish_reason: "stop" });
		expect(body.choices[0]?.message.content).toContain("Weather in Paris?");
	});

	it("refuses a tool_choice Workers AI's own models cannot honour, naming the models that can", async () => {
		const { completions, emulator } = setup();
		for (const tool_choice of ["required", { type: "function", function: { name: "get_time" } }]) {
			const message = await expectUnsupported(
				await completions({ model: LLAMA, tools: [weather, time], tool_choice }),
				"tool_choice",
				/tool_choice/,
			);
			expect(message).toContain(GPT_OSS);
			expect(message).toContain(OPENAI);
			expect(message).not.toContain(MISTRAL);
		}
		await expectUnsupported(
			await completions({ model: SCOUT, tools: [weather], parallel_tool_calls: false }),
			"parallel_tool_calls",
			/parallel_tool_calls/,
		);
		expect(emulator.runs).toHaveLength(0);
	});

	it("refuses tools for a model without function calling, naming the allowed models that have it", async () => {
		const { completions, emulator } = setup();
		const message = await expectUnsupported(
			await completions({ model: MISTRAL, tools: [weather] }),
			"tools",
			/cannot call tools/,
		);
		for (const model of [LLAMA, SCOUT, GPT_OSS, OPENAI, ANTHROPIC])
			expect(message).toContain(model);
		expect(message).not.toContain(`${MISTRAL},`);
		expect(emulator.runs).toHaveLength(0);
	});

	it("refuses two tools of the same name, naming it", async () => {
		const { completions, emulator } = setup();
		const other = { type: "function", function: { name: "get_time" } };
		const res = await completions({ model: GPT_OSS, tools: [weather, other, weather] });
		expect(res.status).toBe(400);
		expect(((await res.json()) as OpenAiError).error).toEqual({
			type: "invalid_request_error",
			code: "invalid_request",
			param: "tools[2].function.name",
			message:
				"tools[2].function.name: 'get_weather' is the name of tools[0] too; give each tool its own name",
		});
		expect(emulator.runs).toHaveLength(0);
	});

	it("checks tool_choice against the tools", async () => {
		const { completions } = setup();
		for (const [body, param] of [
			[{ tool_choice: "required" }, "tool_choice"],
			[
				{ tools: [weather], tool_choice: { type: "function", function: { name: "nope" } } },
				"tool_choice",
			],
			[
				{ tools: [{ type: "function", function: { name: "bad name!" } }] },
				"tools[0].function.name",
			],
			[{ tools: [{ type: "function" }] }, "tools[0].function"],
			[{ tools: [weather, { ...weather }] }, "tools[1].function.name"],
		] as const) {
			const res = await completions({ model: GPT_OSS, ...body });
			expect(res.status).toBe(400);
			expect(((await res.json()) as OpenAiError).error).toMatchObject({
				code: "invalid_request",
				param,
			});
		}
	});
});

describe("tool-call histories on /v1", () => {
	const call = {
		id: "call_0123456789abcdef",
		type: "function",
		function: { name: "get_weather", arguments: '{"city":"Paris"}' },
	};
	const history = [
		{ role: "system", content: "Use the tools." },
		...question,
		{ role: "assistant", content: null, tool_calls: [call] },
		{ role: "tool", tool_call_id: call.id, content: "18 degrees, sunny" },
	];

	it.each([GPT_OSS, OPENAI, "dynamic/tools"])(
		"passes an OpenAI-shaped history as it is to %s, and gets the text answer",
		async (model) => {
			const { completions, emulator } = setup();
			const res = await completions({ model, messages: history, tools: [weather] });
			expect(res.status).toBe(200);
			expect(emulator.runs[0]?.inputs).toMatchObject({ messages: history });
			const body = (await res.json()) as Completion;
			expect(body.choices[0]?.finish_reason).toBe("stop");
			expect(body.choices[0]?.message.content).toContain("18 degrees, sunny");
			expect(body.choices[0]?.message).not.toHaveProperty("tool_calls");
		},
	);

	it("gives Workers AI's own models string contents (the calls as JSON) and the tool message", async () => {
		const { completions, emulator } = setup();
		const res = await completions({ model: LLAMA, messages: history, tools: [weather] });
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.inputs).toMatchObject({
			messages: [
				{ role: "system", content: "Use the tools." },
				{ role: "user", content: "Weather in Paris?" },
				{
					role: "assistant",
					content: JSON.stringify([{ name: "get_weather", arguments: { city: "Paris" } }]),
				},
				{ role: "tool", tool_call_id: call.id, content: "18 degrees, sunny" },
			],
		});
		const body = (await res.json()) as Completion;
		expect(body.choices[0]?.message.content).toContain("18 degrees, sunny");
	});

	it("gives Anthropic tool_use and tool_result blocks", async () => {
		const { completions, emulator } = setup();
		const res = await completions({ model: ANTHROPIC, messages: history, tools: [weather] });
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.inputs).toMatchObject({
			system: "Use the tools.",
			messages: [
				{ role: "user", content: "Weather in Paris?" },
				{
					role: "assistant",
					content: [
						{ type: "tool_use", id: call.id, name: "get_weather", input: { city: "Paris" } },
					],
				},
				{
					role: "user",
					content: [{ type: "tool_result", tool_use_id: call.id, content: "18 degrees, sunny" }],
				},
			],
		});
		expect(((await res.json()) as Completion).choices[0]?.message.content).toContain(
			"18 degrees, sunny",
		);
	});

	it("refuses a history with tool calls for a model without function calling", async () => {
		const { completions, emulator } = setup();
		await expectUnsupported(
			await completions({ model: MISTRAL, messages: history }),
			"messages",
			/tool/,
		);
		expect(emulator.runs).toHaveLength(0);
	});

	it("checks the shape of tool messages and tool calls", async () => {
		const { completions } = setup();
		for (const [messages, param] of [
			[[...question, { role: "tool", content: "x" }], "messages[1].tool_call_id"],
			[[...question, { role: "assistant", content: null }], "messages[1]"],
			[
				[...question, { role: "assistant", content: null, tool_calls: [{ ...call, id: "" }] }],
				"messages[1].tool_calls[0].id",
			],
			[[{ role: "function", content: "x" }], "messages[0].role"],
		] as const) {
			const res = await completions({ model: GPT_OSS, messages });
			expect(res.status).toBe(400);
			expect(((await res.json()) as OpenAiError).error).toMatchObject({
				code: "invalid_request",
				param,
			});
		}
	});
});

describe("JSON mode on /v1", () => {
	const schema = {
		type: "object",
		properties: { name: { type: "string" }, population: { type: "integer" } },
		required: ["name", "population"],
	};
	const jsonSchema = { type: "json_schema", json_schema: { name: "city", schema } };

	it.each([LLAMA, SCOUT, GPT_OSS, OPENAI, "dynamic/tools"])(
		"answers %s's JSON as the message content, JSON and streamed",
		async (model) => {
			const { completions } = setup();
			const res = await completions({ model, response_format: jsonSchema });
			expect(res.status).toBe(200);
			const body = (await res.json()) as Completion;
			expect(body.choices[0]?.finish_reason).toBe("stop");
			expect(JSON.parse(body.choices[0]?.message.content ?? "")).toEqual({
				name: expect.any(String),
				population: expect.any(Number),
			});
			const { content, finish } = await streamed(
				await completions({ model, response_format: { type: "json_object" }, stream: true }),
			);
			expect(JSON.parse(content)).toBeTypeOf("object");
			expect(finish).toBe("stop");
		},
	);

	it("gives Workers AI's own models their response_format, unstreamed (JSON mode does not stream)", async () => {
		const { completions, emulator } = setup();
		await completions({ model: LLAMA, response_format: jsonSchema, stream: true });
		await completions({ model: LLAMA, response_format: { type: "json_object" } });
		expect(emulator.runs.map((run) => run.inputs)).toMatchObject([
			{ response_format: { type: "json_schema", json_schema: schema }, stream: false },
			{ response_format: { type: "json_object" } },
		]);
	});

	it("passes response_format as it is to OpenAI-shaped models", async () => {
		const { completions, emulator } = setup();
		await completions({ model: GPT_OSS, response_format: jsonSchema, stream: true });
		expect(emulator.runs[0]?.inputs).toMatchObject({ response_format: jsonSchema, stream: true });
	});

	it("refuses JSON mode where the model has none, and takes type text anywhere", async () => {
		const { completions, emulator } = setup();
		for (const model of [ANTHROPIC, MISTRAL]) {
			const message = await expectUnsupported(
				await completions({ model, response_format: { type: "json_object" } }),
				"response_format",
				/JSON mode/,
			);
			expect(message).toContain(LLAMA);
			expect(message).toContain(GPT_OSS);
		}
		expect(emulator.runs).toHaveLength(0);
		const text = await completions({ model: ANTHROPIC, response_format: { type: "text" } });
		expect(text.status).toBe(200);
	});
});

describe("parameters no model here honours", () => {
	it.each([
		[{ logprobs: true }, "logprobs"],
		[{ top_logprobs: 2 }, "top_logprobs"],
		[{ functions: [{ name: "f" }] }, "functions"],
		[{ function_call: "auto" }, "function_call"],
	])("%j is refused as unsupported_parameter", async (body, param) => {
		const { completions, emulator } = setup();
		for (const model of [GPT_OSS, OPENAI]) {
			await expectUnsupported(await completions({ model, ...body }), param, new RegExp(param));
		}
		expect(emulator.runs).toHaveLength(0);
	});

	it("takes logprobs false and null as the defaults they are", async () => {
		const { completions } = setup();
		expect((await completions({ model: LLAMA, logprobs: false })).status).toBe(200);
		expect((await completions({ model: LLAMA, logprobs: null, top_logprobs: null })).status).toBe(
			200,
		);
	});
});

describe("empty prompts on /v1", () => {
	it.each([
		["only an assistant message", [{ role: "assistant", content: "Hello" }], "messages"],
		["a user message with empty content", [{ role: "user", content: "" }], "messages[0].content"],
		["a user message with no parts", [{ role: "user", content: [] }], "messages[0].content"],
		[
			"a blank user message after a system prompt",
			[
				{ role: "system", content: "Be brief." },
				{ role: "user", content: "  \n" },
			],
			"messages[1].content",
		],
		[
			"a blank last user message after one with text (the same rule as /api/chat)",
			[
				{ role: "user", content: "Hi" },
				{ role: "assistant", content: "Hello" },
				{ role: "user", content: " " },
			],
			"messages[2].content",
		],
	])("%s is a 400 empty_prompt that reaches no model", async (_name, messages, param) => {
		const { completions, emulator } = setup();
		const res = await completions({ model: LLAMA, messages });
		expect(res.status).toBe(400);
		const { error } = (await res.json()) as OpenAiError;
		expect(error).toMatchObject({
			type: "invalid_request_error",
			code: "empty_prompt",
			param,
		});
		expect(error.message).toMatch(/user message/);
		expect(emulator.runs).toHaveLength(0);
	});

	it("takes a conversation whose last turn is a tool result", async () => {
		const { completions } = setup();
		const res = await completions({
			model: GPT_OSS,
			messages: [
				{ role: "user", content: "" },
				{
					role: "assistant",
					content: null,
					tool_calls: [
						{ id: "call_abcdefghij", type: "function", function: { name: "f", arguments: "{}" } },
					],
				},
				{ role: "tool", tool_call_id: "call_abcdefghij", content: "done" },
			],
		});
		expect(res.status).toBe(200);
	});
});

describe("a request the model itself rejects (400)", () => {
	afterEach(() => vi.restoreAllMocks());

	/** Lines the Worker logged at error and at warn level. */
	function consoleLevels() {
		const error = vi.spyOn(console, "error");
		const warn = vi.spyOn(console, "warn");
		const lines = (spy: typeof error) => spy.mock.calls.map((call) => call.map(String).join(" "));
		return () => ({ errors: lines(error), warnings: lines(warn) });
	}

	it.each([
		[
			"a tool property without a type, on Llama",
			{
				model: LLAMA,
				tools: [
					{
						type: "function",
						function: {
							name: "get_weather",
							parameters: { type: "object", properties: { city: { description: "The city" } } },
						},
					},
				],
			},
			"tools[0]",
			/oneOf at '\/tools\/0' not all met/,
		],
		[
			"a tool message answering no call, on gpt-oss",
			{
				model: GPT_OSS,
				messages: [...question, { role: "tool", tool_call_id: "call_nobody_made", content: "18" }],
			},
			"messages[1]",
			/role 'tool' must be a response to a preceding message with 'tool_calls'/,
		],
	])(
		"%s: its own words and param reach the client, logged as a warning",
		async (_name, body, param, words) => {
			const logged = consoleLevels();
			const { completions } = setup();
			const res = await completions(body);
			expect(res.status).toBe(400);
			const { error } = (await res.json()) as OpenAiError;
			expect(error).toMatchObject({
				type: "invalid_request_error",
				code: "invalid_request",
				param,
			});
			expect(error.message).toMatch(words);
			expect(error.message.startsWith(`${param}: `)).toBe(true);
			const { errors, warnings } = logged();
			expect(errors).toEqual([]);
			expect(warnings.join("\n")).toMatch(/the AI service answered 400/);
		},
	);
});

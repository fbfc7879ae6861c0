import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { emulatedAnswer } from "../../../emulator/src/index.ts";
import { createSharedHarness } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const API_KEY = "sk-test-0123456789abcdefghijklmnopqrstuv";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

/** The SDKs' HTTP goes to the Worker's own fetch handler. */
const workerFetch = (harness: Harness) => (input: RequestInfo | URL, init?: RequestInit) => {
	const url = new URL(input instanceof Request ? input.url : String(input));
	return harness.call(`${url.pathname}${url.search}`, input instanceof Request ? input : init);
};

async function setup(overrides: Partial<Cloudflare.Env> = {}) {
	const harness = await createSharedHarness({}, { API_KEYS: API_KEY, ...overrides });
	const openai = new OpenAI({
		apiKey: API_KEY,
		baseURL: "https://worker.test/v1",
		fetch: workerFetch(harness),
		maxRetries: 0,
	});
	const provider = createOpenAICompatible({
		name: "worker",
		apiKey: API_KEY,
		baseURL: "https://worker.test/v1",
		fetch: workerFetch(harness) as typeof fetch,
		includeUsage: true,
	});
	return { harness, openai, provider };
}

const question = [{ role: "user" as const, content: "Hello from an SDK" }];

describe.each([LLAMA, GPT_OSS])("the official openai package, model %s", (model) => {
	const expected = emulatedAnswer(model, question);

	it("gets a chat.completion with usage, and rates it with the headers", async () => {
		const { harness, openai } = await setup();
		const { data, response } = await openai.chat.completions
			.create({ model, messages: question, user: "user-42" })
			.withResponse();
		expect(data.object).toBe("chat.completion");
		expect(data.model).toBe(model);
		expect(data.choices[0]?.message.content).toBe(expected);
		expect(data.choices[0]?.finish_reason).toBe("stop");
		expect(data.usage).toMatchObject({ prompt_tokens: 4, completion_tokens: expect.any(Number) });
		const aiGatewayLogId = response.headers.get("cf-aig-log-id");
		const token = response.headers.get("x-feedback-token");
		expect(data.id).toBe(`chatcmpl-${aiGatewayLogId}`);
		expect(
			(await harness.vote({ aiGatewayLogId, token, feedback: "up", comment: "via openai" })).status,
		).toBe(202);
		expect((await harness.settled(aiGatewayLogId ?? "", token)).state).toBe("delivered");
		const log = await harness.peek(aiGatewayLogId ?? "");
		expect(log?.feedback).toBe(1);
		expect(log?.metadata).toMatchObject({
			route: "/v1/chat/completions",
			user: "user-42",
			vote: "up",
		});
		expect(Object.keys(log?.metadata ?? {})).toHaveLength(5);
	});

	it("streams chat.completion.chunk events with usage", async () => {
		const { openai } = await setup();
		const { data: stream, response } = await openai.chat.completions
			.create({ model, messages: question, stream: true, stream_options: { include_usage: true } })
			.withResponse();
		expect(response.headers.get("cf-aig-log-id")).toBeTruthy();
		expect(response.headers.get("x-feedback-token")).toMatch(/^v1\./);
		let text = "";
		let deltas = 0;
		let usage: OpenAI.CompletionUsage | null | undefined;
		let finish: string | null | undefined;
		for await (const chunk of stream) {
			expect(chunk.object).toBe("chat.completion.chunk");
			const content = chunk.choices[0]?.delta.content;
			if (content) {
				text += content;
				deltas++;
			}
			finish = chunk.choices[0]?.finish_reason ?? finish;
			if (chunk.usage) usage = chunk.usage;
		}
		expect(text).toBe(expected);
		expect(deltas).toBeGreaterThan(5);
		expect(finish).toBe("stop");
		expect(usage?.prompt_tokens).toBe(4);
	});
});

describe.each([LLAMA, GPT_OSS])(
	"the Vercel AI SDK with @ai-sdk/openai-compatible, model %s",
	(model) => {
		const expected = emulatedAnswer(model, question);

		it("generates text with usage, and rates it with the headers", async () => {
			const { harness, provider } = await setup();
			const result = await generateText({ model: provider(model), messages: question });
			expect(result.text).toBe(expected);
			expect(result.usage.inputTokens).toBe(4);
			expect(result.usage.outputTokens).toBeGreaterThan(0);
			const headers = result.response.headers ?? {};
			const aiGatewayLogId = headers["cf-aig-log-id"] ?? "";
			const token = headers["x-feedback-token"] ?? "";
			expect((await harness.vote({ aiGatewayLogId, token, feedback: "down" })).status).toBe(202);
			expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
			expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
		});

		it("streams text with usage", async () => {
			const { provider } = await setup();
			const result = streamText({ model: provider(model), messages: question });
			const parts: string[] = [];
			for await (const part of result.textStream) parts.push(part);
			expect(parts.join("")).toBe(expected);
			expect(parts.length).toBeGreaterThan(5);
			expect((await result.usage).inputTokens).toBe(4);
			expect((await result.response).headers?.["cf-aig-log-id"]).toBeTruthy();
		});
	},
);

const weatherTool: OpenAI.ChatCompletionFunctionTool = {
	type: "function",
	function: {
		name: "get_weather",
		description: "The weather in a city",
		parameters: {
			type: "object",
			properties: { city: { type: "string", description: "The city" } },
			required: ["city"],
		},
	},
};
const weatherQuestion = [{ role: "user" as const, content: "Weather in Paris?" }];

describe.each([LLAMA, GPT_OSS])("the official openai package with tools, model %s", (model) => {
	it("gets tool_calls back as JSON, with finish_reason tool_calls", async () => {
		const { openai } = await setup();
		const completion = await openai.chat.completions.create({
			model,
			messages: weatherQuestion,
			tools: [weatherTool],
		});
		const [choice] = completion.choices;
		expect(choice?.finish_reason).toBe("tool_calls");
		const call = choice?.message.tool_calls?.[0];
		expect(call?.type).toBe("function");
		if (call?.type !== "function") throw new Error("no function call");
		expect(call.function.name).toBe("get_weather");
		expect(JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String) });
	});

	it("streams tool_calls that the SDK's stream helper puts together", async () => {
		const { openai } = await setup();
		const stream = openai.chat.completions.stream({
			model,
			messages: weatherQuestion,
			tools: [weatherTool],
		});
		const completion = await stream.finalChatCompletion();
		const [choice] = completion.choices;
		expect(choice?.finish_reason).toBe("tool_calls");
		const call = choice?.message.tool_calls?.[0];
		if (call?.type !== "function") throw new Error("no function call");
		expect(call.function.name).toBe("get_weather");
		expect(call.id).toBeTruthy();
		expect(JSON.parse(call.function.arguments)).toEqual({ city: expect.any(String) });
	});

	it("round-trips a tool call: the answer with the tool's result comes back as text", async () => {
		const { openai } = await setup();
		const first = await openai.chat.completions.create({
			model,
			messages: weatherQuestion,
			tools: [weatherTool],
		});
		const assistant = first.choices[0]?.message;
		const call = assistant?.tool_calls?.[0];
		if (!assistant || !call) throw new Error("no tool call");
		const second = await openai.chat.completions.create({
			model,
			tools: [weatherTool],
			messages: [
				...weatherQuestion,
				assistant,
				{ role: "tool", tool_call_id: call.id, content: "18 degrees and sunny" },
			],
		});
		expect(second.choices[0]?.finish_reason).toBe("stop");
		expect(second.choices[0]?.message.content).toContain("18 degrees and sunny");
	});
});

describe("the Vercel AI SDK with tools", () => {
	it("runs a tool the model calls and answers with its result", async () => {
		const { provider } = await setup();
		let asked: unknown;
		const result = await generateText({
			model: provider(GPT_OSS),
			prompt: "Weather in Paris?",
			tools: {
				get_weather: tool({
					description: "The weather in a city",
					inputSchema: jsonSchema<{ city: string }>({
						type: "object",
						properties: { city: { type: "string" } },
						required: ["city"],
					}),
					execute: async (input) => {
						asked = input;
						return "18 degrees and sunny";
					},
				}),
			},
			stopWhen: stepCountIs(2),
		});
		expect(asked).toEqual({ city: expect.any(String) });
		expect(result.steps[0]?.finishReason).toBe("tool-calls");
		expect(result.text).toContain("18 degrees and sunny");
	});
});

describe("errors through the SDKs", () => {
	it("openai: a model outside the allow-list is a 400 with OpenAI's error shape", async () => {
		const { openai } = await setup();
		const error = await openai.chat.completions
			.create({ model: "gpt-4o", messages: question })
			.catch((err: unknown) => err);
		expect(error).toBeInstanceOf(OpenAI.BadRequestError);
		expect(error).toMatchObject({
			status: 400,
			code: "model_not_allowed",
			param: "model",
			type: "invalid_request_error",
		});
	});

	it("openai: a bad key is a 401 AuthenticationError; no key configured means open", async () => {
		const { harness } = await setup();
		const wrongKey = new OpenAI({
			apiKey: "sk-wrong",
			baseURL: "https://worker.test/v1",
			fetch: workerFetch(harness),
			maxRetries: 0,
		});
		const error = await wrongKey.chat.completions
			.create({ model: LLAMA, messages: question })
			.catch((err: unknown) => err);
		expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
		expect(error).toMatchObject({
			status: 401,
			code: "unauthorized",
			type: "authentication_error",
		});
		await expect(wrongKey.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);

		const open = await setup({ API_KEYS: undefined });
		const anyKey = new OpenAI({
			apiKey: "anything",
			baseURL: "https://worker.test/v1",
			fetch: workerFetch(open.harness),
			maxRetries: 0,
		});
		expect(
			(await anyKey.chat.completions.create({ model: LLAMA, messages: question })).object,
		).toBe("chat.completion");
	});

	it("openai: an upstream failure is a 502 InternalServerError", async () => {
		const { harness, openai } = await setup();
		await harness.fail("run", 500);
		const error = await openai.chat.completions
			.create({ model: LLAMA, messages: question })
			.catch((err: unknown) => err);
		expect(error).toBeInstanceOf(OpenAI.InternalServerError);
		expect(error).toMatchObject({ status: 502, code: "upstream_error", type: "api_error" });
	});

	it("openai: an upstream 429 is a RateLimitError", async () => {
		const { harness, openai } = await setup();
		await harness.fail("run", 429);
		const error = await openai.chat.completions
			.create({ model: GPT_OSS, messages: question })
			.catch((err: unknown) => err);
		expect(error).toBeInstanceOf(OpenAI.RateLimitError);
	});

	it("AI SDK: a rejected model, a bad key and an upstream error all surface as API call errors", async () => {
		const { harness, provider } = await setup();
		await expect(
			generateText({ model: provider("gpt-4o"), messages: question, maxRetries: 0 }),
		).rejects.toMatchObject({
			statusCode: 400,
		});
		const badKey = createOpenAICompatible({
			name: "worker",
			apiKey: "nope",
			baseURL: "https://worker.test/v1",
			fetch: workerFetch(harness) as typeof fetch,
		});
		await expect(
			generateText({ model: badKey(LLAMA), messages: question, maxRetries: 0 }),
		).rejects.toMatchObject({
			statusCode: 401,
		});
		await harness.fail("run", 503);
		await expect(
			generateText({ model: provider(LLAMA), messages: question, maxRetries: 0 }),
		).rejects.toMatchObject({
			statusCode: 502,
		});
	});

	it("openai: a mid-stream failure raises an error instead of ending quietly", async () => {
		const { harness, openai } = await setup();
		await harness.configure({ streamFailureAfterTokens: 3 });
		const stream = await openai.chat.completions.create({
			model: LLAMA,
			messages: question,
			stream: true,
		});
		const consume = async () => {
			for await (const _chunk of stream) {
				// drain
			}
		};
		await expect(consume()).rejects.toThrow(/stream failed/);
	});
});

describe("GET /v1/models", () => {
	it("lists the allowed models in OpenAI's list shape", async () => {
		const { openai, harness } = await setup();
		const models = [];
		for await (const model of openai.models.list()) models.push(model.id);
		expect(models).toEqual(harness.env.ALLOWED_MODELS.split(","));
	});
});

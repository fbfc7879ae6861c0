/**
 * Third-party models through the real `Ai.run`: `openai/...` and `google/...` answer in
 * OpenAI chat completions (Cloudflare normalises them on this path), `anthropic/...` in
 * Anthropic Messages, natively; `googleWire: "gemini"` switches Google to native Gemini.
 */
import { describe, expect, it } from "vitest";
import { emulatedAnswer } from "../../emulator/src/index.ts";
import {
	type AiGatewayErrorBody,
	type ChatCompletion,
	dataOf,
	eventsOf,
	messages,
	rawRun,
	run,
	setup,
} from "./helpers.ts";

const GW = "third-party";
const gateway = { gateway: { id: GW } };

describe("openai/... through env.AI.run", () => {
	it("is sent to /ai-gateway/run with the model in cf-consn-model-id", async () => {
		const { ai, sent } = setup();
		await run(ai, "openai/gpt-4.1-mini", { messages }, gateway);
		const request = sent[0];
		expect(request?.url).toBe("https://workers-binding.ai/ai-gateway/run?version=3");
		expect(request?.headers.get("cf-consn-model-id")).toBe("openai/gpt-4.1-mini");
		expect(await request?.json()).toEqual({
			inputs: { messages },
			options: { gateway: { id: GW } },
		});
	});

	it("answers a chat.completion with usage", async () => {
		const { emulator, ai } = setup();
		const body = (await run(ai, "openai/gpt-4.1-mini", { messages }, gateway)) as ChatCompletion;
		expect(body).toMatchObject({
			object: "chat.completion",
			model: "gpt-4.1-mini",
			choices: [
				{
					index: 0,
					message: { role: "assistant", content: emulatedAnswer("gpt-4.1-mini", messages) },
					finish_reason: "stop",
				},
			],
			usage: { prompt_tokens: 2, completion_tokens: expect.any(Number) },
		});
		expect(body.id).toMatch(/^chatcmpl-/);
		expect(ai.aiGatewayLogId).toBe(emulator.runs[0]?.logId);
		expect(emulator.logs.peek(ai.aiGatewayLogId ?? "")).toMatchObject({
			provider: "openai",
			model: "gpt-4.1-mini",
			status_code: 200,
		});
	});

	it("streams chunks ending with [DONE], usage only with stream_options.include_usage", async () => {
		const { ai } = setup();
		const plain = await run(ai, "openai/gpt-4.1-mini", { messages, stream: true }, gateway);
		expect(plain).toBeInstanceOf(ReadableStream);
		const chunks = await dataOf(plain as ReadableStream);
		expect(chunks.at(-1)).toBe("[DONE]");
		expect(chunks.some((chunk) => typeof chunk === "object" && chunk && "usage" in chunk)).toBe(
			false,
		);
		const text = (chunks.slice(0, -1) as { choices: { delta: { content?: string } }[] }[])
			.map((chunk) => chunk.choices[0]?.delta.content ?? "")
			.join("");
		expect(text).toBe(emulatedAnswer("gpt-4.1-mini", messages));

		const withUsage = await dataOf(
			(await run(
				ai,
				"openai/gpt-4.1-mini",
				{ messages, stream: true, stream_options: { include_usage: true } },
				gateway,
			)) as ReadableStream,
		);
		expect(withUsage.at(-2)).toMatchObject({ choices: [], usage: { prompt_tokens: 2 } });
	});

	it("needs a gateway", async () => {
		const { ai } = setup();
		await expect(run(ai, "openai/gpt-4.1-mini", { messages })).rejects.toMatchObject({
			name: "InferenceUpstreamError",
			message: expect.stringMatching(/^5007: /),
		});
	});
});

describe("anthropic/... through env.AI.run", () => {
	const SONNET = "anthropic/claude-sonnet-4";
	const request = {
		system: "You are terse.",
		messages: [{ role: "user", content: "Hello Claude" }],
		max_tokens: 1024,
	};
	const answer = emulatedAnswer("claude-sonnet-4", request.messages);

	it("answers an Anthropic message", async () => {
		const { emulator, ai } = setup();
		const body = await run(ai, SONNET, request, gateway);
		expect(body).toEqual({
			id: expect.stringMatching(/^msg_[0-9a-f]{32}$/),
			type: "message",
			role: "assistant",
			model: "claude-sonnet-4",
			content: [{ type: "text", text: answer }],
			stop_reason: "end_turn",
			stop_sequence: null,
			// The system prompt counts as input.
			usage: { input_tokens: 5, output_tokens: expect.any(Number) },
		});
		expect(emulator.logs.peek(ai.aiGatewayLogId ?? "")).toMatchObject({
			provider: "anthropic",
			model: "claude-sonnet-4",
		});
	});

	it("stops at max_tokens with stop_reason max_tokens", async () => {
		const { ai } = setup();
		const body = (await run(ai, SONNET, { ...request, max_tokens: 2 }, gateway)) as {
			content: { text: string }[];
			stop_reason: string;
			usage: { output_tokens: number };
		};
		expect(body.content[0]?.text).toBe("[emulated] This");
		expect(body.stop_reason).toBe("max_tokens");
		expect(body.usage.output_tokens).toBe(2);
	});

	it("streams the Messages event sequence, with event: lines and no [DONE]", async () => {
		const { ai } = setup();
		const stream = (await run(ai, SONNET, { ...request, stream: true }, gateway)) as ReadableStream;
		const events = await eventsOf(stream);
		const names = events.map((event) => event.event);
		expect(names.slice(0, 3)).toEqual(["message_start", "content_block_start", "ping"]);
		expect(names.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
		expect(events.every((event) => event.data !== "[DONE]")).toBe(true);
		const data = events.map((event) => JSON.parse(event.data));
		expect(data.every((item, i) => item.type === names[i])).toBe(true);
		expect(data[0].message).toMatchObject({
			type: "message",
			role: "assistant",
			content: [],
			usage: { input_tokens: 5 },
		});
		const deltas = data.filter((item) => item.type === "content_block_delta");
		expect(deltas.every((item) => item.delta.type === "text_delta")).toBe(true);
		expect(deltas.map((item) => item.delta.text).join("")).toBe(answer);
		expect(data.at(-2)).toEqual({
			type: "message_delta",
			delta: { stop_reason: "end_turn", stop_sequence: null },
			usage: { output_tokens: deltas.length },
		});
	});

	it("refuses a request without max_tokens as the gateway does (400, code 7003)", async () => {
		const { emulator, ai } = setup();
		const { max_tokens: _, ...withoutMax } = request;
		await expect(run(ai, SONNET, withoutMax, gateway)).rejects.toMatchObject({
			name: "AiGatewayError",
			message: "7003: User Input Error",
		});
		const res = await rawRun(ai, SONNET, withoutMax, gateway);
		expect(res.status).toBe(400);
		expect(await res.json()).toMatchObject({
			name: "AiGatewayError",
			internalCode: 7003,
			error: [
				{
					code: 7003,
					message: "Model execution failed (User Input Error): Required value missing: max_tokens",
				},
			],
		} satisfies Partial<AiGatewayErrorBody>);
		// Logged, like every request through the gateway.
		expect(emulator.logs.peek(res.headers.get("cf-aig-log-id") ?? "")).toMatchObject({
			status_code: 400,
		});
	});

	it("refuses a system role in messages, and a system that is not a string", async () => {
		const { ai } = setup();
		const systemRole = await rawRun(
			ai,
			SONNET,
			{
				max_tokens: 100,
				messages: [{ role: "system", content: "Be terse." }, ...request.messages],
			},
			gateway,
		);
		expect(systemRole.status).toBe(400);
		expect(((await systemRole.json()) as AiGatewayErrorBody).message).toContain(
			'Invalid value at messages.0.role: Invalid option: expected one of "user"|"assistant", received "system"',
		);
		const systemBlocks = await rawRun(
			ai,
			SONNET,
			{ ...request, system: [{ type: "text", text: "Be terse." }] },
			gateway,
		);
		expect(systemBlocks.status).toBe(400);
		expect(((await systemBlocks.json()) as AiGatewayErrorBody).message).toContain(
			"Invalid value at system: Invalid input: expected string, received array",
		);
	});
});

describe("google/... through env.AI.run", () => {
	const FLASH = "google/gemini-3-flash";

	it("answers in the OpenAI shape by default, as Cloudflare normalises it", async () => {
		const { ai } = setup();
		const body = (await run(ai, FLASH, { messages }, gateway)) as ChatCompletion;
		expect(body.object).toBe("chat.completion");
		expect(body.model).toBe("gemini-3-flash");
		expect(body.choices[0]?.message.content).toBe(emulatedAnswer("gemini-3-flash", messages));
	});

	it("answers generateContent JSON and its stream with googleWire: gemini", async () => {
		const { ai } = setup({ googleWire: "gemini" });
		const contents = [{ role: "user", parts: [{ text: "Hello Gemini" }] }];
		const answer = emulatedAnswer("gemini-3-flash", [{ role: "user", content: "Hello Gemini" }]);
		const body = await run(ai, FLASH, { contents }, gateway);
		expect(body).toMatchObject({
			candidates: [
				{ content: { parts: [{ text: answer }], role: "model" }, finishReason: "STOP", index: 0 },
			],
			usageMetadata: {
				promptTokenCount: 2,
				candidatesTokenCount: expect.any(Number),
				totalTokenCount: expect.any(Number),
			},
			modelVersion: "gemini-3-flash",
		});
		const chunks = (await dataOf(
			(await run(ai, FLASH, { contents, stream: true }, gateway)) as ReadableStream,
		)) as { candidates: { content: { parts: { text: string }[] }; finishReason?: string }[] }[];
		expect(chunks.map((chunk) => chunk.candidates[0]?.content.parts[0]?.text).join("")).toBe(
			answer,
		);
		expect(chunks.at(-1)).toMatchObject({
			candidates: [{ finishReason: "STOP" }],
			usageMetadata: { promptTokenCount: 2 },
		});
		// Chat messages work too, as the binding docs send them.
		expect(await run(ai, FLASH, { messages }, gateway)).toHaveProperty("candidates");
	});
});

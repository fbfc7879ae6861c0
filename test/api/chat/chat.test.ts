import { describe, expect, it, vi } from "vitest";
import { emulatedAnswer } from "../../../emulator/src/index.ts";
import { type ChatJson, createHarness } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const KIMI = "@cf/moonshotai/kimi-k2.6";

describe("POST /api/chat (JSON)", () => {
	it("answers with the text, its own log id, a feedback token and the model", async () => {
		const { ask, emulator } = createHarness();
		const res = await ask("What is Cloudflare?");
		expect(res.status).toBe(200);
		const body = (await res.json()) as ChatJson;
		const [run] = emulator.runs;
		expect(body.response).toBe(
			emulatedAnswer(LLAMA, [{ role: "user", content: "What is Cloudflare?" }]),
		);
		expect(body.aiGatewayLogId).toBe(run?.logId);
		expect(res.headers.get("cf-aig-log-id")).toBe(body.aiGatewayLogId);
		expect(body.feedbackToken).toMatch(/^v1\.[\w-]{8}\.\d+\.[\w-]+$/);
		expect(body.model).toBe(LLAMA);
		expect(body.cached).toBe(false);
		expect(body.usage).toEqual({
			prompt_tokens: 3,
			completion_tokens: expect.any(Number),
			total_tokens: expect.any(Number),
		});
	});

	it("calls the named gateway with the inputs, metadata, a raw response and a timeout", async () => {
		const { chat, emulator } = createHarness(
			{},
			{ AI_GATEWAY_ID: "my-gateway", AI_TIMEOUT_MS: "5000" },
		);
		const messages = [
			{ role: "system", content: "Be brief." },
			{ role: "user", content: "Hello" },
		];
		await chat({ messages, max_tokens: 40, temperature: 0.3 });
		const [run] = emulator.runs;
		expect(run?.model).toBe(LLAMA);
		expect(run?.gatewayId).toBe("my-gateway");
		expect(run?.inputs).toEqual({ messages, max_tokens: 40, temperature: 0.3, stream: false });
		expect(run?.options).toMatchObject({
			gateway: {
				id: "my-gateway",
				requestTimeoutMs: 5000,
				metadata: { route: "/api/chat" },
			},
			returnRawResponse: true,
		});
		expect(emulator.logs.peek(run?.logId ?? "")?.gatewayId).toBe("my-gateway");
	});

	it.each([GPT_OSS, KIMI])("normalizes the OpenAI chat-completions shape of %s", async (model) => {
		const { ask } = createHarness();
		const res = await ask("Hi there", { model });
		const body = (await res.json()) as ChatJson;
		expect(res.status).toBe(200);
		expect(body.model).toBe(model);
		expect(body.response).toBe(emulatedAnswer(model, [{ role: "user", content: "Hi there" }]));
		expect(body.usage?.prompt_tokens).toBe(2);
	});

	it("honours max_tokens", async () => {
		const { ask } = createHarness();
		const body = (await (await ask("Hello", { max_tokens: 3 })).json()) as ChatJson;
		expect(body.response).toBe("[emulated] This answer");
		expect(body.usage?.completion_tokens).toBe(3);
	});

	it("issues no feedback token when FEEDBACK_SECRET is not set", async () => {
		const { ask } = createHarness({}, { FEEDBACK_SECRET: undefined });
		const body = (await (await ask("Hello")).json()) as ChatJson;
		expect(body.aiGatewayLogId).toBeTruthy();
		expect(body.feedbackToken).toBeNull();
	});

	it("exposes the log id header to browsers", async () => {
		const { ask } = createHarness();
		const res = await ask("Hello");
		expect(res.headers.get("access-control-expose-headers")).toContain("cf-aig-log-id");
	});

	it("answers a CORS preflight", async () => {
		const { call } = createHarness();
		const res = await call("/api/chat", {
			method: "OPTIONS",
			headers: {
				origin: "https://app.example",
				"access-control-request-method": "POST",
				"access-control-request-headers": "content-type",
			},
		});
		expect(res.status).toBe(204);
		expect(res.headers.get("access-control-allow-methods")).toContain("POST");
		expect(res.headers.get("access-control-allow-headers")?.toLowerCase()).toContain(
			"content-type",
		);
	});

	it("stops the inference when the client goes away", async () => {
		const { chat, emulator } = createHarness({ tokenDelayMs: 50 });
		const client = new AbortController();
		const request = chat(
			{ messages: [{ role: "user", content: "Tell me a long story" }] },
			{ signal: client.signal },
		);
		// Leaves while the model is answering (a run under way), however busy the machine.
		await vi.waitFor(() => expect(emulator.runs).toHaveLength(1));
		client.abort();
		await request.catch(() => undefined);
		expect(emulator.runs[0]?.aborted).toBe(true);
		expect(emulator.runs[0]?.completed).toBe(true);
		expect(emulator.runs[0]?.status).toBe(499);
	});

	it("lets an answer finish when the client stays", async () => {
		const { ask, emulator } = createHarness({ tokenDelayMs: 5 });
		expect((await ask("Tell me a long story")).status).toBe(200);
		expect(emulator.runs[0]?.aborted).toBe(false);
		expect(emulator.runs[0]?.status).toBe(200);
	});
});

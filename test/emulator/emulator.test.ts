import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { tokenize } from "../../emulator/src/answers.ts";
import { AiGatewayEmulator, emulatedAnswer, METADATA_LIMIT } from "../../emulator/src/index.ts";
import { uuidv7 } from "../../emulator/src/uuid.ts";
import { aiThrough } from "../../src/gateway/binding";
import { readEvents } from "../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const messages = [{ role: "user", content: "Hello emulator" }];

/** A request exactly as the runtime's `Ai.run` sends it. */
function runRequest(
	model: string,
	inputs: Record<string, unknown>,
	gateway: Record<string, unknown> | null = { id: "default" },
) {
	return new Request(`https://workers-binding.ai/${gateway ? "ai-gateway/" : ""}run?version=3`, {
		method: "POST",
		headers: { "content-type": "application/json", "cf-consn-model-id": model },
		body: JSON.stringify({ inputs, options: gateway ? { gateway } : {} }),
	});
}

const raw = (emulator: AiGatewayEmulator, request: Request) => emulator.fetch(request);

describe("AiGatewayEmulator: inference", () => {
	it("answers JSON in the Workers AI shape with gateway headers", async () => {
		const emulator = new AiGatewayEmulator();
		const res = await raw(emulator, runRequest(LLAMA, { messages }));
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(res.headers.get("cf-aig-log-id")).toMatch(
			/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
		);
		expect(res.headers.get("cf-ai-req-id")).toBeTruthy();
		expect(await res.json()).toEqual({
			response: emulatedAnswer(LLAMA, messages),
			tool_calls: [],
			usage: {
				prompt_tokens: 2,
				completion_tokens: expect.any(Number),
				total_tokens: expect.any(Number),
			},
		});
	});

	it("answers JSON in the OpenAI shape for OpenAI-shaped models", async () => {
		const res = await raw(new AiGatewayEmulator(), runRequest(GPT_OSS, { messages }));
		const body = (await res.json()) as {
			object: string;
			choices: { message: { content: string }; finish_reason: string }[];
		};
		expect(body.object).toBe("chat.completion");
		expect(body.choices[0]?.message.content).toBe(emulatedAnswer(GPT_OSS, messages));
		expect(body.choices[0]?.finish_reason).toBe("stop");
	});

	it("streams SSE in both shapes, ending with usage and [DONE]", async () => {
		for (const model of [LLAMA, GPT_OSS]) {
			const res = await raw(new AiGatewayEmulator(), runRequest(model, { messages, stream: true }));
			expect(res.headers.get("content-type")).toBe("text/event-stream");
			const events = await readEvents(res);
			expect(events.at(-1)?.data).toBe("[DONE]");
			const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
			expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 2 });
			const text = chunks
				.map((chunk) => chunk.response ?? chunk.choices?.[0]?.delta?.content ?? "")
				.join("");
			expect(text).toBe(emulatedAnswer(model, messages));
		}
	});

	it("is deterministic and truncates at max_tokens", async () => {
		const emulator = new AiGatewayEmulator();
		const first = await (await raw(emulator, runRequest(LLAMA, { messages }))).json();
		const second = await (await raw(emulator, runRequest(LLAMA, { messages }))).json();
		expect(first).toEqual(second);
		const short = (await (
			await raw(emulator, runRequest(GPT_OSS, { messages, max_tokens: 2 }))
		).json()) as {
			choices: { message: { content: string }; finish_reason: string }[];
		};
		expect(short.choices[0]).toMatchObject({
			message: { content: "[emulated] This" },
			finish_reason: "length",
		});
	});

	it("accepts a prompt instead of messages and rejects neither", async () => {
		const emulator = new AiGatewayEmulator();
		expect((await raw(emulator, runRequest(LLAMA, { prompt: "hi" }))).status).toBe(200);
		const bad = await raw(emulator, runRequest(LLAMA, { nothing: true }));
		expect(bad.status).toBe(400);
		expect(await bad.json()).toMatchObject({ success: false, errors: [{ code: 5006 }] });
	});

	it("logs nothing and sends no log id without a gateway", async () => {
		const emulator = new AiGatewayEmulator();
		const res = await raw(emulator, runRequest(LLAMA, { messages }, null));
		expect(res.status).toBe(200);
		expect(res.headers.get("cf-aig-log-id")).toBeNull();
		expect(emulator.logs.size).toBe(0);
	});

	it("fails the next N calls with the chosen status, then recovers", async () => {
		const emulator = new AiGatewayEmulator().failNext("run", 500, 2);
		const statuses = [];
		for (let i = 0; i < 3; i++)
			statuses.push((await raw(emulator, runRequest(LLAMA, { messages }))).status);
		expect(statuses).toEqual([500, 500, 200]);
		expect(emulator.logs.peek(emulator.runs[0]?.logId ?? "")).toMatchObject({
			status_code: 500,
			success: false,
		});
	});

	it("answers the gateway's timeout when the model is slower than requestTimeoutMs", async () => {
		// A model slower than the test's own timeout: only the gateway's timeout can answer in time.
		const emulator = new AiGatewayEmulator({ responseDelayMs: 600_000 });
		const res = await raw(
			emulator,
			runRequest(LLAMA, { messages }, { id: "default", requestTimeoutMs: 50 }),
		);
		expect(res.status).toBe(504);
	});

	it("holds a body back until released", async () => {
		const emulator = new AiGatewayEmulator();
		const gate = emulator.holdNextResponse();
		const res = await raw(emulator, runRequest(LLAMA, { messages }));
		let done = false;
		const body = res.text().then((text) => {
			done = true;
			return text;
		});
		// An answer that is not held comes back whole meanwhile: this one is held, not slow.
		const unheld = await raw(emulator, runRequest(LLAMA, { messages }));
		expect(JSON.parse(await unheld.text()).response).toContain("Hello emulator");
		expect(done).toBe(false);
		expect(emulator.runs[0]?.completed).toBe(false);
		gate.release();
		expect(JSON.parse(await body).response).toContain("Hello emulator");
		expect(emulator.runs[0]?.completed).toBe(true);
	});

	it("holds a whole response back until released", async () => {
		const emulator = new AiGatewayEmulator();
		const gate = emulator.holdNextResponse(undefined, "response");
		let answered = false;
		const res = raw(emulator, runRequest(LLAMA, { messages })).then((response) => {
			answered = true;
			return response;
		});
		await vi.waitFor(() => expect(emulator.runs).toHaveLength(1));
		expect(answered).toBe(false);
		gate.release();
		expect((await res).headers.get("cf-aig-log-id")).toBe(emulator.runs[0]?.logId);
	});

	it("paces stream tokens and breaks streams on request", async () => {
		const emulator = new AiGatewayEmulator({ tokenDelayMs: 20, streamFailureAfterTokens: 2 });
		const res = await raw(emulator, runRequest(LLAMA, { messages, stream: true }));
		const reader = res.body?.getReader();
		const started = Date.now();
		await reader?.read();
		await reader?.read();
		expect(Date.now() - started).toBeGreaterThanOrEqual(30);
		await expect(reader?.read()).rejects.toThrow("mid-stream");
	});
});

describe("AiGatewayEmulator: gateway logs through the real AiGateway class", () => {
	const setup = (settings = {}) => {
		const emulator = new AiGatewayEmulator(settings);
		const ai = aiThrough(env.AI, emulator as unknown as Fetcher);
		return { emulator, ai, gateway: ai.gateway("default") };
	};
	const makeLog = async (emulator: AiGatewayEmulator, metadata?: Record<string, string>) => {
		const res = await raw(emulator, runRequest(LLAMA, { messages }, { id: "default", metadata }));
		await res.text();
		return res.headers.get("cf-aig-log-id") ?? "";
	};

	it("reads a log in the AiGatewayLog shape", async () => {
		const { emulator, gateway } = setup();
		const logId = await makeLog(emulator, { user: "u1" });
		const log = await gateway.getLog(logId);
		expect(log).toMatchObject({
			id: logId,
			provider: "workers-ai",
			model: LLAMA,
			path: LLAMA,
			status_code: 200,
			success: true,
			cached: false,
			tokens_in: 2,
			metadata: { user: "u1" },
			request_head_complete: true,
			response_content_type: "application/json",
		});
		expect(log.created_at).toBeInstanceOf(Date);
		expect(log.tokens_out).toBeGreaterThan(0);
		expect(log.response_size).toBeGreaterThan(0);
	});

	it("hides logs until the write lag has passed", async () => {
		const { emulator, gateway } = setup({ logVisibilityDelayMs: 100 });
		const logId = await makeLog(emulator);
		await expect(gateway.getLog(logId)).rejects.toMatchObject({ name: "AiGatewayLogNotFound" });
		await expect(gateway.patchLog(logId, { feedback: 1 })).rejects.toMatchObject({
			name: "AiGatewayLogNotFound",
		});
		await vi.waitFor(() => gateway.patchLog(logId, { feedback: 1 }));
		expect((await gateway.getLog(logId)).id).toBe(logId);
	});

	it("keeps logs per gateway", async () => {
		const { emulator, ai } = setup();
		const logId = await makeLog(emulator);
		await expect(ai.gateway("other").getLog(logId)).rejects.toMatchObject({
			name: "AiGatewayLogNotFound",
		});
	});

	it("patches feedback, score and metadata, capping metadata at 5 entries", async () => {
		const { emulator, gateway } = setup();
		const logId = await makeLog(emulator, { a: "1", b: "2", c: "3" });
		await gateway.patchLog(logId, {
			feedback: -1,
			score: 40,
			metadata: { d: 4, e: true, f: "dropped" },
		});
		const log = emulator.logs.peek(logId);
		expect(log).toMatchObject({ feedback: -1, score: 40, patches: 1 });
		expect(Object.keys(log?.metadata ?? {})).toHaveLength(METADATA_LIMIT);
		expect(log?.metadata).toEqual({ a: "1", b: "2", c: "3", d: 4, e: true });
		await gateway.patchLog(logId, { feedback: null, metadata: { a: "changed" } });
		expect(emulator.logs.peek(logId)).toMatchObject({ feedback: null, metadata: { a: "changed" } });
	});

	it("merges a patch into the log, or replaces its feedback fields in replace mode", async () => {
		const { emulator, gateway } = setup();
		const merged = await makeLog(emulator, { route: "api/chat" });
		await gateway.patchLog(merged, { feedback: -1, score: 20, metadata: { comment: "old" } });
		await gateway.patchLog(merged, { feedback: 1, metadata: { vote: "up" } });
		expect(emulator.logs.peek(merged)).toMatchObject({
			feedback: 1,
			score: 20,
			metadata: { route: "api/chat", comment: "old", vote: "up" },
		});

		emulator.configure({ patchMode: "replace" });
		const replaced = await makeLog(emulator, { route: "api/chat" });
		await gateway.patchLog(replaced, { feedback: -1, score: 20, metadata: { comment: "old" } });
		await gateway.patchLog(replaced, { feedback: 1, metadata: { vote: "up" } });
		const log = emulator.logs.peek(replaced);
		expect(log).toMatchObject({ feedback: 1, score: null });
		expect(log?.metadata).toEqual({ vote: "up" });
	});

	it("rejects patches the gateway would reject", async () => {
		const { emulator, gateway } = setup();
		const logId = await makeLog(emulator);
		for (const patch of [{ feedback: 2 }, { score: 101 }, { metadata: { nested: { no: 1 } } }]) {
			await expect(gateway.patchLog(logId, patch as never)).rejects.toMatchObject({
				name: "AiGatewayInternalError",
			});
		}
	});

	it("fails log calls on request", async () => {
		const { emulator, gateway } = setup();
		const logId = await makeLog(emulator);
		emulator.failNext("getLog", 503).failNext("patchLog", 500);
		await expect(gateway.getLog(logId)).rejects.toMatchObject({ name: "AiGatewayInternalError" });
		await expect(gateway.patchLog(logId, { feedback: 1 })).rejects.toMatchObject({
			name: "AiGatewayInternalError",
		});
		expect((await gateway.getLog(logId)).id).toBe(logId);
	});

	it("answers getUrl for the universal endpoint and for providers", async () => {
		const { emulator, gateway } = setup({ accountId: "acc123" });
		expect(await gateway.getUrl()).toBe("https://gateway.ai.cloudflare.com/v1/acc123/default");
		expect(await gateway.getUrl("openai")).toBe(
			"https://gateway.ai.cloudflare.com/v1/acc123/default/openai",
		);
		emulator.failNext("getUrl", 500);
		await expect(gateway.getUrl("openai")).rejects.toMatchObject({
			name: "AiGatewayInternalError",
		});
	});
});

describe("emulator helpers", () => {
	it("make time-ordered lowercase UUIDv7 ids", () => {
		const first = uuidv7(1_700_000_000_000);
		const second = uuidv7(1_700_000_000_001);
		expect(first).toMatch(/^0[0-9a-f]{7}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		expect(first < second).toBe(true);
	});

	it("tokenize text into pieces that join back", () => {
		const text = "  Hello,  brave new\tworld! ";
		expect(tokenize(text).join("")).toBe(text);
		expect(tokenize("a b c")).toEqual(["a", " b", " c"]);
	});
});

describe("AiGatewayEmulator: the universal endpoint through the real AiGateway.run", () => {
	const step = (model: string, authorization = "Bearer token-123") => ({
		provider: "workers-ai",
		endpoint: model,
		headers: { authorization },
		query: { messages },
	});

	it("tries the requests in order and marks the one that answered", async () => {
		const emulator = new AiGatewayEmulator({ failingModels: [LLAMA] });
		const gateway = aiThrough(env.AI, emulator as unknown as Fetcher).gateway("gw");
		const res = await gateway.run([step(LLAMA), step(GPT_OSS)], {
			gateway: { id: "gw", metadata: { route: "t" } },
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("cf-aig-step")).toBe("1");
		const body = (await res.json()) as {
			success: boolean;
			result: { choices: { message: { content: string } }[] };
		};
		expect(body.success).toBe(true);
		expect(body.result.choices[0]?.message.content).toBe(emulatedAnswer(GPT_OSS, messages));
		const logId = res.headers.get("cf-aig-log-id") ?? "";
		expect(emulator.logs.peek(logId)).toMatchObject({
			gatewayId: "gw",
			model: GPT_OSS,
			metadata: { route: "t" },
		});
		expect(emulator.runs.map((run) => run.status)).toEqual([500, 200]);
	});

	it("needs an API token per Workers AI step, and reports every step when all fail", async () => {
		const emulator = new AiGatewayEmulator({ failingModels: [GPT_OSS] });
		const gateway = aiThrough(env.AI, emulator as unknown as Fetcher).gateway("gw");
		const res = await gateway.run([
			step(LLAMA, ""),
			step(GPT_OSS),
			{ ...step(LLAMA), provider: "openai" },
		]);
		expect(res.status).toBe(400);
		const body = (await res.json()) as { errors: { message: string }[] };
		expect(body.errors.map((error) => error.message)).toEqual([
			`step 0 (${LLAMA}): 401 Authentication error: Workers AI needs an API token`,
			`step 1 (${GPT_OSS}): 500 AiError: emulated failure (500)`,
			`step 2 (${LLAMA}): 400 provider openai is not emulated`,
		]);
	});

	it("streams the step that answered", async () => {
		const emulator = new AiGatewayEmulator({ failingModels: [LLAMA] });
		const gateway = aiThrough(env.AI, emulator as unknown as Fetcher).gateway("gw");
		const streaming = (model: string) => ({ ...step(model), query: { messages, stream: true } });
		const res = await gateway.run([streaming(LLAMA), streaming(GPT_OSS)]);
		expect(res.headers.get("content-type")).toBe("text/event-stream");
		expect(res.headers.get("cf-aig-step")).toBe("1");
		expect((await readEvents(res)).at(-1)?.data).toBe("[DONE]");
	});
});

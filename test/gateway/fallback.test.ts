import { afterEach, describe, expect, it, vi } from "vitest";
import { emulatedAnswer } from "../../emulator/src/index.ts";
import {
	type ChatJson,
	createSharedHarness,
	deltasOf,
	type ErrorJson,
	readEvents,
	TEST_DEBUG_TOKEN,
} from "../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const KIMI = "@cf/moonshotai/kimi-k2.6";
const TOKEN = "cf-api-token-0123456789abcdefghijklmnop";
const question = [{ role: "user", content: "Who answers?" }];

const withFallback = (settings = {}, overrides: Partial<Cloudflare.Env> = {}) =>
	createSharedHarness(settings, {
		FALLBACK_MODELS: `${GPT_OSS}, ${KIMI}`,
		CF_API_TOKEN: TOKEN,
		...overrides,
	});

afterEach(() => {
	vi.restoreAllMocks();
});

describe("model fallback through the universal endpoint", () => {
	it("answers with the first fallback when the primary fails, and its log takes the rating", async () => {
		const harness = await withFallback({ failingModels: [LLAMA] });
		const res = await harness.ask("Who answers?");
		expect(res.status).toBe(200);
		const body = (await res.json()) as ChatJson;
		expect(body.model).toBe(GPT_OSS);
		expect(body.response).toBe(emulatedAnswer(GPT_OSS, question));

		// The direct call, then one universal request: primary again (fails), then GPT-OSS.
		const runs = await harness.runs();
		expect(runs.map((run) => run.status)).toEqual([500, 500, 200]);
		expect(body.aiGatewayLogId).toBe(runs[2]?.logId);
		expect(res.headers.get("cf-aig-log-id")).toBe(body.aiGatewayLogId);

		await harness.vote({
			aiGatewayLogId: body.aiGatewayLogId,
			token: body.feedbackToken,
			feedback: "up",
		});
		expect((await harness.settled(body.aiGatewayLogId ?? "", body.feedbackToken)).state).toBe(
			"delivered",
		);
		expect((await harness.peek(runs[2]?.logId ?? ""))?.feedback).toBe(1);
		expect((await harness.peek(runs[0]?.logId ?? ""))?.feedback).toBeNull();
	});

	it("falls back for streams too, naming the serving model in meta", async () => {
		const harness = await withFallback({ failingModels: [LLAMA, GPT_OSS] });
		const events = await readEvents(await harness.ask("Who answers?", { stream: true }));
		const meta = JSON.parse(events[0]?.data ?? "{}") as { model: string; aiGatewayLogId: string };
		expect(meta.model).toBe(KIMI);
		expect(deltasOf(events.slice(1)).join("")).toBe(emulatedAnswer(KIMI, question));
		expect(meta.aiGatewayLogId).toBe((await harness.runs()).at(-1)?.logId);
	});

	it("retries the primary first, so a one-off timeout is answered by the primary", async () => {
		const harness = await withFallback();
		await harness.fail("run", 504);
		const body = (await (await harness.ask("Who answers?")).json()) as ChatJson;
		expect(body.model).toBe(LLAMA);
		expect((await harness.runs()).map((run) => run.status)).toEqual([504, 200]);
	});

	it("serves /v1/chat/completions through the same path", async () => {
		const harness = await withFallback({ failingModels: [LLAMA] });
		const res = await harness.postJson("/v1/chat/completions", {
			model: LLAMA,
			messages: question,
		});
		const body = (await res.json()) as { model: string; id: string };
		expect(body.model).toBe(GPT_OSS);
		expect(body.id).toBe(`chatcmpl-${res.headers.get("cf-aig-log-id")}`);
	});

	it("skips fallbacks that cannot honour the request: tools go to one that can call them", async () => {
		const MISTRAL = "@cf/mistral/mistral-7b-instruct-v0.1";
		const harness = await withFallback(
			{ failingModels: [LLAMA] },
			{ FALLBACK_MODELS: `${MISTRAL}, ${GPT_OSS}` },
		);
		const tools = [
			{
				type: "function",
				function: {
					name: "get_time",
					description: "The time",
					parameters: { type: "object", properties: {} },
				},
			},
		];
		const res = await harness.postJson("/v1/chat/completions", {
			model: LLAMA,
			messages: question,
			tools,
		});
		const body = (await res.json()) as {
			model: string;
			choices: {
				finish_reason: string;
				message: { tool_calls?: { function: { name: string } }[] };
			}[];
		};
		expect(body.model).toBe(GPT_OSS);
		expect(body.choices[0]?.finish_reason).toBe("tool_calls");
		expect(body.choices[0]?.message.tool_calls?.[0]?.function.name).toBe("get_time");
		// The direct call, then the universal request: the primary again, then GPT-OSS; no Mistral.
		expect((await harness.runs()).map((run) => run.status)).toEqual([500, 500, 200]);
	});

	it("answers a clean 502 when every model fails, with each step's reason in the server log only", async () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const harness = await withFallback({ failingModels: [LLAMA, GPT_OSS, KIMI] });
		const res = await harness.ask("Who answers?");
		expect(res.status).toBe(502);
		const body = (await res.json()) as ErrorJson;
		expect(body).toEqual({
			error: { code: "upstream_error", message: "The AI service failed to answer" },
		});
		const logged = errors.mock.calls.map((call) => String(call[0])).join("\n");
		for (const [step, model] of [LLAMA, GPT_OSS, KIMI].entries()) {
			expect(logged).toContain(`step ${step} (${model})`);
		}
		expect(logged).not.toContain(TOKEN);
	});

	it("stays off without CF_API_TOKEN: the primary's failure is reported as before", async () => {
		const harness = await withFallback({ failingModels: [LLAMA] }, { CF_API_TOKEN: undefined });
		expect((await harness.ask("Who answers?")).status).toBe(502);
		expect(await harness.runs()).toHaveLength(1);
	});

	it("does not fall back on a request the model rejects (400)", async () => {
		const harness = await withFallback();
		await harness.fail("run", 400);
		expect((await harness.ask("Who answers?")).status).toBe(400);
		expect(await harness.runs()).toHaveLength(1);
	});
});

describe("GET /api/gateway", () => {
	const debug = { headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` } };

	it("lists the gateway's universal and provider URLs from getUrl", async () => {
		const harness = await createSharedHarness(
			{ accountId: "acc-1" },
			{ GATEWAY_URL_PROVIDERS: "groq, bad name!, openai" },
		);
		const res = await harness.call("/api/gateway", debug);
		expect(res.status).toBe(200);
		const base = `https://gateway.ai.cloudflare.com/v1/acc-1/${harness.gatewayId}`;
		expect(await res.json()).toEqual({
			gatewayId: harness.gatewayId,
			universalUrl: base,
			providers: {
				"workers-ai": `${base}/workers-ai`,
				openai: `${base}/openai`,
				anthropic: `${base}/anthropic`,
				groq: `${base}/groq`,
			},
		});
	});

	it("is protected like the debug log route", async () => {
		const harness = await createSharedHarness();
		expect((await harness.call("/api/gateway")).status).toBe(401);
		const hidden = await createSharedHarness({}, { DEBUG_TOKEN: undefined });
		expect((await hidden.call("/api/gateway", debug)).status).toBe(404);
	});

	it("maps a getUrl failure to 502 upstream_error", async () => {
		const harness = await createSharedHarness();
		await harness.fail("getUrl", 500);
		const res = await harness.call("/api/gateway", debug);
		expect(res.status).toBe(502);
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_error");
	});
});

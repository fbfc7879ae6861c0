/**
 * Dynamic routes through the real `AiGateway.run`: the `compat` provider with
 * `model: "dynamic/<route>"` on the universal endpoint, as the dynamic-routing docs call it.
 */
import { describe, expect, it } from "vitest";
import { AiGatewayEmulator, emulatedAnswer } from "../../emulator/src/index.ts";
import {
	type AiGatewayErrorBody,
	type ChatCompletion,
	compat,
	dataOf,
	GPT_OSS,
	LLAMA,
	messages,
	setup,
} from "./helpers.ts";

const GW = "routes";
const FALLBACK_ROUTE = {
	chat: { fallbacks: [`workers-ai/${LLAMA}`, "openai/gpt-4.1-mini"] },
};

describe("dynamic routes: ordered fallbacks", () => {
	it("is sent as one compat request on the universal endpoint, with no token", async () => {
		const { ai, sent } = setup({ dynamicRoutes: FALLBACK_ROUTE });
		await ai
			.gateway(GW)
			.run(compat("dynamic/chat"), { gateway: { id: GW, metadata: { user: "u1" } } });
		const request = sent[0];
		expect(request?.method).toBe("POST");
		expect(request?.url).toBe(`https://workers-binding.ai/ai-gateway/universal/run/${GW}`);
		expect(request?.headers.get("content-type")).toBe("application/json");
		expect(request?.headers.get("cf-aig-metadata")).toBe('{"user":"u1"}');
		expect(await request?.json()).toEqual([
			{
				provider: "compat",
				endpoint: "chat/completions",
				headers: {},
				query: { model: "dynamic/chat", messages },
			},
		]);
	});

	it("serves the first model that answers, naming it in cf-aig-model, -provider and -step", async () => {
		const { emulator, ai } = setup({ dynamicRoutes: FALLBACK_ROUTE, failingModels: [LLAMA] });
		const res = await ai.gateway(GW).run(compat("dynamic/chat"));
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(res.headers.get("cf-aig-step")).toBe("1");
		expect(res.headers.get("cf-aig-model")).toBe("gpt-4.1-mini");
		expect(res.headers.get("cf-aig-provider")).toBe("openai");
		const body = (await res.json()) as ChatCompletion;
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
			usage: { prompt_tokens: 2 },
		});
		// Each step has its own log; the header names the one that answered.
		const [first, second] = emulator.runs;
		expect(res.headers.get("cf-aig-log-id")).toBe(second?.logId);
		expect(emulator.logs.peek(first?.logId ?? "")).toMatchObject({
			provider: "workers-ai",
			model: LLAMA,
			status_code: 500,
			step: 0,
		});
		expect(emulator.logs.peek(second?.logId ?? "")).toMatchObject({
			provider: "openai",
			model: "gpt-4.1-mini",
			status_code: 200,
			step: 1,
			gatewayId: GW,
		});
		expect(second?.options).toMatchObject({ provider: "compat", route: "chat", branch: null });
	});

	it("falls back on the run fault queue too, and answers step 0 when nothing fails", async () => {
		const { emulator, ai } = setup({ dynamicRoutes: FALLBACK_ROUTE });
		emulator.failNext("run", 503, 1, GW);
		const failedOver = await ai.gateway(GW).run(compat("dynamic/chat"));
		expect(failedOver.headers.get("cf-aig-step")).toBe("1");
		const direct = await ai.gateway(GW).run(compat("dynamic/chat"));
		expect(direct.headers.get("cf-aig-step")).toBe("0");
		expect(direct.headers.get("cf-aig-model")).toBe(LLAMA);
		expect(direct.headers.get("cf-aig-provider")).toBe("workers-ai");
		expect(((await direct.json()) as ChatCompletion).choices[0]?.message.content).toBe(
			emulatedAnswer(LLAMA, messages),
		);
	});

	it("streams chat.completion.chunk events ending with [DONE]", async () => {
		const { ai } = setup({ dynamicRoutes: FALLBACK_ROUTE, failingModels: [LLAMA] });
		const res = await ai.gateway(GW).run(compat("dynamic/chat", { stream: true }));
		expect(res.headers.get("content-type")).toBe("text/event-stream");
		expect(res.headers.get("cf-aig-step")).toBe("1");
		const data = await dataOf(res);
		expect(data.at(-1)).toBe("[DONE]");
		const chunks = data.slice(0, -1) as {
			object: string;
			choices: { delta: { content?: string }; finish_reason: string | null }[];
		}[];
		expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
		expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("")).toBe(
			emulatedAnswer("gpt-4.1-mini", messages),
		);
		expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
	});

	it("answers the last failure with every step's reason when all fail", async () => {
		const { emulator, ai } = setup({
			dynamicRoutes: FALLBACK_ROUTE,
			failingModels: [LLAMA, "openai/gpt-4.1-mini"],
		});
		const res = await ai.gateway(GW).run(compat("dynamic/chat"));
		expect(res.status).toBe(500);
		expect(res.headers.get("cf-aig-step")).toBe("1");
		expect(res.headers.get("cf-aig-log-id")).toBe(emulator.runs[1]?.logId);
		expect(await res.json()).toEqual({
			success: false,
			errors: [
				{
					code: 2005,
					message: `step 0 (workers-ai/${LLAMA}): 500 AiError: emulated failure (500)`,
				},
				{
					code: 2005,
					message: "step 1 (openai/gpt-4.1-mini): 500 AiError: emulated failure (500)",
				},
			],
		});
	});

	it("answers 404 with code 7003 for a route the gateway does not have", async () => {
		const { emulator, ai } = setup({ dynamicRoutes: FALLBACK_ROUTE });
		const res = await ai.gateway(GW).run(compat("dynamic/nope"));
		expect(res.status).toBe(404);
		expect(await res.json()).toMatchObject({
			name: "AiGatewayError",
			internalCode: 7003,
			error: [{ code: 7003, message: "Model not found: dynamic/nope" }],
		} satisfies Partial<AiGatewayErrorBody>);
		expect(emulator.runs).toHaveLength(0);
	});

	it("keeps routes per gateway and takes a @version suffix", async () => {
		const { emulator, ai } = setup();
		emulator.configure({ dynamicRoutes: FALLBACK_ROUTE }, GW);
		expect((await ai.gateway("other").run(compat("dynamic/chat"))).status).toBe(404);
		expect((await ai.gateway(GW).run(compat("dynamic/chat@v2"))).status).toBe(200);
	});
});

describe("dynamic routes: percentage splits", () => {
	const SPLIT = {
		ab: {
			split: [
				{ percent: 50, model: `workers-ai/${LLAMA}` },
				{ percent: 50, model: `workers-ai/${GPT_OSS}` },
			],
		},
	};

	it("splits 50/50 within ±5% over 2,000 requests", async () => {
		const { ai } = setup({ dynamicRoutes: SPLIT });
		const gateway = ai.gateway(GW);
		const counts = new Map<string, number>();
		for (let i = 0; i < 2000; i++) {
			const res = await gateway.run(compat("dynamic/ab"));
			await res.body?.cancel();
			const model = res.headers.get("cf-aig-model") ?? "";
			counts.set(model, (counts.get(model) ?? 0) + 1);
		}
		console.info(
			JSON.stringify({ split: "50/50", requests: 2000, served: Object.fromEntries(counts) }),
		);
		expect([...counts.keys()].sort()).toEqual([GPT_OSS, LLAMA].sort());
		for (const count of counts.values()) {
			expect(count).toBeGreaterThanOrEqual(950);
			expect(count).toBeLessThanOrEqual(1050);
		}
	}, 60_000);

	it("is reproducible from the seed", async () => {
		const sequence = async (seed: number) => {
			const { ai } = setup({ dynamicRoutes: SPLIT, seed });
			const models: (string | null)[] = [];
			for (let i = 0; i < 40; i++) {
				const res = await ai.gateway(GW).run(compat("dynamic/ab"));
				models.push(res.headers.get("cf-aig-model"));
			}
			return models;
		};
		const first = await sequence(7);
		expect(await sequence(7)).toEqual(first);
		expect(await sequence(8)).not.toEqual(first);
	});

	it("follows a branch's own fallbacks", async () => {
		const { emulator, ai } = setup({
			failingModels: [GPT_OSS],
			dynamicRoutes: {
				canary: {
					split: [
						{ percent: 0, model: `workers-ai/${LLAMA}` },
						{ percent: 100, fallbacks: [GPT_OSS, "anthropic/claude-sonnet-4"] },
					],
				},
			},
		});
		const res = await ai.gateway(GW).run(compat("dynamic/canary"));
		expect(res.headers.get("cf-aig-step")).toBe("1");
		expect(res.headers.get("cf-aig-model")).toBe("claude-sonnet-4");
		expect(res.headers.get("cf-aig-provider")).toBe("anthropic");
		// Through compat every provider answers in the OpenAI shape.
		expect(((await res.json()) as ChatCompletion).object).toBe("chat.completion");
		expect(emulator.runs.map((run) => run.options.branch)).toEqual([1, 1]);
	});
});

describe("compat with a plain model", () => {
	it("serves provider/model directly", async () => {
		const { ai } = setup();
		const res = await ai.gateway(GW).run(compat(`workers-ai/${LLAMA}`));
		expect(res.status).toBe(200);
		expect(res.headers.get("cf-aig-model")).toBe(LLAMA);
		expect(res.headers.get("cf-aig-provider")).toBe("workers-ai");
		expect(res.headers.get("cf-aig-step")).toBe("0");
		expect(((await res.json()) as ChatCompletion).choices[0]?.message.content).toBe(
			emulatedAnswer(LLAMA, messages),
		);
	});

	it("accepts the docs' chat/completion spelling of the endpoint and records it", async () => {
		const { emulator, ai } = setup({ dynamicRoutes: FALLBACK_ROUTE });
		const res = await ai
			.gateway(GW)
			.run({ ...compat("dynamic/chat"), endpoint: "chat/completion" });
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.options.endpoint).toBe("chat/completion");
	});

	it("refuses a bare model id (2005) and an unknown provider (2008)", async () => {
		const { ai } = setup();
		const bare = await ai.gateway(GW).run(compat(LLAMA));
		expect(bare.status).toBe(400);
		expect(await bare.json()).toMatchObject({ name: "AiGatewayError", internalCode: 2005 });
		const unknown = await ai.gateway(GW).run(compat("nobody/model-x"));
		expect(unknown.status).toBe(400);
		expect(await unknown.json()).toMatchObject({
			internalCode: 2008,
			error: [{ code: 2008, message: "Invalid provider" }],
		});
	});
});

describe("dynamic route settings", () => {
	it("are checked when set", async () => {
		expect(() => new AiGatewayEmulator({ dynamicRoutes: { bad: { fallbacks: [] } } })).toThrow(
			"dynamic route bad: route names no model",
		);
		const emulator = new AiGatewayEmulator();
		expect(() =>
			emulator.configure({
				dynamicRoutes: { bad: { split: [{ percent: 100, model: "gpt-4o" }] } },
			}),
		).toThrow("not a provider/model name");
		const res = await emulator.fetch("https://emulator.test/__emulator/gateways/gw/settings", {
			method: "PUT",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ dynamicRoutes: { bad: { model: "x" } } }),
		});
		expect(res.status).toBe(400);
	});
});

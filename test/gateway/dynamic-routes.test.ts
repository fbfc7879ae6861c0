/**
 * Dynamic routes: `dynamic/<route>` goes through `gateway.run` with the `compat` provider,
 * and the gateway (here the emulator, configured with `dynamicRoutes`) picks the model.
 */
import { describe, expect, it } from "vitest";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	deltasOf,
	readEvents,
} from "../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const SCOUT = "@cf/meta/llama-4-scout-17b-16e-instruct";
const routes = {
	chat: { fallbacks: [`workers-ai/${LLAMA}`, `workers-ai/${SCOUT}`] },
	ab: {
		split: [
			{ percent: 50, model: `workers-ai/${LLAMA}` },
			{ percent: 50, model: "openai/gpt-4.1-mini" },
		],
	},
};
const allowed = { ALLOWED_MODELS: "dynamic/chat,dynamic/ab" };

describe("dynamic routes", () => {
	it("answer through the gateway's route with no API token, naming the model that served", async () => {
		const { ask, emulator } = createHarness({ dynamicRoutes: routes }, allowed);
		const res = await ask("Route me", { model: "dynamic/chat" });
		expect(res.status).toBe(200);
		const body = (await res.json()) as ChatJson & { provider: string };
		expect(body).toMatchObject({ model: LLAMA, provider: "workers-ai" });
		expect(body.response).toContain("Route me");
		expect(body.aiGatewayLogId).toBe(emulator.runs[0]?.logId);
		expect(emulator.runs[0]?.options).toMatchObject({ endpoint: "chat/completions" });
	});

	it("fall back to the route's next model, and the vote lands on the log of the step that answered", async () => {
		const harness = await createSharedHarness(
			{ dynamicRoutes: routes, failingModels: [`workers-ai/${LLAMA}`] },
			allowed,
		);
		const body = (await (
			await harness.ask("First one fails", { model: "dynamic/chat" })
		).json()) as ChatJson;
		expect(body.model).toBe(SCOUT);
		const runs = await harness.runs();
		expect(runs.map((run) => run.status)).toEqual([500, 200]);
		expect(body.aiGatewayLogId).toBe(runs[1]?.logId);
		await harness.vote({
			aiGatewayLogId: body.aiGatewayLogId,
			token: body.feedbackToken,
			feedback: "down",
		});
		expect((await harness.settled(body.aiGatewayLogId as string, body.feedbackToken)).state).toBe(
			"delivered",
		);
		expect((await harness.peek(runs[1]?.logId as string))?.feedback).toBe(-1);
		expect((await harness.peek(runs[0]?.logId as string))?.feedback).toBeNull();
	});

	it("stream, with the serving model and provider in the meta event", async () => {
		const { ask, emulator } = createHarness(
			{ dynamicRoutes: routes, failingModels: [`workers-ai/${LLAMA}`] },
			allowed,
		);
		const events = await readEvents(
			await ask("Stream the route", { model: "dynamic/chat", stream: true }),
		);
		expect(JSON.parse(events[0]?.data ?? "")).toMatchObject({
			aiGatewayLogId: emulator.runs[1]?.logId,
			model: SCOUT,
			provider: "workers-ai",
		});
		expect(deltasOf(events.slice(1)).join("")).toContain("Stream the route");
		expect(events.at(-1)?.data).toBe("[DONE]");
	});

	it("work on /v1, JSON and stream, and /v1/models lists them", async () => {
		const { call, postJson, emulator } = createHarness({ dynamicRoutes: routes }, allowed);
		const json = await postJson("/v1/chat/completions", {
			model: "dynamic/chat",
			messages: [{ role: "user", content: "OpenAI client" }],
		});
		expect(((await json.json()) as { model: string }).model).toBe(LLAMA);
		expect(json.headers.get("cf-aig-log-id")).toBe(emulator.runs[0]?.logId);
		const stream = await postJson("/v1/chat/completions", {
			model: "dynamic/chat",
			messages: [{ role: "user", content: "OpenAI stream" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		const chunks = (await readEvents(stream))
			.filter((event) => event.data !== "[DONE]")
			.map((event) => JSON.parse(event.data) as { model: string; usage?: unknown });
		expect(chunks.every((chunk) => chunk.model === LLAMA)).toBe(true);
		expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: expect.any(Number) });
		const models = (await (await call("/v1/models")).json()) as {
			data: { id: string; owned_by: string }[];
		};
		expect(models.data).toContainEqual(
			expect.objectContaining({ id: "dynamic/ab", owned_by: "ai-gateway" }),
		);
	});

	it("split traffic as configured: 50/50 within ±5% over 2,000 requests", async () => {
		const { ask } = createHarness(
			{ dynamicRoutes: routes, seed: 7 },
			{ ...allowed, CHAT_RATE_LIMITER: undefined },
		);
		const served = new Map<string, number>();
		for (let i = 0; i < 2000; i += 50) {
			const batch = await Promise.all(
				Array.from(
					{ length: 50 },
					async () =>
						((await (await ask("A or B?", { model: "dynamic/ab" })).json()) as ChatJson).model,
				),
			);
			for (const model of batch) served.set(model, (served.get(model) ?? 0) + 1);
		}
		const shares = Object.fromEntries([...served].map(([model, count]) => [model, count / 2000]));
		console.log(JSON.stringify({ split: "50/50", requests: 2000, shares }));
		expect(Object.keys(shares).sort()).toEqual([LLAMA, "gpt-4.1-mini"].sort());
		for (const share of Object.values(shares))
			expect(Math.abs(share - 0.5)).toBeLessThanOrEqual(0.05);
	}, 60_000);
});

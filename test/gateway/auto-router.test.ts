/**
 * The Auto Router (`cloudflare/auto`) and model aliases (`custom/<name>`) through the Worker:
 * sent like dynamic routes (the `compat` endpoint, no token), the conversation's id as
 * `cf-aig-session-id` (to routers only), and each answer's routed model, reason and decision
 * id in its answer and its row.
 */
import { describe, expect, it } from "vitest";
import { AiGatewayEmulator } from "../../emulator/src/index.ts";
import { type ChatJson, createHarness, type ErrorJson, readEvents } from "../harness";
import { answerRow } from "../store/helpers";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const GPT_OSS = "@cf/openai/gpt-oss-120b";
const POOL = [`workers-ai/${LLAMA}`, `workers-ai/${GPT_OSS}`, "openai/gpt-4.1-mini"];
const allowed = {
	ALLOWED_MODELS: `cloudflare/auto,custom/fast,${LLAMA}`,
};

type RoutedJson = ChatJson & { routing?: { reason: string; decisionId: string | null } };

/** A harness whose emulator notes the session header of every call it gets. */
function routerHarness() {
	const emulator = new AiGatewayEmulator({
		autoRouterPool: POOL,
		modelAliases: { fast: ["openai/gpt-4.1-mini"] },
	});
	const sessions: (string | null)[] = [];
	const inner = emulator.fetch;
	emulator.fetch = (input, init) => {
		sessions.push(new Request(input, init).headers.get("cf-aig-session-id"));
		return inner(input, init);
	};
	return { ...createHarness(emulator, allowed), sessions };
}

describe("the Auto Router and model aliases", () => {
	it("answer through the gateway with the routed model, the reason and the decision id, and store them", async () => {
		const { ask, emulator } = routerHarness();
		const res = await ask("Route me", { model: "cloudflare/auto" });
		expect(res.status).toBe(200);
		const body = (await res.json()) as RoutedJson;
		const routed = POOL.find((name) => name.endsWith(emulator.runs[0]?.model as string));
		expect(routed).toBeDefined();
		expect(body.model).toBe(routed);
		expect(body.routing).toEqual({
			reason: "cost_optimal_within_pool",
			decisionId: expect.stringMatching(/^[0-9a-f-]{36}$/),
		});
		expect(emulator.runs[0]?.options).toMatchObject({ provider: "compat" });
		expect(await answerRow(body.aiGatewayLogId as string)).toMatchObject({
			requested_model: "cloudflare/auto",
			served_model: routed,
			routing_reason: "cost_optimal_within_pool",
			routing_decision_id: body.routing?.decisionId,
		});
	});

	it("send the conversation's id as cf-aig-session-id, so a conversation keeps its model", async () => {
		const { ask, sessions } = routerHarness();
		const conversation = crypto.randomUUID();
		const first = (await (
			await ask("First turn", { model: "cloudflare/auto", conversation })
		).json()) as RoutedJson;
		// Turns whose prompts alone would go to other models stay on the first one's.
		for (const prompt of ["Second turn", "Third", "Fourth", "Fifth"]) {
			const turn = (await (
				await ask(prompt, { model: "cloudflare/auto", conversation })
			).json()) as RoutedJson;
			expect(turn.model).toBe(first.model);
			expect(turn.routing?.reason).toBe("pinned_by_turn");
		}
		expect(sessions).toEqual(Array(5).fill(conversation));
		// Alone, those prompts are routed elsewhere: the session is what kept them.
		const alone = await Promise.all(
			["Second turn", "Third", "Fourth", "Fifth"].map(
				async (prompt) =>
					((await (await ask(prompt, { model: "cloudflare/auto" })).json()) as RoutedJson).model,
			),
		);
		expect(alone.some((model) => model !== first.model)).toBe(true);
	});

	it("send no session id to other models, nor without a conversation", async () => {
		const { ask, sessions } = routerHarness();
		const conversation = crypto.randomUUID();
		const plain = (await (await ask("Plain", { model: LLAMA, conversation })).json()) as RoutedJson;
		expect(plain.routing).toBeUndefined();
		expect(await answerRow(plain.aiGatewayLogId as string)).toMatchObject({
			routing_reason: null,
			routing_decision_id: null,
		});
		await ask("No conversation", { model: "cloudflare/auto" });
		expect(sessions).toEqual([null, null]);
	});

	it("refuse a conversation id that is not 8 to 64 letters, digits, - or _", async () => {
		const { ask, sessions } = routerHarness();
		for (const conversation of [
			"short",
			"a".repeat(65),
			"has space in it",
			"line\nbreak-1234",
			42,
		]) {
			const res = await ask("Hi", { model: "cloudflare/auto", conversation });
			expect(res.status, String(conversation)).toBe(400);
			const { error } = (await res.json()) as ErrorJson;
			expect(error.code).toBe("invalid_request");
			expect(error.message).toContain("conversation");
		}
		expect(sessions).toEqual([]);
	});

	it("record a router's answer that gives no reason as unreported, so it still counts as routed", async () => {
		const emulator = new AiGatewayEmulator({ autoRouterPool: POOL });
		const inner = emulator.fetch;
		emulator.fetch = async (input, init) => {
			const res = await inner(input, init);
			const headers = new Headers(res.headers);
			headers.delete("cf-aig-routing-reason");
			headers.delete("cf-aig-routing-decision-id");
			return new Response(res.body, { status: res.status, headers });
		};
		const { ask } = createHarness(emulator, allowed);
		const body = (await (
			await ask("No reason", { model: "cloudflare/auto" })
		).json()) as RoutedJson;
		expect(body.routing).toEqual({ reason: "unreported", decisionId: null });
		expect(await answerRow(body.aiGatewayLogId as string)).toMatchObject({
			routing_reason: "unreported",
			routing_decision_id: null,
		});
	});

	it("stream, with the routed model and its routing in the meta event", async () => {
		const { ask } = routerHarness();
		const events = await readEvents(
			await ask("Stream me", { model: "custom/fast", stream: true, conversation: "stream-1234" }),
		);
		expect(JSON.parse(events[0]?.data ?? "")).toMatchObject({
			model: "openai/gpt-4.1-mini",
			routing: { reason: "cost_optimal_within_pool", decisionId: expect.any(String) },
		});
		expect(events.at(-1)?.data).toBe("[DONE]");
	});

	it("are listed by GET /api/models as their kinds, and by /v1/models as the gateway's", async () => {
		const { call } = routerHarness();
		const { models } = (await (await call("/api/models")).json()) as {
			models: { id: string; kind: string }[];
		};
		expect(models).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ id: "cloudflare/auto", kind: "auto-router" }),
				expect.objectContaining({ id: "custom/fast", kind: "model-alias" }),
			]),
		);
		const v1 = (await (await call("/v1/models")).json()) as {
			data: { id: string; owned_by: string }[];
		};
		expect(v1.data).toContainEqual(
			expect.objectContaining({ id: "cloudflare/auto", owned_by: "ai-gateway" }),
		);
	});
});

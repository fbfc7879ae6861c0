/**
 * The Auto Router (`cloudflare/auto`) and model aliases (`custom/<name>`) through the real
 * `AiGateway.run`: the `compat` provider on the universal endpoint, the routing headers of
 * the answer, and a session kept on its model by `cf-aig-session-id`.
 */
import { describe, expect, it } from "vitest";
import { compat, GPT_OSS, LLAMA, setup } from "./helpers.ts";

const GW = "router";
const POOL = [`workers-ai/${LLAMA}`, `workers-ai/${GPT_OSS}`, "openai/gpt-4.1-mini"];

/** One router request, with a session id when given; the answer's routing headers. */
async function routed(
	ai: ReturnType<typeof setup>["ai"],
	model: string,
	prompt: string,
	session?: string,
) {
	const res = await ai
		.gateway(GW)
		.run(compat(model, { messages: [{ role: "user", content: prompt }] }), {
			gateway: { id: GW },
			...(session && { extraHeaders: { "cf-aig-session-id": session } }),
		});
	return {
		status: res.status,
		model: res.headers.get("cf-aig-routed-model"),
		reason: res.headers.get("cf-aig-routing-reason"),
		decisionId: res.headers.get("cf-aig-routing-decision-id"),
		body: (await res.json()) as { model?: string },
	};
}

/** Prompts the router sends to different models of the pool (its pick is a hash of the prompt). */
async function promptsOnTwoModels(ai: ReturnType<typeof setup>["ai"]) {
	const seen = new Map<string, string>();
	for (let i = 0; seen.size < 2 && i < 50; i++) {
		const prompt = `Question ${i}`;
		const { model } = await routed(ai, "cloudflare/auto", prompt);
		if (model && !seen.has(model)) seen.set(model, prompt);
	}
	return [...seen];
}

describe("the Auto Router", () => {
	it("picks a model of its pool, the same one for the same prompt, and says which, why and the decision", async () => {
		const { ai, emulator } = setup({ autoRouterPool: POOL });
		const first = await routed(ai, "cloudflare/auto", "Route this");
		expect(first.status).toBe(200);
		expect(POOL).toContain(first.model);
		expect(first.reason).toBe("cost_optimal_within_pool");
		expect(first.decisionId).toMatch(/^[0-9a-f-]{36}$/);
		const again = await routed(ai, "cloudflare/auto", "Route this");
		expect(again.model).toBe(first.model);
		expect(again.decisionId).not.toBe(first.decisionId);
		// The step ran the routed model, as the provider names it.
		expect(first.model).toContain(emulator.runs[0]?.model as string);
		expect(emulator.runs[0]?.options).toMatchObject({ provider: "compat" });
	});

	it("spreads different prompts over the pool", async () => {
		const { ai } = setup({ autoRouterPool: POOL });
		expect((await promptsOnTwoModels(ai)).length).toBe(2);
	});

	it("keeps a session on its first turn's model: pinned_by_turn", async () => {
		const { ai } = setup({ autoRouterPool: POOL });
		const [[firstModel, firstPrompt], [, otherPrompt]] = (await promptsOnTwoModels(ai)) as [
			[string, string],
			[string, string],
		];
		const turn1 = await routed(ai, "cloudflare/auto", firstPrompt, "conversation-1");
		expect(turn1).toMatchObject({ model: firstModel, reason: "cost_optimal_within_pool" });
		// A prompt that alone goes elsewhere stays on the session's model.
		const turn2 = await routed(ai, "cloudflare/auto", otherPrompt, "conversation-1");
		expect(turn2).toMatchObject({ model: firstModel, reason: "pinned_by_turn" });
		// Another session is routed afresh.
		const other = await routed(ai, "cloudflare/auto", otherPrompt, "conversation-2");
		expect(other.model).not.toBe(firstModel);
		expect(other.reason).toBe("cost_optimal_within_pool");
	});

	it("routes around a model that is down: fallback_candidate_unavailable", async () => {
		const { ai, emulator } = setup({ autoRouterPool: POOL });
		const { model } = await routed(ai, "cloudflare/auto", "Down?");
		emulator.configure({ failingModels: [model as string] });
		const fallback = await routed(ai, "cloudflare/auto", "Down?");
		expect(fallback.status).toBe(200);
		expect(fallback.reason).toBe("fallback_candidate_unavailable");
		expect(fallback.model).not.toBe(model);
		expect(POOL).toContain(fallback.model);
	});
});

describe("model aliases", () => {
	it("route custom/<name> within the alias's pool; an unknown alias is not found", async () => {
		const { ai } = setup({ modelAliases: { fast: ["openai/gpt-4.1-mini"] } });
		const alias = await routed(ai, "custom/fast", "Alias me", "alias-session");
		expect(alias).toMatchObject({
			status: 200,
			model: "openai/gpt-4.1-mini",
			reason: "cost_optimal_within_pool",
		});
		expect(alias.body.model).toBe("gpt-4.1-mini");
		expect((await routed(ai, "custom/fast", "Again", "alias-session")).reason).toBe(
			"pinned_by_turn",
		);
		expect((await routed(ai, "custom/missing", "Nobody")).status).toBe(404);
	});

	it("refuse a pool with a name that is not provider/model when set", () => {
		expect(() => setup({ modelAliases: { bad: ["gpt-4.1-mini"] } })).toThrow(/model alias bad/);
	});
});

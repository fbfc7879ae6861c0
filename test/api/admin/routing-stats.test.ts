/**
 * GET /api/admin/stats breaks the up-rate of routers' answers (the Auto Router, model
 * aliases) down by routed model and by routing reason, with their tokens, from the routers'
 * rollup: answers of other models are not in it. The list and the export carry each answer's
 * routing.
 */
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../../src/core/time";
import { wilsonInterval } from "../../../src/core/verdict";
import { createHarness } from "../../harness";
import { type SeedAnswer, seed, TEST_ADMIN_TOKEN, testModel } from "../../store/helpers";

const rounded = (value: number) => Math.round(value * 1e4) / 1e4;

interface Breakdown {
	router: string;
	model?: string;
	reason?: string;
	answers: number;
	up: number;
	down: number;
	upRate: number | null;
	upRateLow: number | null;
	upRateHigh: number | null;
	tokens: number;
	tokensPerAnswer: number | null;
}

describe("GET /api/admin/stats: the routers' breakdown", () => {
	it("gives each router's up-rate and tokens per routed model and per reason", async () => {
		// A router of the test's own, so other tests' rows stay out.
		const router = `custom/${crypto.randomUUID().slice(0, 8)}`;
		const cheap = testModel("cheap");
		const big = testModel("big");
		const other = testModel("unrouted");
		const day = Date.UTC(2026, 9, 5, 12);
		const rows: SeedAnswer[] = [
			// cheap: 3 first turns (2 up, 1 down), 1 pinned turn (down), tokens 100 each.
			...(["up", "up", "down"] as const).map((vote, i) => ({
				id: `${cheap}-first-${i}`,
				model: cheap,
				router,
				reason: "cost_optimal_within_pool",
				createdAt: day + i,
				vote,
				tokens: 100,
			})),
			{
				id: `${cheap}-pin`,
				model: cheap,
				router,
				reason: "pinned_by_turn",
				createdAt: day + 9,
				vote: "down",
				tokens: 100,
			},
			// big: 1 fallback (up, 900 tokens), 1 pinned turn next day (no vote, no tokens).
			{
				id: `${big}-fb`,
				model: big,
				router,
				reason: "fallback_candidate_unavailable",
				createdAt: day,
				vote: "up",
				tokens: 900,
			},
			{
				id: `${big}-pin`,
				model: big,
				router,
				reason: "pinned_by_turn",
				createdAt: day + DAY_MS,
				tokens: null,
			},
			// Asked for by name: not a router's answer.
			{ id: `${other}-0`, model: other, createdAt: day, vote: "up" },
		];
		await seed(rows);
		const since = new Date(day - DAY_MS).toISOString();
		const until = new Date(day + 2 * DAY_MS).toISOString();
		const res = await createHarness().call(`/api/admin/stats?since=${since}&until=${until}`, {
			headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
		});
		expect(res.status).toBe(200);
		const { routing } = (await res.json()) as {
			routing: { models: Breakdown[]; reasons: Breakdown[] };
		};
		const mine = (rows: Breakdown[]) => rows.filter((row) => row.router === router);
		const [low, high] = wilsonInterval(2, 4);
		expect(mine(routing.models)).toEqual([
			{
				router,
				model: big,
				answers: 2,
				up: 1,
				down: 0,
				upRate: 1,
				upRateLow: rounded(wilsonInterval(1, 1)[0]),
				upRateHigh: 1,
				tokens: 900,
				tokensPerAnswer: 900,
			},
			{
				router,
				model: cheap,
				answers: 4,
				up: 2,
				down: 2,
				upRate: 0.5,
				upRateLow: rounded(low),
				upRateHigh: rounded(high),
				tokens: 400,
				tokensPerAnswer: 100,
			},
		]);
		expect(
			mine(routing.reasons).map(({ reason, answers, up, down, tokensPerAnswer }) => ({
				reason,
				answers,
				up,
				down,
				tokensPerAnswer,
			})),
		).toEqual([
			{ reason: "cost_optimal_within_pool", answers: 3, up: 2, down: 1, tokensPerAnswer: 100 },
			{
				reason: "fallback_candidate_unavailable",
				answers: 1,
				up: 1,
				down: 0,
				tokensPerAnswer: 900,
			},
			{ reason: "pinned_by_turn", answers: 2, up: 0, down: 1, tokensPerAnswer: 100 },
		]);
		expect(routing.models.some((row) => row.model === other)).toBe(false);
	});

	it("lists and exports each answer's router, routed model and routing reason", async () => {
		const router = `custom/${crypto.randomUUID().slice(0, 8)}`;
		const model = testModel("routed");
		const createdAt = Date.UTC(2026, 9, 9, 12);
		await seed([
			{ id: `${model}-0`, model, router, reason: "pinned_by_turn", createdAt, vote: "up" },
		]);
		const get = (path: string) =>
			createHarness().call(`/api/admin${path}`, {
				headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
			});
		const routed = { model, requestedModel: router, routingReason: "pinned_by_turn" };
		const list = (await (await get(`/feedback?model=${encodeURIComponent(model)}`)).json()) as {
			items: Record<string, unknown>[];
		};
		expect(list.items).toEqual([expect.objectContaining(routed)]);
		const exported = await (
			await get(`/feedback/export?format=jsonl&model=${encodeURIComponent(model)}`)
		).text();
		expect(
			exported
				.trim()
				.split("\n")
				.map((line) => JSON.parse(line)),
		).toEqual([expect.objectContaining(routed)]);
	});
});

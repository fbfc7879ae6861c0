/**
 * The judge checked against people, as the admin API serves it: each model's judge rates and
 * its verdicts against the votes (the confusion matrix /insights computes kappa from) in GET
 * /stats, the disagreements in GET /feedback, and the golden set's export.
 */
import { describe, expect, it } from "vitest";
import { createHarness } from "../../harness";
import { db, type SeedAnswer, seed, TEST_ADMIN_TOKEN, testModel } from "../../store/helpers";

const auth = { authorization: `Bearer ${TEST_ADMIN_TOKEN}` };

function admin() {
	const harness = createHarness();
	return async <T>(path: string) => {
		const res = await harness.call(`/api/admin${path}`, { headers: auth });
		if (res.status !== 200) expect.fail(`${path}: ${res.status} ${await res.text()}`);
		// The export is JSON Lines: read as bytes, since workerd warns on text() of a type it does not know.
		return path.includes("/export")
			? (new TextDecoder().decode(await res.arrayBuffer()) as T)
			: ((await res.json()) as T);
	};
}

interface Verdict {
	id: string;
	model: string;
	createdAt: number;
	verdict: "good" | "bad" | null;
	score?: number;
	tokens?: number;
}

/** Writes the judge's verdicts as src/judge/ does, one row per judged answer. */
async function judged(verdicts: Verdict[]) {
	await db().batch(
		verdicts.map((row, i) =>
			db()
				.prepare(
					`INSERT INTO judge_verdicts (ai_gateway_log_id, day, served_model, judged_at, judge_model,
rubric_version, judge_log_id, outcome, verdict, score, rationale, prompt_tokens, completion_tokens)
VALUES (?, ?, ?, ?, '@cf/test/judge', 'v-test', ?, ?, ?, ?, ?, ?, 10)`,
				)
				.bind(
					row.id,
					Math.floor(row.createdAt / 86_400_000),
					row.model,
					row.createdAt + 5000 + i,
					`judge-log-${row.id}`,
					row.verdict ? "judged" : "unparseable",
					row.verdict,
					row.verdict ? (row.score ?? (row.verdict === "good" ? 5 : 1)) : null,
					row.verdict ? `Rationale for ${row.id}` : null,
					(row.tokens ?? 110) - 10,
				),
		),
	);
}

const NOW = Date.UTC(2026, 10, 20, 12);

/**
 * One model's answers, each with a vote and a verdict: `cells` counts each (verdict, vote)
 * pair, plus unvoted and unparseable ones.
 */
async function seedModel(model: string, cells: Record<string, number>) {
	const answers: SeedAnswer[] = [];
	const verdicts: Verdict[] = [];
	let i = 0;
	for (const [cell, count] of Object.entries(cells)) {
		const [verdict, vote] = cell.split("-") as [Verdict["verdict"] | "none", SeedAnswer["vote"]];
		for (let n = 0; n < count; n++, i++) {
			const id = `${model.slice(6)}-${String(i).padStart(3, "0")}`;
			const createdAt = NOW + i * 1000;
			answers.push({
				id,
				model,
				createdAt,
				totalMs: 200,
				vote: vote === undefined || String(vote) === "none" ? undefined : vote,
				conversation: [{ role: "user", content: `Question ${i}` }],
				answer: `Answer ${i}`,
			});
			verdicts.push({ id, model, createdAt, verdict: verdict === "none" ? null : verdict });
		}
	}
	await seed(answers);
	await judged(verdicts);
	return verdicts;
}

const range = `since=${new Date(NOW - 86_400_000).toISOString()}&until=${new Date(NOW + 86_400_000).toISOString()}`;

interface StatsJson {
	models: Record<string, unknown>[];
	days: Record<string, unknown>[];
	judge: { verdicts: number; unparseable: number; tokens: number; tokensPerVerdict: number };
}

describe("the judge against people, in the admin API", () => {
	it("gives each model's judge rate beside its up-rate, and the judge's verdicts against the votes", async () => {
		const get = admin();
		const model = testModel("judged");
		await seedModel(model, {
			"bad-down": 12,
			"bad-up": 3,
			"good-down": 5,
			"good-up": 30,
			"good-none": 4,
			"none-up": 2,
		});
		const stats = await get<StatsJson>(`/stats?model=${encodeURIComponent(model)}&${range}`);
		const [row] = stats.models;
		expect(row).toMatchObject({
			model,
			up: 35,
			down: 17,
			// People's up-rate, from their votes alone: the judge's verdicts are never mixed in.
			upRate: Math.round((35 / 52) * 10_000) / 10_000,
			judgeGood: 39,
			judgeBad: 15,
			judgeUnparseable: 2,
			judgeGoodRate: Math.round((39 / 54) * 10_000) / 10_000,
			judgeMeanScore: Math.round(((39 * 5 + 15) / 54) * 100) / 100,
		});
		const votes = {
			judgeBadPeopleDown: 12,
			judgeBadPeopleUp: 3,
			judgeGoodPeopleDown: 5,
			judgeGoodPeopleUp: 30,
		};
		expect(row?.judgeVotes).toEqual(votes);
		// The day's row carries the judge's counts, for /insights' comparison over the days.
		expect(stats.days[0]).toMatchObject({ judgeGood: 39, judgeBad: 15 });
		// 56 verdicts of 110 tokens each: what the judge cost, as the gateway reported it.
		expect(stats.judge).toMatchObject({
			verdicts: 56,
			unparseable: 2,
			tokens: 56 * 110,
			tokensPerVerdict: 110,
		});
		expect((stats.judge as unknown as { votes: unknown }).votes).toEqual(votes);
	});

	it("follows a re-vote and a clear into the judge's votes", async () => {
		const get = admin();
		const model = testModel("revoted");
		const [first, second] = await seedModel(model, { "good-up": 2, "bad-up": 1 });
		await db()
			.prepare("UPDATE votes SET vote = 'down' WHERE ai_gateway_log_id = ?")
			.bind(first?.id)
			.run();
		await db()
			.prepare("UPDATE votes SET vote = 'clear' WHERE ai_gateway_log_id = ?")
			.bind(second?.id)
			.run();
		const stats = await get<StatsJson>(`/stats?model=${encodeURIComponent(model)}&${range}`);
		expect(stats.models[0]?.judgeVotes).toEqual({
			judgeBadPeopleDown: 0,
			judgeBadPeopleUp: 1,
			judgeGoodPeopleDown: 1,
			judgeGoodPeopleUp: 0,
		});
	});

	it("lists the judge's disagreements with people, each with both gateway log ids, a page at a time", async () => {
		const get = admin();
		const model = testModel("disagreed");
		const verdicts = await seedModel(model, {
			"bad-down": 2,
			"bad-up": 3,
			"good-down": 2,
			"good-up": 4,
			"good-none": 1,
		});
		const ids = (cells: string[]) =>
			verdicts
				.filter((_, i) => cells.includes(cellOf(i)))
				.map((row) => row.id)
				.reverse();
		const cellOf = (i: number) =>
			i < 2
				? "bad-down"
				: i < 5
					? "bad-up"
					: i < 7
						? "good-down"
						: i < 11
							? "good-up"
							: "good-none";
		const filter = `model=${encodeURIComponent(model)}`;
		type Page = { items: Record<string, unknown>[]; nextCursor: string | null };
		const first = await get<Page>(`/feedback?${filter}&judgeAgrees=false&limit=3`);
		expect(first.items).toHaveLength(3);
		const second = await get<Page>(
			`/feedback?${filter}&judgeAgrees=false&limit=3&cursor=${first.nextCursor}`,
		);
		expect(second.nextCursor).toBeNull();
		const listed = [...first.items, ...second.items];
		expect(listed.map((item) => item.aiGatewayLogId)).toEqual(ids(["bad-up", "good-down"]));
		expect(listed[0]).toMatchObject({
			judgeOutcome: "judged",
			judgeVerdict: "good",
			judgeScore: 5,
			judgeModel: "@cf/test/judge",
			judgeRubricVersion: "v-test",
			judgeLogId: `judge-log-${listed[0]?.aiGatewayLogId}`,
			judgeRationale: `Rationale for ${listed[0]?.aiGatewayLogId}`,
			vote: "down",
		});
		expect(listed[0]?.judgedAt).toMatch(/^2026-11-20T/);
		const agreeing = await get<Page>(`/feedback?${filter}&judgeAgrees=true`);
		expect(agreeing.items.map((item) => item.aiGatewayLogId)).toEqual(ids(["bad-down", "good-up"]));
		// A cursor is bound to its filter: the disagreements' cursor does not page the agreements.
		const res = await createHarness().call(
			`/api/admin/feedback?${filter}&judgeAgrees=true&limit=3&cursor=${first.nextCursor}`,
			{ headers: auth },
		);
		expect(res.status).toBe(400);
		// The review set: the disagreements as JSON Lines, with their transcripts.
		const review = await get<string>(`/feedback/export?${filter}&judgeAgrees=false`);
		const lines = review
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line));
		expect(lines.map((line) => line.aiGatewayLogId)).toEqual(ids(["bad-up", "good-down"]));
		expect(lines[0]).toMatchObject({
			answer: expect.stringMatching(/^Answer /),
			judgeLogId: expect.any(String),
		});
	});

	it("exports the golden set: the conversation and the approved answer, in the chat fine-tuning shape", async () => {
		const get = admin();
		const model = testModel("golden");
		await seed([
			{
				id: `${model}-up`,
				model,
				createdAt: NOW,
				vote: "up",
				conversation: [{ role: "user", content: "Hi?" }],
				answer: "Hello!",
			},
			{
				id: `${model}-down`,
				model,
				createdAt: NOW + 1,
				vote: "down",
				conversation: [{ role: "user", content: "2+2?" }],
				answer: "5",
			},
			{ id: `${model}-no-transcript`, model, createdAt: NOW + 2, vote: "up" },
			{
				id: `${model}-clear`,
				model,
				createdAt: NOW + 3,
				vote: "clear",
				conversation: [{ role: "user", content: "x" }],
				answer: "y",
			},
		]);
		const golden = await get<string>(
			`/feedback/export?model=${encodeURIComponent(model)}&format=golden`,
		);
		expect(
			golden
				.trim()
				.split("\n")
				.map((line) => JSON.parse(line)),
		).toEqual([
			{
				messages: [
					{ role: "user", content: "Hi?" },
					{ role: "assistant", content: "Hello!" },
				],
			},
		]);
	});
});

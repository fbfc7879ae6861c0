/**
 * The judge's rollup (migrations/0007_judge.sql) equals a full recount of the verdicts and
 * the answers' latest votes, whatever the order of the writes: verdicts before or after
 * votes, redelivered verdicts, re-votes, clears, deleted votes and verdicts gone with their
 * answers; and retention takes the verdicts with their answers.
 */
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/src/index.ts";
import { DAY_MS } from "../../src/core/time";
import { type JudgeVerdictRow, writeVerdict } from "../../src/store/judge-verdicts";
import { deleteExpired } from "../../src/store/retention";
import { rebuildRollups } from "../../src/store/rollups";
import { db, seed, testModel } from "./helpers";

type Row = Record<string, string | number | null>;

const verdict = (
	aiGatewayLogId: string,
	servedModel: string,
	createdAt: number,
	judged: Pick<JudgeVerdictRow, "verdict" | "score"> & { tokens?: number } = {
		verdict: "bad",
		score: 2,
	},
): JudgeVerdictRow => ({
	aiGatewayLogId,
	createdAt,
	servedModel,
	judgedAt: createdAt + 1000,
	judgeModel: "@cf/judge",
	rubricVersion: "test",
	judgeLogId: `judge-${aiGatewayLogId}`,
	outcome: judged.verdict === null ? "unparseable" : "judged",
	verdict: judged.verdict,
	score: judged.score,
	rationale: judged.verdict === null ? null : "because",
	promptTokens: judged.tokens ?? 100,
	completionTokens: 20,
});

/** A vote as the store keeps the latest one: inserted, its value changed, or deleted. */
const vote = {
	cast: (id: string, value: string) =>
		db()
			.prepare(
				`INSERT INTO votes (ai_gateway_log_id, gateway_id, vote, sequence, revision, version, state,
refused, attempts, created_at, cast_at, updated_at) VALUES (?, 'judge', ?, 1, 1, 1, 'pending', 0, 0, 1, 1, 1)`,
			)
			.bind(id, value)
			.run(),
	change: (id: string, value: string) =>
		db().prepare("UPDATE votes SET vote = ? WHERE ai_gateway_log_id = ?").bind(value, id).run(),
	remove: (id: string) =>
		db().prepare("DELETE FROM votes WHERE ai_gateway_log_id = ?").bind(id).run(),
};

const CELLS = ["bad_down", "bad_up", "good_down", "good_up"] as const;

async function rollup(models: string[]) {
	const { results } = await db()
		.prepare(
			`SELECT * FROM judge_rollups WHERE served_model IN (${models.map(() => "?").join(",")})`,
		)
		.bind(...models)
		.all<Row>();
	const found: Record<string, Row> = {};
	for (const { day, served_model, ...counts } of results)
		if (counts.judged !== 0 || counts.unparseable !== 0) found[`${served_model} ${day}`] = counts;
		else for (const cell of CELLS) expect(counts[cell]).toBe(0);
	return found;
}

async function recount(models: string[]) {
	const { results } = await db()
		.prepare(
			`SELECT j.day, j.served_model, j.outcome, j.verdict, j.score, j.prompt_tokens,
j.completion_tokens, v.vote FROM judge_verdicts j LEFT JOIN votes v
ON v.ai_gateway_log_id = j.ai_gateway_log_id
WHERE j.served_model IN (${models.map(() => "?").join(",")})`,
		)
		.bind(...models)
		.all<Row>();
	const empty = {
		judged: 0,
		unparseable: 0,
		good: 0,
		bad: 0,
		score_sum: 0,
		tokens: 0,
		bad_down: 0,
		bad_up: 0,
		good_down: 0,
		good_up: 0,
	};
	const counts: Record<string, typeof empty> = {};
	for (const row of results) {
		const key = `${row.served_model} ${row.day}`;
		const c = counts[key] ?? { ...empty };
		counts[key] = c;
		if (row.outcome === "judged") c.judged++;
		else c.unparseable++;
		if (row.verdict === "good") c.good++;
		if (row.verdict === "bad") c.bad++;
		c.score_sum += Number(row.score ?? 0);
		c.tokens += Number(row.prompt_tokens ?? 0) + Number(row.completion_tokens ?? 0);
		if (row.verdict && (row.vote === "up" || row.vote === "down"))
			c[`${row.verdict as "good" | "bad"}_${row.vote}`]++;
	}
	return counts;
}

describe("the judge's rollup", () => {
	it("moves the confusion cells with a re-vote, a clear and a deleted vote", async () => {
		const model = testModel("judged");
		const day = Math.floor(Date.now() / DAY_MS);
		const id = `cells-${crypto.randomUUID()}`;
		const cells = async () => {
			const row = (await rollup([model]))[`${model} ${day}`] ?? {};
			return CELLS.map((cell) => row[cell]);
		};
		await vote.cast(id, "down");
		await writeVerdict(db(), verdict(id, model, Date.now()));
		// The vote came first: counted when the verdict arrives.
		expect(await cells()).toEqual([1, 0, 0, 0]);
		await vote.change(id, "up");
		expect(await cells()).toEqual([0, 1, 0, 0]);
		await vote.change(id, "clear");
		expect(await cells()).toEqual([0, 0, 0, 0]);
		await vote.change(id, "down");
		expect(await cells()).toEqual([1, 0, 0, 0]);
		await vote.remove(id);
		expect(await cells()).toEqual([0, 0, 0, 0]);
		// A verdict first, then its vote.
		const good = `cells-good-${crypto.randomUUID()}`;
		await writeVerdict(db(), verdict(good, model, Date.now(), { verdict: "good", score: 5 }));
		await vote.cast(good, "up");
		expect(await cells()).toEqual([0, 0, 0, 1]);
		expect(await rollup([model])).toEqual(await recount([model]));
	});

	it("equals a recount after random verdicts, redeliveries, votes, re-votes, clears and deletions", async () => {
		const random = seededRandom(7);
		const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
		const models = [testModel("judge-a"), testModel("judge-b")];
		const start = Math.floor(Date.now() / DAY_MS - 2) * DAY_MS;
		const answers = Array.from({ length: 40 }, (_, i) => ({
			id: `judge-rollup-${crypto.randomUUID()}-${i}`,
			model: pick(models),
			createdAt: start + Math.floor(random() * 3 * DAY_MS),
		}));
		// Half the answers have their row in the store: deleting it takes the verdict along.
		const stored = answers.filter(() => random() < 0.5);
		await seed(stored.map(({ id, model, createdAt }) => ({ id, model, createdAt })));
		type Step = () => Promise<unknown>;
		const queues: Step[][] = answers.map((answer) => {
			const judged = pick([
				{ verdict: "good", score: 5 },
				{ verdict: "good", score: 4 },
				{ verdict: "bad", score: 1 },
				{ verdict: null, score: null },
			] as const);
			const write = () =>
				writeVerdict(
					db(),
					verdict(answer.id, answer.model, answer.createdAt, {
						...judged,
						tokens: Math.floor(random() * 500),
					}),
				);
			const steps: Step[] = [];
			let voted = false;
			for (let n = Math.floor(random() * 5); n > 0; n--) {
				const value = pick(["up", "down", "clear"]);
				if (!voted) {
					steps.push(() => vote.cast(answer.id, value));
					voted = true;
				} else if (random() < 0.2) {
					steps.push(() => vote.remove(answer.id));
					voted = false;
				} else steps.push(() => vote.change(answer.id, value));
			}
			steps.splice(Math.floor(random() * (steps.length + 1)), 0, write);
			if (random() < 0.3) steps.push(write);
			if (stored.includes(answer) && random() < 0.3)
				steps.push(() =>
					db().prepare("DELETE FROM answers WHERE ai_gateway_log_id = ?").bind(answer.id).run(),
				);
			return steps;
		});
		while (queues.some((queue) => queue.length > 0))
			await (pick(queues.filter((queue) => queue.length > 0)).shift() as Step)();
		const counted = await recount(models);
		expect(Object.keys(counted).length).toBeGreaterThan(2);
		expect(await rollup(models)).toEqual(counted);
		// The rebuild (npm run store:rebuild-rollups) counts the same.
		await rebuildRollups(db());
		expect(await rollup(models)).toEqual(counted);
	});

	it("forgets the verdicts of the answers retention deletes, and their rollup rows", async () => {
		const model = testModel("judge-old");
		// Noon, so that the cutoff (90 days before) falls mid-day: an answer just before it
		// shares its day with the answers kept.
		const now = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS / 2;
		const cutoff = now - 90 * DAY_MS;
		const old = cutoff - 1000;
		const kept = `kept-${crypto.randomUUID()}`;
		const expired = `expired-${crypto.randomUUID()}`;
		const orphan = `orphan-${crypto.randomUUID()}`;
		await seed([
			{ id: expired, model, createdAt: old },
			{ id: kept, model, createdAt: now },
		]);
		await writeVerdict(db(), verdict(expired, model, old));
		// Its answer never reached the store: the sweep of the days before the cutoff's takes it.
		await writeVerdict(db(), verdict(orphan, model, cutoff - DAY_MS));
		await writeVerdict(db(), verdict(kept, model, now));
		await deleteExpired(db(), 90, now);
		const { results } = await db()
			.prepare("SELECT ai_gateway_log_id FROM judge_verdicts WHERE served_model = ?")
			.bind(model)
			.all<Row>();
		expect(results.map((row) => row.ai_gateway_log_id)).toEqual([kept]);
		const rows = await db()
			.prepare("SELECT day FROM judge_rollups WHERE served_model = ?")
			.bind(model)
			.all<Row>();
		expect(rows.results).toEqual([{ day: Math.floor(now / DAY_MS) }]);
	});
});

/**
 * The statistics' rollups (migrations/0003_rollups.sql, and the routers' rollup of
 * 0005_routing_rollups.sql) equal a full recount from the rows,
 * whatever the order and repetition of the writes: random answers, and random vote
 * sequences (up, down, clear, re-votes, scores, delivery updates), written through the
 * store's own functions, with votes before or after their answer's row, replayed answers
 * and votes, older vote versions arriving late, retention, and the rebuild.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../emulator/src/index.ts";
import { DAY_MS } from "../../src/core/time";
import type { Vote } from "../../src/core/votes";
import { type AnswerRow, writeAnswer } from "../../src/store/answers";
import { deleteExpired } from "../../src/store/retention";
import {
	LATENCY_RELATIVE_ERROR,
	latencyBucket,
	REBUILD_ROLLUPS,
	rebuildRollups,
} from "../../src/store/rollups";
import { feedbackStats } from "../../src/store/stats";
import { type StoredVote, writeVote } from "../../src/store/votes";
import { db, testModel } from "../store/helpers";

type Row = Record<string, string | number | null>;

/** One write: an answer's row, or one version of a log's vote. */
type Write =
	| { kind: "answer"; row: AnswerRow }
	| { kind: "vote"; vote: StoredVote; version: number };

/** Answers over four days and their vote histories, from a seed. */
function scenario(seed: number, models: string[], start: number) {
	const random = seededRandom(seed);
	const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
	// A router's answers and tokens from a generator of their own: the rest stays as it was.
	const routing = seededRandom(seed + 1_000);
	const answers: AnswerRow[] = [];
	const histories: { vote: StoredVote; version: number }[][] = [];
	for (let i = 0; i < 60; i++) {
		const createdAt = start + Math.floor(random() * 4 * DAY_MS);
		const roll = random();
		// Mostly seconds; some instant, some past the histogram's last bound.
		const totalMs =
			roll < 0.05
				? 0
				: roll < 0.1
					? 700_000 + Math.floor(random() * 1e6)
					: Math.floor(50 * 200 ** random());
		const aiGatewayLogId = `rollup-${seed}-${i}`;
		const router = routing() < 0.5 ? pick(["cloudflare/auto", "custom/fast"]) : null;
		const reasons = [
			"cost_optimal_within_pool",
			"pinned_by_turn",
			"fallback_candidate_unavailable",
		];
		answers.push({
			aiGatewayLogId,
			gatewayId: "rollups",
			createdAt,
			route: pick(["/api/chat", "/v1/chat/completions"]),
			requestedModel: router ?? "@cf/requested",
			servedModel: pick(models),
			provider: "workers-ai",
			step: null,
			routingReason: router && (reasons[Math.floor(routing() * reasons.length)] as string),
			routingDecisionId: router && `decision-${i}`,
			streamed: random() < 0.5,
			outcome: pick(["complete", "complete", "complete", "failed", "aborted"]),
			ttfbMs: null,
			totalMs,
			promptTokens: null,
			completionTokens: null,
			totalTokens: routing() < 0.8 ? Math.floor(routing() * 2000) : null,
			cached: null,
			conversation: null,
			answerText: null,
			transcriptKey: null,
		});
		// Each change of the vote or of its delivery is a new version, as the object writes them.
		const history: { vote: StoredVote; version: number }[] = [];
		const castAt = createdAt + Math.floor(random() * DAY_MS);
		let version = 0;
		let revision = 0;
		const changes = Math.floor(random() * 5);
		for (let change = 0; change < changes; change++) {
			const last = history.at(-1)?.vote;
			// A delivery update keeps the vote and moves its state on.
			const redelivery = last && random() < 0.4;
			const state = redelivery
				? pick(["delivered", "failed", "failed", "refused"] as const)
				: "pending";
			if (!redelivery) revision++;
			const vote: Vote = redelivery ? last.vote : pick(["up", "down", "clear"] as const);
			const score = redelivery
				? last.score
				: random() < 0.5
					? Math.floor(random() * 101)
					: undefined;
			version += 1 + Math.floor(random() * 2);
			history.push({
				version,
				vote: {
					aiGatewayLogId,
					gatewayId: "rollups",
					vote,
					score,
					sequence: castAt + change,
					revision,
					castAt: castAt + change,
					state,
					refused: state === "failed" && random() < 0.5,
					attempts: 1,
					nextAttemptAt: null,
					deliveredAt: redelivery ? castAt + change : null,
					failedAt: null,
					error: null,
				},
			});
		}
		histories.push(history);
	}
	// Every write, in an order where a log's versions mostly come in order, but the answer
	// may come before, between or after its votes; then replays and late older versions.
	const writes: Write[] = [];
	const queues: Write[][] = answers.map((row, i) => {
		const votes = (histories[i] ?? []).map((write): Write => ({ kind: "vote", ...write }));
		votes.splice(Math.floor(random() * (votes.length + 1)), 0, { kind: "answer", row });
		return votes;
	});
	while (queues.some((queue) => queue.length > 0)) {
		const queue = pick(queues.filter((each) => each.length > 0));
		writes.push(queue.shift() as Write);
	}
	const replays = writes.filter(() => random() < 0.25);
	for (const write of replays) writes.splice(Math.floor(random() * (writes.length + 1)), 0, write);
	return { answers, writes };
}

/** Runs the writes; runs of answers are written together, as answers that end together are. */
async function apply(writes: Write[]) {
	for (let i = 0; i < writes.length; ) {
		const write = writes[i] as Write;
		if (write.kind === "vote") {
			await writeVote(db(), write.vote, write.version);
			i++;
			continue;
		}
		const together: Promise<void>[] = [];
		for (; writes[i]?.kind === "answer"; i++) {
			together.push(writeAnswer(db(), (writes[i] as { row: AnswerRow }).row));
		}
		await Promise.all(together);
	}
}

const countsKey = (model: unknown, day: unknown) => `${model} ${day}`;

/**
 * The rollups of these models, as stored: counts per day and model, answers per bucket; and
 * the votes per delivery state (of every vote).
 */
async function rollups(models: string[]) {
	const marks = models.map(() => "?").join(",");
	const [states, counts, latencies, routed] = await db().batch<Row>([
		db().prepare("SELECT state, votes, refused FROM vote_states WHERE votes > 0 ORDER BY state"),
		db()
			.prepare(`SELECT * FROM answer_rollups WHERE served_model IN (${marks})`)
			.bind(...models),
		db()
			.prepare(`SELECT * FROM latency_rollups WHERE served_model IN (${marks})`)
			.bind(...models),
		db()
			.prepare(`SELECT * FROM routing_rollups WHERE served_model IN (${marks})`)
			.bind(...models),
	]);
	const result = {
		counts: {} as Record<string, Row>,
		latencies: {} as Record<string, number>,
		routing: {} as Record<string, Row>,
		states: states?.results,
	};
	// Retention removes the routers' rows left at zero: none is kept.
	for (const row of routed?.results ?? []) {
		const { day, requested_model, served_model, routing_reason, ...rest } = row;
		result.routing[routingKey(requested_model, served_model, routing_reason, day)] = rest;
	}
	for (const row of counts?.results ?? []) {
		const { day, served_model, ...rest } = row;
		// A row left at zero counts nothing (retention removes those).
		if (row.answers === 0) expect(rest).toEqual({ ...rest, up: 0, down: 0, cleared: 0 });
		else result.counts[countsKey(served_model, day)] = rest;
	}
	for (const row of latencies?.results ?? []) {
		if (row.answers === 0) continue;
		result.latencies[`${countsKey(row.served_model, row.day)} ${row.bucket}`] = Number(row.answers);
	}
	return result;
}

const routingKey = (router: unknown, model: unknown, reason: unknown, day: unknown) =>
	`${router} ${model} ${reason} ${day}`;

const NONE = { answers: 0, up: 0, down: 0, cleared: 0, score_sum: 0, scored: 0 };
const NO_ROUTING = { answers: 0, up: 0, down: 0, tokens: 0, tokened: 0 };

/**
 * The same, counted afresh from the rows: every answer on its day and model, with its vote;
 * every vote in its state.
 */
async function recount(models: string[]) {
	const marks = models.map(() => "?").join(",");
	const { results } = await db()
		.prepare(
			`SELECT a.created_at, a.served_model, a.outcome, a.total_ms, v.vote, v.score,
a.requested_model, a.routing_reason, a.total_tokens
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
WHERE a.served_model IN (${marks})`,
		)
		.bind(...models)
		.all<Row>();
	const result = {
		counts: {} as Record<string, typeof NONE>,
		latencies: {} as Record<string, number>,
		routing: {} as Record<string, typeof NO_ROUTING>,
		states: (
			await db()
				.prepare(
					"SELECT state, COUNT(*) AS votes, SUM(refused) AS refused FROM votes GROUP BY state ORDER BY state",
				)
				.all<Row>()
		).results,
	};
	for (const row of results) {
		const key = countsKey(row.served_model, Math.floor(Number(row.created_at) / DAY_MS));
		const counts = result.counts[key] ?? { ...NONE };
		result.counts[key] = counts;
		counts.answers++;
		if (row.vote === "up") counts.up++;
		if (row.vote === "down") counts.down++;
		if (row.vote === "clear") counts.cleared++;
		if (row.vote !== null && row.vote !== "clear" && row.score !== null) {
			counts.score_sum += Number(row.score);
			counts.scored++;
		}
		if (row.outcome === "complete") {
			const bucket = `${key} ${latencyBucket(Number(row.total_ms))}`;
			result.latencies[bucket] = (result.latencies[bucket] ?? 0) + 1;
		}
		if (row.routing_reason !== null) {
			const day = Math.floor(Number(row.created_at) / DAY_MS);
			const routingAt = routingKey(row.requested_model, row.served_model, row.routing_reason, day);
			const routed = result.routing[routingAt] ?? { ...NO_ROUTING };
			result.routing[routingAt] = routed;
			routed.answers++;
			if (row.vote === "up") routed.up++;
			if (row.vote === "down") routed.down++;
			if (row.total_tokens !== null) {
				routed.tokens += Number(row.total_tokens);
				routed.tokened++;
			}
		}
	}
	return result;
}

/** Exact quantile of sorted values, interpolated between the nearest ranks. */
function exactQuantile(sorted: number[], p: number) {
	const rank = (sorted.length - 1) * p;
	const below = sorted[Math.floor(rank)] as number;
	return below + (rank - Math.floor(rank)) * ((sorted[Math.ceil(rank)] as number) - below);
}

describe("the statistics' rollups", () => {
	it("equal a recount from the rows over random answers and vote sequences, retention and the rebuild", async () => {
		for (const seed of [1, 2, 3, 4, 5, 6]) {
			const models = ["a", "b", "c"].map((name) => testModel(`rollup-${seed}-${name}`));
			const start = Date.UTC(2026, 0, 1) + seed * 10 * DAY_MS;
			const { answers, writes } = scenario(seed, models, start);
			await apply(writes);
			const why = `seed ${seed}`;
			const counted = await recount(models);
			expect(Object.keys(counted.counts).length, why).toBeGreaterThan(6);
			expect(Object.keys(counted.routing).length, why).toBeGreaterThan(6);
			expect(await rollups(models), why).toEqual(counted);

			// Each answer stored once, with the bucket of its latency.
			const { results } = await db()
				.prepare("SELECT total_ms, latency_bucket FROM answers WHERE ai_gateway_log_id LIKE ?")
				.bind(`rollup-${seed}-%`)
				.all<Row>();
			expect(results, why).toHaveLength(answers.length);
			for (const row of results)
				expect(row.latency_bucket).toBe(latencyBucket(Number(row.total_ms)));

			// The stats read from them: the quantiles within the stated error of the exact ones.
			const stats = await feedbackStats(db(), { since: start, until: start + 6 * DAY_MS });
			for (const model of models) {
				const latencies = answers
					.filter((row) => row.servedModel === model && row.outcome === "complete")
					.map((row) => Math.min(row.totalMs, 623_488))
					.sort((x, y) => x - y);
				const found = stats.models.find((row) => row.model === model);
				expect(found?.answers, why).toBe(answers.filter((row) => row.servedModel === model).length);
				for (const [field, p] of [
					["medianLatencyMs", 0.5],
					["p90LatencyMs", 0.9],
					["p99LatencyMs", 0.99],
				] as const) {
					const exact = exactQuantile(latencies, p);
					expect(
						Math.abs(Number(found?.[field]) - exact),
						`${why}: ${model} ${field} ${found?.[field]} for ${exact}`,
					).toBeLessThanOrEqual(LATENCY_RELATIVE_ERROR * exact + 0.5);
				}
			}

			// Retention deletes about half the answers and some votes: each uncounted.
			const rows = async () => {
				const count = (table: string) =>
					db().prepare(`SELECT COUNT(*) AS n FROM ${table}`).first<number>("n");
				return { answers: await count("answers"), votes: await count("votes") };
			};
			const before = await rows();
			const deleted = await deleteExpired(db(), 1, start + 3 * DAY_MS);
			const after = await rows();
			expect(deleted.answers, why).toBeGreaterThan(0);
			// It tells the rows it deleted, not the rollup rows its triggers changed.
			expect(deleted, why).toEqual({
				answers: Number(before.answers) - Number(after.answers),
				votes: Number(before.votes) - Number(after.votes),
				transcripts: 0,
			});
			const kept = await recount(models);
			expect(Object.keys(kept.counts).length, why).toBeLessThan(Object.keys(counted.counts).length);
			expect(await rollups(models), why).toEqual(kept);

			// The rebuild counts the same from the rows, whatever the rollups held.
			await db().batch([
				db().prepare("UPDATE answer_rollups SET up = up + 5"),
				db().prepare("DELETE FROM latency_rollups"),
				db().prepare("UPDATE routing_rollups SET down = down + 3"),
			]);
			await rebuildRollups(db());
			expect(await rollups(models), why).toEqual(kept);
		}
	}, 60_000);

	it("a re-vote moves its count, a clear takes it away, a replayed answer counts once", async () => {
		const model = testModel("revote");
		const day = Date.UTC(2026, 6, 3);
		const row = {
			...scenario(99, [model], day).answers[0],
			aiGatewayLogId: `revote-${model}`,
			createdAt: day + 1000,
			outcome: "complete",
			totalMs: 1200,
		} as AnswerRow;
		const vote = (version: number, value: Vote, score?: number): StoredVote => ({
			aiGatewayLogId: row.aiGatewayLogId,
			gatewayId: "rollups",
			vote: value,
			score,
			sequence: version,
			revision: version,
			castAt: day + 2000,
			state: "pending",
			attempts: 0,
			nextAttemptAt: null,
			deliveredAt: null,
			failedAt: null,
			error: null,
		});
		const counts = async () =>
			db()
				.prepare(
					"SELECT answers, up, down, cleared, score_sum, scored FROM answer_rollups WHERE served_model = ?",
				)
				.bind(model)
				.first<Row>();
		await writeVote(db(), vote(1, "up", 90), 1);
		// A vote without its answer row counts nowhere yet.
		expect(await counts()).toBeNull();
		await writeAnswer(db(), row);
		await writeAnswer(db(), row);
		expect(await counts()).toEqual({
			answers: 1,
			up: 1,
			down: 0,
			cleared: 0,
			score_sum: 90,
			scored: 1,
		});
		await writeVote(db(), vote(2, "down", 10), 2);
		expect(await counts()).toMatchObject({ up: 0, down: 1, score_sum: 10, scored: 1 });
		// An older version arriving late changes nothing.
		await writeVote(db(), vote(1, "up", 90), 1);
		expect(await counts()).toMatchObject({ up: 0, down: 1, score_sum: 10, scored: 1 });
		await writeVote(db(), vote(3, "clear", 50), 3);
		expect(await counts()).toEqual({
			answers: 1,
			up: 0,
			down: 0,
			cleared: 1,
			score_sum: 0,
			scored: 0,
		});
	});

	it("are rebuilt from rows written before them, latency buckets included", async () => {
		const model = testModel("rebuild");
		const day = Date.UTC(2026, 7, 1);
		const latencies = [0, 1, 2, 3, 7, 99, 100, 101, 4095, 4096, 65_535, 622_591, 623_488, 9e6];
		await db().batch(
			latencies.map((ms, i) =>
				db()
					.prepare(
						`INSERT INTO answers (ai_gateway_log_id, gateway_id, created_at, route, requested_model,
served_model, provider, streamed, outcome, total_ms) VALUES (?, 'old', ?, '/api/chat', ?, ?, 'workers-ai', 0, 'complete', ?)`,
					)
					.bind(`rebuild-${model}-${i}`, day + i, model, model, ms),
			),
		);
		await rebuildRollups(db());
		const { results } = await db()
			.prepare(
				"SELECT total_ms, latency_bucket FROM answers WHERE served_model = ? ORDER BY total_ms",
			)
			.bind(model)
			.all<Row>();
		expect(results.map((row) => row.latency_bucket)).toEqual(latencies.map(latencyBucket));
		expect(await rollups([model])).toEqual(await recount([model]));
	});

	it("are built by the migration with the same statements as the rebuild", () => {
		const migrations = env.TEST_MIGRATIONS?.filter(
			(each) => each.name.endsWith("_rollups.sql") || each.name === "0007_judge.sql",
		);
		expect(migrations?.length).toBe(3);
		const normal = (sql: string) =>
			sql
				.replace(/^\s*--.*$/gm, "")
				.replace(/\s+/g, " ")
				.replace(/;$/, "")
				.trim();
		const queries = (migrations ?? []).flatMap((migration) => migration.queries).map(normal);
		for (const sql of REBUILD_ROLLUPS) expect(queries).toContain(normal(sql));
	});
});

/**
 * The statistics' rollups (migrations/0003_rollups.sql): per UTC day and served model, the
 * answers, their latest votes and a histogram of their latencies, and the votes per
 * delivery state, which triggers keep current in the same transaction as the rows. This module defines the latency buckets and
 * holds the rebuild from the rows. It imports only core/time.ts, so scripts run it in Node as it is
 * (`npm run store:rebuild-rollups`, scripts/seed-feedback.mjs).
 */

// With its extension: scripts run this module in Node as it is. A rollup's day is
// `created_at / DAY_MS`: days since the epoch, in UTC.
import { DAY_MS } from "../core/time.ts";

/** Bucket bounds grow by 2^(1/4): from 1 ms, 77 steps reach 2^(77/4) ms, about 10.4 minutes. */
const STEPS = 77;
const RATIO = 2 ** (1 / 4);

/**
 * The smallest latency of each bucket after the first, in whole ms: bucket 0 holds 0 ms,
 * bucket k (1 to 77) the latencies from 2^((k-1)/4) ms up to, not including, 2^(k/4) ms (the
 * whole ms from BUCKET_FLOORS[k-1] to BUCKET_FLOORS[k] - 1; some hold none), and bucket 78
 * everything from 2^(77/4) ms, about 10.4 minutes, up.
 */
export const BUCKET_FLOORS = Array.from({ length: STEPS + 1 }, (_, k) => Math.ceil(2 ** (k / 4)));

/**
 * The most a latency read from the histogram is off, relative to the true one:
 * (r - 1) / (r + 1) for the ratio r between bounds (about 0.0864), rounded up. Quantiles
 * interpolate between two latencies, each within this, so they are within it too (then
 * rounded to the millisecond). Beyond the last bound, 10.4 minutes, a latency reads as that.
 */
export const LATENCY_RELATIVE_ERROR = Math.ceil(((RATIO - 1) / (RATIO + 1)) * 1e4) / 1e4;

/** The bucket of a latency in ms: how many bucket floors it reaches. */
export function latencyBucket(ms: number): number {
	let bucket = 0;
	while (bucket < BUCKET_FLOORS.length && ms >= (BUCKET_FLOORS[bucket] as number)) bucket++;
	return bucket;
}

/** latencyBucket as SQL over a column, with no math functions: a sum of comparisons. */
const bucketSql = (column: string) =>
	BUCKET_FLOORS.map((floor) => `(${column} >= ${floor})`).join(" + ");

/**
 * The latency a bucket stands for: the one with the same relative error to its smallest and
 * largest whole ms, 2·lo·hi / (lo + hi). Exact where a bucket holds one ms; the last bucket
 * reads as its floor.
 */
export function bucketLatency(bucket: number): number {
	if (bucket <= 0) return 0;
	const lo = BUCKET_FLOORS[bucket - 1] ?? 0;
	const next = BUCKET_FLOORS[bucket];
	if (next === undefined) return lo;
	const hi = next - 1;
	return (2 * lo * hi) / (lo + hi);
}

/** A histogram: answers per bucket, indexed by bucket (BUCKET_FLOORS.length + 1 of them). */
export type Histogram = number[];

export const emptyHistogram = (): Histogram => new Array(BUCKET_FLOORS.length + 1).fill(0);

/**
 * The `p` quantile (0 to 1) of a histogram's latencies, interpolated between the two nearest
 * ranks as the exact one would be (so the median of an even count is the mean of the middle
 * two), each rank read as its bucket's latency. Null for an empty histogram.
 */
export function quantile(histogram: Histogram, p: number): number | null {
	const total = histogram.reduce((sum, n) => sum + n, 0);
	if (total === 0) return null;
	const rank = (total - 1) * p;
	const below = Math.floor(rank);
	/** The latency at a rank (0 the smallest): its bucket's. */
	const at = (index: number) => {
		let seen = 0;
		for (const [bucket, n] of histogram.entries()) {
			seen += n;
			if (index < seen) return bucketLatency(bucket);
		}
		return 0;
	};
	const low = at(below);
	return low + (rank - below) * (at(Math.ceil(rank)) - low);
}

/** A vote's counts, from the columns `vote` and `score` of a votes row (or NULL for none). */
const voteCounts = (vote: string, score: string) => ({
	up: `IFNULL(SUM(${vote} = 'up'), 0)`,
	down: `IFNULL(SUM(${vote} = 'down'), 0)`,
	cleared: `IFNULL(SUM(${vote} = 'clear'), 0)`,
	score_sum: `IFNULL(SUM(IIF(${vote} <> 'clear', ${score}, NULL)), 0)`,
	scored: `COUNT(IIF(${vote} <> 'clear', ${score}, NULL))`,
});

/**
 * Rebuilds the rollups from the rows, in one batch: fills in the latency bucket of rows
 * written before it existed, then counts every answer, with its vote, on its day and served
 * model (a router's also by router and reason), every verdict of the judge with its answer's
 * vote, and every vote in its delivery state (migrations/0003_rollups.sql,
 * 0005_routing_rollups.sql and 0007_judge.sql end with the same statements).
 * Built by a call marked pure, so the Worker's bundle, which never rebuilds, drops it (about
 * 0.5 KiB gzipped): only the scripts and the tests use it.
 */
export const REBUILD_ROLLUPS = /* @__PURE__ */ rebuildStatements();

function rebuildStatements(): string[] {
	return [
		`UPDATE answers SET latency_bucket = ${bucketSql("total_ms")}
WHERE latency_bucket IS NULL AND total_ms IS NOT NULL`,
		"DELETE FROM answer_rollups",
		"DELETE FROM latency_rollups",
		`INSERT INTO answer_rollups (day, served_model, answers, up, down, cleared, score_sum, scored)
SELECT a.created_at / ${DAY_MS}, a.served_model, COUNT(*), ${Object.values(voteCounts("v.vote", "v.score")).join(", ")}
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
GROUP BY 1, 2`,
		`INSERT INTO latency_rollups (day, served_model, bucket, answers)
SELECT created_at / ${DAY_MS}, served_model, latency_bucket, COUNT(*) FROM answers
WHERE outcome = 'complete' AND latency_bucket IS NOT NULL
GROUP BY 1, 2, 3`,
		// A router's answers per day, router, routed model and reason (migrations/0005_routing_rollups.sql).
		"DELETE FROM routing_rollups",
		`INSERT INTO routing_rollups (day, requested_model, served_model, routing_reason, answers, up, down, tokens, tokened)
SELECT a.created_at / ${DAY_MS}, a.requested_model, a.served_model, a.routing_reason, COUNT(*), IFNULL(SUM(v.vote = 'up'), 0), IFNULL(SUM(v.vote = 'down'), 0), IFNULL(SUM(a.total_tokens), 0), COUNT(a.total_tokens)
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
WHERE a.routing_reason IS NOT NULL
GROUP BY 1, 2, 3, 4`,
		// The judge's verdicts per answer day and served model (migrations/0007_judge.sql).
		"DELETE FROM judge_rollups",
		`INSERT INTO judge_rollups (day, served_model, judged, unparseable, good, bad, score_sum, tokens, bad_down, bad_up, good_down, good_up)
SELECT j.day, j.served_model, SUM(j.outcome = 'judged'), SUM(j.outcome = 'unparseable'), SUM(j.verdict IS 'good'), SUM(j.verdict IS 'bad'), IFNULL(SUM(j.score), 0), SUM(IFNULL(j.prompt_tokens, 0) + IFNULL(j.completion_tokens, 0)), SUM(j.verdict IS 'bad' AND v.vote IS 'down'), SUM(j.verdict IS 'bad' AND v.vote IS 'up'), SUM(j.verdict IS 'good' AND v.vote IS 'down'), SUM(j.verdict IS 'good' AND v.vote IS 'up')
FROM judge_verdicts j LEFT JOIN votes v ON v.ai_gateway_log_id = j.ai_gateway_log_id
GROUP BY 1, 2`,
		"DELETE FROM vote_states",
		`INSERT INTO vote_states (state, votes, refused)
SELECT state, COUNT(*), SUM(refused) FROM votes GROUP BY state`,
	];
}

/** Rebuilds the rollups from the rows (REBUILD_ROLLUPS) in one transaction. */
export async function rebuildRollups(db: D1Database): Promise<void> {
	await db.batch(REBUILD_ROLLUPS.map((sql) => db.prepare(sql)));
}

/** Feedback statistics per served model and per UTC day, from the feedback store. */

const DAY_MS = 86_400_000;

export interface StatsQuery {
	/** Answers created in [since, until), ms. */
	since: number;
	until: number;
	model?: string;
}

interface Counts {
	model: string;
	day: number;
	answers: number;
	up: number | null;
	down: number | null;
	cleared: number | null;
	score_sum: number | null;
	scored: number;
}

interface Median {
	model: string;
	day: number | null;
	median: number;
}

/**
 * The 95% Wilson score interval of `successes` out of `trials`: unlike p ± 1.96·SE it
 * stays inside [0, 1] and is honest for small counts.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): [number, number] {
	if (trials === 0) return [0, 1];
	const p = successes / trials;
	const z2 = z * z;
	const centre = p + z2 / (2 * trials);
	const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
	const denominator = 1 + z2 / trials;
	return [
		Math.max(0, (centre - margin) / denominator),
		Math.min(1, (centre + margin) / denominator),
	];
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * The exact median latency of complete answers per model and day (`byDay`) or per model:
 * each group's middle row (or the mean of the middle two), found by a correlated subquery
 * that sorts only its own group's latencies, read from answers_by_model.
 */
const medianSql = (byDay: boolean, modelFilter: string) => {
	const from = byDay ? `MAX(?1, g.day * ${DAY_MS})` : "?1";
	const to = byDay ? `MIN(?2, (g.day + 1) * ${DAY_MS})` : "?2";
	return `SELECT g.model AS model, g.day AS day, (SELECT AVG(x) FROM (
SELECT x, ROW_NUMBER() OVER (ORDER BY x) AS i FROM (SELECT total_ms AS x FROM answers
WHERE served_model = g.model AND outcome = 'complete' AND created_at >= ${from}
AND created_at < ${to} AND total_ms IS NOT NULL)) WHERE 2 * i - g.n BETWEEN 0 AND 2) AS median
FROM (SELECT served_model AS model, ${byDay ? `created_at / ${DAY_MS}` : "NULL"} AS day,
COUNT(total_ms) AS n FROM answers a WHERE created_at >= ?1 AND created_at < ?2
AND outcome = 'complete'${modelFilter} GROUP BY 1, 2) AS g`;
};

/** The statements of feedbackStats, with their parameters: counts, then the medians by day and overall. */
export function statsQueries({ since, until, model }: StatsQuery) {
	const modelFilter = model === undefined ? "" : " AND a.served_model = ?3";
	const params = model === undefined ? [since, until] : [since, until, model];
	return [
		`SELECT a.served_model AS model, a.created_at / ${DAY_MS} AS day, COUNT(*) AS answers,
SUM(v.vote = 'up') AS up, SUM(v.vote = 'down') AS down, SUM(v.vote = 'clear') AS cleared,
SUM(IIF(v.vote <> 'clear', v.score, NULL)) AS score_sum,
COUNT(IIF(v.vote <> 'clear', v.score, NULL)) AS scored
FROM answers a LEFT JOIN votes v ON v.ai_gateway_log_id = a.ai_gateway_log_id
WHERE a.created_at >= ?1 AND a.created_at < ?2${modelFilter}
GROUP BY a.served_model, day ORDER BY a.served_model, day`,
		medianSql(true, modelFilter),
		medianSql(false, modelFilter),
	].map((sql) => ({ sql, params }));
}

/**
 * Answers, votes (each log's latest), the up-rate up / (up + down) with its 95% Wilson
 * interval, the mean score of rated votes and the median latency (to the whole answer),
 * per model over the range and per model and day. One D1 round trip.
 */
export async function feedbackStats(db: D1Database, range: StatsQuery) {
	const { since, until } = range;
	const [counts, ...medians] = await db.batch<Counts & Median>(
		statsQueries(range).map(({ sql, params }) => db.prepare(sql).bind(...params)),
	);
	const medianOf = (index: number) => {
		const found = new Map<string, number>();
		for (const row of medians[index]?.results ?? []) {
			found.set(`${row.model}\n${row.day}`, Math.round(row.median));
		}
		return (model: string, day: number | null) => found.get(`${model}\n${day}`) ?? null;
	};
	const byDay = medianOf(0);
	const overall = medianOf(1);

	const models = new Map<string, Counts>();
	const days = (counts?.results ?? []).map((row) => {
		const sum = models.get(row.model) ?? {
			...row,
			answers: 0,
			up: 0,
			down: 0,
			cleared: 0,
			score_sum: 0,
			scored: 0,
		};
		sum.answers += row.answers;
		sum.up = (sum.up ?? 0) + (row.up ?? 0);
		sum.down = (sum.down ?? 0) + (row.down ?? 0);
		sum.cleared = (sum.cleared ?? 0) + (row.cleared ?? 0);
		sum.score_sum = (sum.score_sum ?? 0) + (row.score_sum ?? 0);
		sum.scored += row.scored;
		models.set(row.model, sum);
		return {
			day: new Date(row.day * DAY_MS).toISOString().slice(0, 10),
			...summary(row),
			medianLatencyMs: byDay(row.model, row.day),
		};
	});
	return {
		since: new Date(since).toISOString(),
		until: new Date(until).toISOString(),
		models: [...models.values()].map((row) => ({
			...summary(row),
			medianLatencyMs: overall(row.model, null),
		})),
		days,
	};
}

function summary(row: Counts) {
	const up = row.up ?? 0;
	const down = row.down ?? 0;
	const voted = up + down;
	const [low, high] = wilsonInterval(up, voted);
	return {
		model: row.model,
		answers: row.answers,
		up,
		down,
		cleared: row.cleared ?? 0,
		upRate: voted ? round(up / voted) : null,
		upRateLow: voted ? round(low) : null,
		upRateHigh: voted ? round(high) : null,
		meanScore: row.scored ? round(Number(row.score_sum) / row.scored, 2) : null,
	};
}

export const HEALTH_SQL =
	"SELECT state, COUNT(*) AS n, SUM(refused) AS refused FROM votes GROUP BY state";

/** Where the votes' deliveries stand: pending, delivered, refused by the gateway, dead letters. */
export async function deliveryHealth(db: D1Database) {
	const { results } = await db
		.prepare(HEALTH_SQL)
		.all<{ state: string; n: number; refused: number }>();
	const count = (state: string) => results.find((row) => row.state === state);
	return {
		pending: count("pending")?.n ?? 0,
		delivered: count("delivered")?.n ?? 0,
		// Rejected by the gateway (dead letters too), or on a gateway that takes no feedback.
		refused: (count("failed")?.refused ?? 0) + (count("refused")?.n ?? 0),
		deadLetters: count("failed")?.n ?? 0,
	};
}

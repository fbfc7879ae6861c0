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
 * The median of `column` over complete answers, per model and day (`byDay`) or per model,
 * with window functions: the middle row, or the mean of the middle two.
 */
const medianSql = (column: string, byDay: boolean, modelFilter: string) => {
	const partition = byDay ? "model, day" : "model";
	return `SELECT model, ${byDay ? "day" : "NULL AS day"}, AVG(x) AS median FROM (
SELECT model, day, x, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY x) AS i,
COUNT(*) OVER (PARTITION BY ${partition}) AS n FROM (
SELECT served_model AS model, created_at / ${DAY_MS} AS day, ${column} AS x FROM answers a
WHERE created_at >= ?1 AND created_at < ?2 AND outcome = 'complete' AND ${column} IS NOT NULL${modelFilter}))
WHERE 2 * i - n BETWEEN 0 AND 2 GROUP BY ${partition}`;
};

/** The statements of feedbackStats, with their parameters: counts, then the four medians. */
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
		medianSql("total_ms", true, modelFilter),
		medianSql("total_ms", false, modelFilter),
		medianSql("ttfb_ms", true, modelFilter),
		medianSql("ttfb_ms", false, modelFilter),
	].map((sql) => ({ sql, params }));
}

/**
 * Answers, votes (each log's latest), the up-rate up / (up + down) with its 95% Wilson
 * interval, the mean score of rated votes and the median latency (to the whole answer, and
 * to its first text), per model over the range and per model and day. One D1 round trip.
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
	const totalByDay = medianOf(0);
	const total = medianOf(1);
	const ttfbByDay = medianOf(2);
	const ttfb = medianOf(3);

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
			medianLatencyMs: totalByDay(row.model, row.day),
			medianTtfbMs: ttfbByDay(row.model, row.day),
		};
	});
	return {
		since: new Date(since).toISOString(),
		until: new Date(until).toISOString(),
		models: [...models.values()].map((row) => ({
			...summary(row),
			medianLatencyMs: total(row.model, null),
			medianTtfbMs: ttfb(row.model, null),
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
		refused: count("failed")?.refused ?? 0,
		deadLetters: count("failed")?.n ?? 0,
	};
}

/**
 * Feedback statistics per served model and per UTC day, and the routers' answers by routed
 * model and by reason, and the LLM judge's verdicts, read from the rollups alone
 * (migrations/0003_rollups.sql, 0005_routing_rollups.sql, 0007_judge.sql): their cost grows
 * with days × models, not with answers.
 */
import type { JudgeVotes } from "../core/agreement";
import { DAY_MS } from "../core/time";
import { wilsonInterval } from "../core/verdict";
import type { D1Reads } from "./db";
import { emptyHistogram, type Histogram, LATENCY_RELATIVE_ERROR, quantile } from "./rollups";

export interface StatsQuery {
	/** Answers created in [since, until), ms, widened to the whole UTC days they touch. */
	since: number;
	until: number;
	model?: string;
}

interface Counts {
	model: string;
	day: number;
	answers: number;
	up: number;
	down: number;
	cleared: number;
	score_sum: number;
	scored: number;
	/** The judge's verdicts (migrations/0007_judge.sql): good, bad, unparseable, their scores and tokens. */
	judge_good: number;
	judge_bad: number;
	unparseable: number;
	judge_score_sum: number;
	judge_tokens: number;
	/** Verdicts on answers people voted on: the judge's good or bad against their down or up. */
	bad_down: number;
	bad_up: number;
	good_down: number;
	good_up: number;
}

/** The counts a model's sum over the range adds up from its days. */
const COUNTS = [
	"answers",
	"up",
	"down",
	"cleared",
	"score_sum",
	"scored",
	"judge_good",
	"judge_bad",
	"unparseable",
	"judge_score_sum",
	"judge_tokens",
	"bad_down",
	"bad_up",
	"good_down",
	"good_up",
] as const;

/** judge_rollups' columns as statsQuery selects them: 0 on a day the judge did not run. */
const JUDGE_COLUMNS = `IFNULL(j.good, 0) judge_good, IFNULL(j.bad, 0) judge_bad,
IFNULL(j.unparseable, 0) unparseable, IFNULL(j.score_sum, 0) judge_score_sum,
IFNULL(j.tokens, 0) judge_tokens, IFNULL(j.bad_down, 0) bad_down, IFNULL(j.bad_up, 0) bad_up,
IFNULL(j.good_down, 0) good_down, IFNULL(j.good_up, 0) good_up`;

/** A day's counts, and its histogram as a JSON object of answers by bucket (`{}` without complete answers). */
type DayRow = Counts & { latencies: string };

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The whole UTC days a range touches, as rollup days: from `first` up to, not including, `end`. */
const statsDays = ({ since, until }: StatsQuery) => ({
	first: Math.floor(since / DAY_MS),
	end: Math.ceil(until / DAY_MS),
});

/**
 * The statement of feedbackStats, with its parameters: each day's counts per model and the
 * judge's, with its latency histogram in one JSON text (one row per day and model, not one
 * per bucket).
 */
export function statsQuery(range: StatsQuery) {
	const { first, end } = statsDays(range);
	const modelFilter = range.model === undefined ? "" : " AND r.served_model = ?3";
	return {
		sql: `SELECT r.*, r.served_model AS model, ${JUDGE_COLUMNS}, (SELECT json_group_object(l.bucket, l.answers) FROM latency_rollups l
WHERE l.day = r.day AND l.served_model = r.served_model AND l.answers > 0) AS latencies
FROM answer_rollups r LEFT JOIN judge_rollups j ON j.day = r.day AND j.served_model = r.served_model WHERE r.day >= ?1 AND r.day < ?2${modelFilter} AND r.answers > 0
ORDER BY r.served_model, r.day`,
		params: range.model === undefined ? [first, end] : [first, end, range.model],
	};
}

/**
 * The statement of a routers' breakdown, with its parameters: per router (the requested
 * `cloudflare/auto` or `custom/<alias>`) and routed model (`by` served_model) or reason (`by`
 * routing_reason) over the range's days, from routing_rollups
 * (migrations/0005_routing_rollups.sql).
 */
export function routingQuery(range: StatsQuery, by: "served_model" | "routing_reason") {
	const { first, end } = statsDays(range);
	const modelFilter = range.model === undefined ? "" : " AND served_model = ?3";
	return {
		sql: `SELECT requested_model AS router, ${by} AS ${by === "served_model" ? "model" : "reason"}, SUM(answers) AS answers, SUM(up) AS up,
SUM(down) AS down, SUM(tokens) AS tokens, SUM(tokened) AS tokened FROM routing_rollups
WHERE day >= ?1 AND day < ?2${modelFilter} GROUP BY 1, 2 HAVING SUM(answers) > 0 ORDER BY 1, 2`,
		params: range.model === undefined ? [first, end] : [first, end, range.model],
	};
}

interface RoutingCounts {
	router: string;
	/** The routed model, or the reason (routingQuery's `by`). */
	model?: string;
	reason?: string;
	answers: number;
	up: number;
	down: number;
	tokens: number;
	tokened: number;
}

/**
 * The up-rate of a router's answers and their cost in tokens, per routed model or reason:
 * answers, votes, the up-rate with its 95% Wilson interval, and the tokens (total_tokens)
 * per answer that reported them.
 */
const routingSummary = ({ tokens, tokened, ...counts }: RoutingCounts) => ({
	...counts,
	...upRates(counts.up, counts.down),
	tokens,
	tokensPerAnswer: tokened ? round(tokens / tokened, 1) : null,
});

/** Median, p90 and p99 of a histogram, to the ms (null without complete answers). */
function latencies(histogram: Histogram) {
	const at = (p: number) => {
		const value = quantile(histogram, p);
		return value === null ? null : Math.round(value);
	};
	return { medianLatencyMs: at(0.5), p90LatencyMs: at(0.9), p99LatencyMs: at(0.99) };
}

/**
 * Answers, votes (each log's latest), the up-rate up / (up + down) with its 95% Wilson
 * interval, the mean score of rated votes, the judge's verdicts beside them (never in the
 * up-rate), and the latency (to the whole answer) at the median, p90 and p99, within
 * LATENCY_RELATIVE_ERROR, per model over the whole UTC days of the range and per model and day; and the routers' answers by routed model and by reason
 * (routingQuery). One D1 round trip.
 */
export async function feedbackStats(db: D1Reads, range: StatsQuery) {
	const { first, end } = statsDays(range);
	const statement = ({ sql, params }: { sql: string; params: unknown[] }) =>
		db.prepare(sql).bind(...params);
	const [counts, byModel, byReason] = await db.batch<DayRow | RoutingCounts>([
		statement(statsQuery(range)),
		statement(routingQuery(range, "served_model")),
		statement(routingQuery(range, "routing_reason")),
	]);
	const results = (counts?.results ?? []) as DayRow[];
	const routed = (rows: typeof byModel) => (rows?.results ?? []) as RoutingCounts[];
	// Each model's counts and histogram over the range, summed from its days.
	const models = new Map<string, Counts & { histogram: Histogram }>();
	const days = results.map((row) => {
		const histogram = emptyHistogram();
		for (const [bucket, answers] of Object.entries(JSON.parse(row.latencies) as object))
			histogram[Number(bucket)] = answers;
		const sum = models.get(row.model);
		if (sum) {
			for (const count of COUNTS) sum[count] += row[count];
			for (const [bucket, answers] of histogram.entries())
				sum.histogram[bucket] = (sum.histogram[bucket] ?? 0) + answers;
		} else models.set(row.model, { ...row, histogram: [...histogram] });
		return {
			day: new Date(row.day * DAY_MS).toISOString().slice(0, 10),
			...summary(row),
			...latencies(histogram),
		};
	});
	return {
		since: new Date(first * DAY_MS).toISOString(),
		until: new Date(end * DAY_MS).toISOString(),
		latencyRelativeError: LATENCY_RELATIVE_ERROR,
		models: [...models.values()].map((row) => ({
			...summary(row),
			...latencies(row.histogram),
			judgeVotes: judgeVotesOf(row),
		})),
		days,
		/** The judge over every model: its verdicts and tokens, and its verdicts against people's votes. */
		judge: judgeOverall([...models.values()]),
		/** Answers of routers (the Auto Router, model aliases), by routed model and by reason. */
		routing: {
			models: routed(byModel).map(routingSummary),
			reasons: routed(byReason).map(routingSummary),
		},
	};
}

/** The up-rate up / (up + down) and its 95% Wilson interval; null without votes. */
function upRates(up: number, down: number) {
	const voted = up + down;
	const [low, high] = wilsonInterval(up, voted);
	return {
		upRate: voted ? round(up / voted) : null,
		upRateLow: voted ? round(low) : null,
		upRateHigh: voted ? round(high) : null,
	};
}

function summary(row: Counts) {
	const { up, down, judge_good: judgeGood, judge_bad: judgeBad } = row;
	const judged = judgeGood + judgeBad;
	return {
		model: row.model,
		answers: row.answers,
		up,
		down,
		cleared: row.cleared,
		...upRates(up, down),
		meanScore: row.scored ? round(Number(row.score_sum) / row.scored, 2) : null,
		// The judge's verdicts, beside people's and never mixed into them.
		judgeGood,
		judgeBad,
		judgeUnparseable: row.unparseable,
		judgeGoodRate: judged ? round(judgeGood / judged) : null,
		judgeMeanScore: judged ? round(row.judge_score_sum / judged, 2) : null,
	};
}

/**
 * The judge's good or bad against people's up or down on the answers both rated: the
 * confusion matrix that core/agreement.ts's judgeAgreement turns into agreement, Cohen's kappa
 * with its interval, and the precision and recall of "bad" (/insights computes them with it).
 */
const judgeVotesOf = (row: Counts): JudgeVotes => ({
	judgeBadPeopleDown: row.bad_down,
	judgeBadPeopleUp: row.bad_up,
	judgeGoodPeopleDown: row.good_down,
	judgeGoodPeopleUp: row.good_up,
});

/**
 * The judge over all models: its verdicts, the tokens its calls used and their mean per
 * verdict (the gateway's usage: what 1,000 judged answers cost is 1,000 times it), and its
 * verdicts against people's votes.
 */
function judgeOverall(rows: Counts[]) {
	const total = Object.fromEntries(
		COUNTS.map((count) => [count, rows.reduce((sum, row) => sum + row[count], 0)]),
	) as Record<(typeof COUNTS)[number], number>;
	const verdicts = total.judge_good + total.judge_bad + total.unparseable;
	return {
		verdicts,
		unparseable: total.unparseable,
		tokens: total.judge_tokens,
		tokensPerVerdict: verdicts ? round(total.judge_tokens / verdicts, 1) : null,
		votes: judgeVotesOf(total as unknown as Counts),
	};
}

/** The votes per delivery state, from their rollup (a row per state), not from the votes. */
export const HEALTH_SQL = "SELECT state, votes AS n, refused FROM vote_states";

/** Where the votes' deliveries stand: pending, delivered, refused by the gateway, dead letters. */
export async function deliveryHealth(db: D1Reads) {
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

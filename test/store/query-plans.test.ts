/**
 * The feedback store's queries use the indexes designed for them (migrations/), shown with
 * EXPLAIN QUERY PLAN against the D1 binding: no full table scan, no sort for the list's
 * order, the stats and the health read the rollups alone. The plans are
 * printed (docs/benchmarks.md quotes them).
 */
import { describe, expect, it } from "vitest";
import { feedbackQuery } from "../../src/store/feedback-rows";
import { OLDEST_SQL, retentionSql } from "../../src/store/retention";
import { HEALTH_SQL, routingQuery, statsQuery } from "../../src/store/stats";
import { db } from "./helpers";

async function plan(sql: string, params: unknown[]): Promise<string> {
	const { results } = await db()
		.prepare(`EXPLAIN QUERY PLAN ${sql}`)
		.bind(...params)
		.all<{ detail: string }>();
	return results.map((row) => row.detail).join("; ");
}

const after = {
	createdAt: 1_795_000_000_000,
	aiGatewayLogId: "019a8f3e-5b7c-7d21-9e4f-3a2b1c0d9e8f",
};
const range = { since: 1_790_000_000_000, until: 1_795_000_000_000 };
const ANSWER_BY_ID = "SEARCH a USING INDEX sqlite_autoindex_answers_1 (ai_gateway_log_id=?)";

const cases: [string, { sql: string; params: unknown[] }, string[]][] = [
	[
		"list, first page",
		feedbackQuery({}, undefined, 51),
		["SCAN v USING INDEX votes_by_time", ANSWER_BY_ID],
	],
	[
		"list, next page",
		feedbackQuery({}, after, 51),
		["SEARCH v USING INDEX votes_by_time ((created_at,ai_gateway_log_id)<(?,?))", ANSWER_BY_ID],
	],
	[
		"list by vote",
		feedbackQuery({ vote: "down" }, after, 51),
		["SEARCH v USING INDEX votes_by_vote (vote=? AND (created_at,ai_gateway_log_id)<(?,?))"],
	],
	[
		"list by state",
		feedbackQuery({ state: "failed" }, after, 51),
		["SEARCH v USING INDEX votes_by_state (state=? AND (created_at,ai_gateway_log_id)<(?,?))"],
	],
	[
		"list with comments",
		feedbackQuery({ hasComment: true }, after, 51),
		["SEARCH v USING INDEX votes_with_comment ((created_at,ai_gateway_log_id)<(?,?))"],
	],
	[
		// The votes in the list's order, each answer's verdict by its key: no scan of verdicts.
		"list of the judge's disagreements",
		feedbackQuery({ judgeAgrees: false }, after, 51),
		[
			"SEARCH v USING INDEX votes_by_time ((created_at,ai_gateway_log_id)<(?,?))",
			"SEARCH j USING INDEX sqlite_autoindex_judge_verdicts_1 (ai_gateway_log_id=?)",
		],
	],
	[
		"list by model and time",
		feedbackQuery({ model: "m", ...range }, after, 51),
		["SEARCH v USING INDEX votes_by_time (created_at>? AND created_at<?)", ANSWER_BY_ID],
	],
	[
		"export batch",
		feedbackQuery({ vote: "up" }, after, 200, true),
		["SEARCH v USING INDEX votes_by_vote (vote=? AND (created_at,ai_gateway_log_id)<(?,?))"],
	],
	...[undefined, "m"].map(
		(model) =>
			[
				model ? "stats of one model" : "stats",
				statsQuery({ ...range, model }),
				[
					"SEARCH r USING PRIMARY KEY (day>? AND day<?)",
					"SEARCH j USING PRIMARY KEY (day=? AND served_model=?)",
					"SEARCH l USING PRIMARY KEY (day=? AND served_model=?)",
				],
			] as [string, { sql: string; params: unknown[] }, string[]],
	),
	...[undefined, "m"].flatMap((model) =>
		(["served_model", "routing_reason"] as const).map(
			(by) =>
				[
					`routers' breakdown by ${by}${model ? " of one model" : ""}`,
					routingQuery({ ...range, model }, by),
					["SEARCH routing_rollups USING PRIMARY KEY (day>? AND day<?)"],
				] as [string, { sql: string; params: unknown[] }, string[]],
		),
	),
	["delivery health", { sql: HEALTH_SQL, params: [] }, ["SCAN vote_states"]],
	[
		"retention, answers",
		{ sql: retentionSql("answers"), params: [range.since] },
		["SEARCH answers USING COVERING INDEX answers_by_time (created_at<?)"],
	],
	[
		"retention, votes",
		{ sql: retentionSql("votes"), params: [range.since] },
		["SEARCH votes USING COVERING INDEX votes_by_time (created_at<?)"],
	],
	[
		"size retention: the oldest day",
		{ sql: OLDEST_SQL, params: [] },
		[
			"SEARCH answers USING COVERING INDEX answers_by_time",
			"SEARCH votes USING COVERING INDEX votes_by_time",
		],
	],
];

describe("the feedback store's query plans", () => {
	it.each(cases)("%s", async (name, { sql, params }, expected) => {
		const detail = await plan(sql, params);
		console.log(JSON.stringify({ query: name, plan: detail }));
		for (const step of expected) expect(detail).toContain(step);
		// Never a whole table read row by row, and never a sort for the list's order.
		expect(detail).not.toMatch(/SCAN (a|v|answers|votes) (?!USING)/);
		if (name.startsWith("list") || name.startsWith("export"))
			expect(detail).not.toContain("TEMP B-TREE");
		// The stats and health read the rollups alone: never the answers or votes.
		if (name.startsWith("stats") || name.includes("health"))
			expect(detail).not.toMatch(/\b(a|v|answers|votes)\b/);
	});
});

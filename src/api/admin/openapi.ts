import * as v from "valibot";
import { surfaceDoc, TEAM_AUTH_ERRORS } from "../../http/route-docs";
import { adminQueries } from "./schemas";

const { ListQuery, ExportQuery, StatsQuery } = adminQueries();

// The admin API's OpenAPI declaration (scripts/openapi.mjs): never imported by the Worker.

const Rate = v.nullable(v.number());
const Latency = v.nullable(v.number());
const Summary = {
	model: v.string(),
	answers: v.number(),
	up: v.number(),
	down: v.number(),
	cleared: v.number(),
	upRate: Rate,
	upRateLow: Rate,
	upRateHigh: Rate,
	meanScore: Rate,
	judgeGood: v.number(),
	judgeBad: v.number(),
	judgeUnparseable: v.number(),
	judgeGoodRate: Rate,
	judgeMeanScore: Rate,
	medianLatencyMs: Latency,
	p90LatencyMs: Latency,
	p99LatencyMs: Latency,
};

/** The judge's verdicts against people's votes on the answers both rated (src/core/agreement.ts). */
const JudgeVotes = v.pipe(
	v.strictObject({
		judgeBadPeopleDown: v.number(),
		judgeBadPeopleUp: v.number(),
		judgeGoodPeopleDown: v.number(),
		judgeGoodPeopleUp: v.number(),
	}),
	v.description(
		"The confusion matrix of the judge's good/bad against people's up/down on the answers both rated: agreement, Cohen's kappa with its 95% interval, and the precision and recall of the judge's bad follow from it (judgeAgreement in src/core/agreement.ts, which /insights runs).",
	),
);

/** A router's answers per routed model or reason (src/store/stats.ts, routingSummary). */
const routed = (name: "model" | "reason") =>
	v.strictObject({
		router: v.string(),
		[name]: v.string(),
		answers: v.number(),
		up: v.number(),
		down: v.number(),
		upRate: Rate,
		upRateLow: Rate,
		upRateHigh: Rate,
		tokens: v.number(),
		tokensPerAnswer: v.nullable(v.number()),
	});

export const adminDoc = surfaceDoc({
	prefix: "/api/admin",
	tag: "admin",
	description:
		"The feedback store for the team, guarded by ADMIN_TOKEN or Cloudflare Access (404 while neither is set); read from D1 read replicas where the database has them.",
	errorShape: "api",
	routes: {
		"GET /access": {
			summary: "Whether this visit came through Cloudflare Access",
			description:
				"Always 200 and open (it checks no assertion and reads nothing): true when Cloudflare Access is configured and the request carries Cf-Access-Jwt-Assertion. /insights asks it on opening, to load with no token behind Access.",
			responses: {
				200: {
					description: "Whether the request came through Access.",
					json: v.strictObject({ throughAccess: v.boolean() }),
				},
			},
			errors: [],
		},
		"GET /feedback": {
			summary: "List feedback, newest first",
			description:
				"Each log's latest vote with its answer and the judge's verdict on it, filtered; a page at a time. judgeAgrees=false lists the judge's disagreements with people.",
			security: ["adminToken", "cloudflareAccess"],
			query: ListQuery,
			responses: {
				200: {
					description: "A page, and the cursor of the next (null on the last).",
					json: v.strictObject({
						items: v.array(
							v.pipe(
								v.looseObject({ aiGatewayLogId: v.string(), createdAt: v.string() }),
								v.description("The vote and its answer: the store's declared fields."),
							),
						),
						nextCursor: v.nullable(v.string()),
					}),
				},
			},
			errors: [...TEAM_AUTH_ERRORS, "invalid_request", "invalid_cursor"],
		},
		"GET /feedback/export": {
			summary: "Export the feedback dataset",
			description:
				"Every row that matches, streamed as JSON Lines or CSV (with transcripts when stored); or, format=golden, the golden set for chat fine-tuning: a JSON line {messages} per approved answer or correction (transcripts needed; docs/datasets.md).",
			security: ["adminToken", "cloudflareAccess"],
			query: ExportQuery,
			responses: {
				200: {
					description: "The dataset, as an attachment.",
					media: {
						"application/jsonl":
							"One JSON object a line (format=jsonl), or one {messages} example a line (format=golden).",
						"text/csv": "A header line, then one row a line (format=csv).",
					},
				},
			},
			errors: [...TEAM_AUTH_ERRORS, "invalid_request"],
		},
		"GET /stats": {
			summary: "Up-rates, scores and latency per model and day",
			security: ["adminToken", "cloudflareAccess"],
			query: StatsQuery,
			responses: {
				200: {
					description: "Per model over the range's whole UTC days, and per model and day.",
					json: v.strictObject({
						since: v.string(),
						until: v.string(),
						latencyRelativeError: v.number(),
						models: v.array(v.strictObject({ ...Summary, judgeVotes: JudgeVotes })),
						days: v.array(v.strictObject({ day: v.string(), ...Summary })),
						judge: v.pipe(
							v.strictObject({
								verdicts: v.number(),
								unparseable: v.number(),
								tokens: v.number(),
								tokensPerVerdict: v.nullable(v.number()),
								votes: JudgeVotes,
							}),
							v.description(
								"The LLM judge over every model: its verdicts, the tokens its calls used (the gateway's usage) and their mean per verdict, and its verdicts against people's votes.",
							),
						),
						routing: v.pipe(
							v.strictObject({
								models: v.array(routed("model")),
								reasons: v.array(routed("reason")),
							}),
							v.description(
								"The Auto Router's and model aliases' answers, by routed model and by routing reason.",
							),
						),
					}),
				},
			},
			errors: [...TEAM_AUTH_ERRORS, "invalid_request"],
		},
		"GET /health": {
			summary: "How vote delivery stands",
			security: ["adminToken", "cloudflareAccess"],
			responses: {
				200: {
					description: "Votes by delivery state.",
					json: v.strictObject({
						delivery: v.strictObject({
							pending: v.number(),
							delivered: v.number(),
							refused: v.number(),
							deadLetters: v.number(),
						}),
					}),
				},
			},
			errors: TEAM_AUTH_ERRORS,
		},
	},
});

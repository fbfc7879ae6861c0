/**
 * The judge's side of the feedback store (migrations/0007_judge.sql): its verdicts, never the
 * texts it read, and its calls per UTC day. The triggers keep judge_rollups.
 */
import { DAY_MS } from "../core/time";

export interface JudgeVerdictRow {
	aiGatewayLogId: string;
	/** The answer's created_at. */
	createdAt: number;
	servedModel: string;
	judgedAt: number;
	judgeModel: string;
	rubricVersion: string;
	judgeLogId: string | null;
	outcome: "judged" | "unparseable";
	verdict: "good" | "bad" | null;
	score: number | null;
	rationale: string | null;
	promptTokens: number | null;
	completionTokens: number | null;
}

/** Stores a verdict unless the answer has one: a redelivered message changes nothing. */
export async function writeVerdict(db: D1Database, row: JudgeVerdictRow): Promise<void> {
	await db
		.prepare(
			`INSERT INTO judge_verdicts (ai_gateway_log_id, day, served_model, judged_at, judge_model,
rubric_version, judge_log_id, outcome, verdict, score, rationale, prompt_tokens, completion_tokens)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		)
		.bind(
			row.aiGatewayLogId,
			Math.floor(row.createdAt / DAY_MS),
			row.servedModel,
			row.judgedAt,
			row.judgeModel,
			row.rubricVersion,
			row.judgeLogId,
			row.outcome,
			row.verdict,
			row.score,
			row.rationale,
			row.promptTokens,
			row.completionTokens,
		)
		.run();
}

export const hasVerdict = async (db: D1Database, aiGatewayLogId: string): Promise<boolean> =>
	(await db
		.prepare("SELECT 1 FROM judge_verdicts WHERE ai_gateway_log_id = ?")
		.bind(aiGatewayLogId)
		.first()) !== null;

/**
 * Takes one of today's (UTC) `limit` judge calls: false once they are all taken. One
 * statement, so concurrent consumers never take more than the limit between them.
 */
export async function takeJudgeCall(db: D1Database, limit: number, now = Date.now()) {
	const taken = await db
		.prepare(
			`INSERT INTO judge_calls (day, calls) VALUES (?1, 1) ON CONFLICT (day) DO UPDATE
SET calls = calls + 1 WHERE calls < ?2 RETURNING calls`,
		)
		.bind(Math.floor(now / DAY_MS), limit)
		.first();
	return taken !== null;
}

/** Reading the feedback store: each log's latest vote with its answer, filtered, newest first. */
import type { DeliveryState, Vote } from "../core/votes";
import type { D1Reads } from "./db";

export interface FeedbackFilters {
	/** The served model. */
	model?: string;
	vote?: Vote;
	state?: DeliveryState;
	hasComment?: boolean;
	/** The feedback's creation time (its first vote), ms: since inclusive, until exclusive. */
	since?: number;
	until?: number;
}

/** A position in the list's order: after the row with this creation time and log id. */
export interface Keyset {
	createdAt: number;
	aiGatewayLogId: string;
}

type Row = Record<string, string | number | null>;

/** The columns of a row, named as the admin API names them. */
const COLUMNS = `v.ai_gateway_log_id aiGatewayLogId, v.created_at createdAt, a.served_model model,
a.requested_model requestedModel, a.provider provider, a.route route, a.step step,
a.streamed streamed, a.outcome outcome, a.created_at answeredAt, a.ttfb_ms ttfbMs,
a.total_ms totalMs, a.prompt_tokens promptTokens, a.completion_tokens completionTokens,
a.total_tokens totalTokens, a.cached cached, v.vote vote, v.score score, v.comment comment,
v.sequence sequence, v.revision revision, v.state state, v.refused refused,
v.attempts attempts, v.cast_at castAt, v.delivered_at deliveredAt,
v.next_attempt_at nextAttemptAt, v.error error`;
const TRANSCRIPT = ", a.conversation conversation, a.answer_text answer";
/** Where a transcript too long for its row is (store/transcripts.ts): read, never exported. */
const TRANSCRIPT_KEY = ", a.transcript_key transcriptKey";

/** The names of a row's fields, in order (with the transcript's). */
export const FIELDS = `${COLUMNS}${TRANSCRIPT}`
	.split(",")
	.map((column) => column.trim().split(" ")[1] as string);

/** The SQL of one page (or export batch) of rows after `after`, in the list's order. */
export function feedbackQuery(
	filters: FeedbackFilters,
	after: Keyset | undefined,
	limit: number,
	transcripts = false,
) {
	const where: string[] = [];
	const params: (string | number)[] = [];
	const add = (condition: string, ...values: (string | number)[]) => {
		where.push(condition);
		params.push(...values);
	};
	// Unary +: walk the votes in the list's order and check each answer's model, rather than
	// gather the model's answers through any index on it and sort them for every page.
	if (filters.model !== undefined) add("+a.served_model = ?", filters.model);
	if (filters.vote) add("v.vote = ?", filters.vote);
	if (filters.state) add("v.state = ?", filters.state);
	if (filters.hasComment !== undefined)
		add(filters.hasComment ? "v.comment IS NOT NULL" : "v.comment IS NULL");
	if (filters.since !== undefined) add("v.created_at >= ?", filters.since);
	if (filters.until !== undefined) add("v.created_at < ?", filters.until);
	if (after)
		add("(v.created_at, v.ai_gateway_log_id) < (?, ?)", after.createdAt, after.aiGatewayLogId);
	const sql = `SELECT ${COLUMNS}${transcripts ? TRANSCRIPT + TRANSCRIPT_KEY : ""}
FROM votes v LEFT JOIN answers a ON a.ai_gateway_log_id = v.ai_gateway_log_id
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY v.created_at DESC, v.ai_gateway_log_id DESC LIMIT ?`;
	return { sql, params: [...params, limit] };
}

/** One page (or export batch) of rows after `after`, in the list's order. */
export async function feedbackRows(
	db: D1Reads,
	filters: FeedbackFilters,
	after: Keyset | undefined,
	limit: number,
	transcripts = false,
): Promise<Row[]> {
	const { sql, params } = feedbackQuery(filters, after, limit, transcripts);
	const { results } = await db
		.prepare(sql)
		.bind(...params)
		.all<Row>();
	return results;
}

type Cell = string | number | null | undefined;
const BOOLEANS = new Set(["streamed", "cached", "refused"]);

/** A row as the admin API shows it: times as ISO 8601, flags as booleans. */
export function feedbackItem(row: Row): Record<string, unknown> {
	const item: Record<string, unknown> = { ...row };
	for (const [key, value] of Object.entries(row) as [string, Cell][]) {
		if (value == null) continue;
		if (key.endsWith("At")) item[key] = new Date(Number(value)).toISOString();
		else if (BOOLEANS.has(key)) item[key] = value === 1;
	}
	return item;
}

export const keysetOf = (row: Row): Keyset => ({
	createdAt: Number(row.createdAt),
	aiGatewayLogId: String(row.aiGatewayLogId),
});

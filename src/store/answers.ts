import { logStoreError } from "./db";
import { latencyBucket } from "./rollups";

/** One answer as the feedback store keeps it (the `answers` table). */
export interface AnswerRow {
	aiGatewayLogId: string;
	gatewayId: string;
	createdAt: number;
	route: string;
	requestedModel: string;
	servedModel: string;
	provider: string;
	step: number | null;
	streamed: boolean;
	outcome: string;
	ttfbMs: number | null;
	totalMs: number;
	promptTokens: number | null;
	completionTokens: number | null;
	totalTokens: number | null;
	cached: boolean | null;
	/** The conversation sent, as JSON, when transcripts are stored. */
	conversation: string | null;
	answerText: string | null;
}

const INSERT = `INSERT INTO answers (ai_gateway_log_id, gateway_id, created_at, route, requested_model,
served_model, provider, step, streamed, outcome, ttfb_ms, total_ms, prompt_tokens, completion_tokens,
total_tokens, cached, conversation, answer_text, latency_bucket)
VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (ai_gateway_log_id) DO NOTHING`;

const flag = (value: boolean | null) => (value === null ? null : value ? 1 : 0);

/** The INSERT's values, in its column order. */
const valuesOf = (row: AnswerRow) => [
	row.aiGatewayLogId,
	row.gatewayId,
	row.createdAt,
	row.route,
	row.requestedModel,
	row.servedModel,
	row.provider,
	row.step,
	flag(row.streamed),
	row.outcome,
	row.ttfbMs,
	row.totalMs,
	row.promptTokens,
	row.completionTokens,
	row.totalTokens,
	flag(row.cached),
	row.conversation,
	row.answerText,
	// The rollups' histogram counts it there (migrations/0003_rollups.sql).
	latencyBucket(row.totalMs),
];

/** How long the first answer of a batch waits for others to join it, and the most that join. */
export const ANSWER_BATCH = { gatherMs: 10, maxRows: 50 };

/** The batch of each database that answers can still join. */
const gathering = new WeakMap<D1Database, AnswerRow[]>();

/**
 * Writes an answer's row together with those of answers that end within
 * ANSWER_BATCH.gatherMs of it, in one D1 batch: one round trip and one transaction for
 * all of them, where D1 runs one query at a time per database. The request that opens a
 * batch writes it, in its own context; the others only add their rows. Idempotent on the
 * log id: a row already there is not written again, so the rollups' triggers count it once.
 * Never throws.
 */
export async function writeAnswer(db: D1Database, row: AnswerRow): Promise<void> {
	const open = gathering.get(db);
	if (open && open.length < ANSWER_BATCH.maxRows) {
		open.push(row);
		return;
	}
	const batch = [row];
	gathering.set(db, batch);
	await scheduler.wait(ANSWER_BATCH.gatherMs);
	if (gathering.get(db) === batch) gathering.delete(db);
	try {
		await db.batch(batch.map((each) => db.prepare(INSERT).bind(...valuesOf(each))));
	} catch (err) {
		for (const { aiGatewayLogId } of batch) logStoreError("record answer", aiGatewayLogId)(err);
	}
}

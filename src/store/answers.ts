import { columnsOf, sqlValue } from "../core/columns";
import { ANSWERS_WRITTEN, log } from "../core/log";
import { ANSWER_FIELDS, type AnswerRow } from "./answer-row";
import { logStoreError, utf8Bytes } from "./db";
import { latencyBucket } from "./rollups";

export type { AnswerRow };

/**
 * The columns written, in the order of each row's JSON array: the answer's fields
 * (ANSWER_FIELDS), then its latency bucket, which the rollups' histogram counts it in
 * (migrations/0003_rollups.sql).
 */
export const ANSWER_COLUMNS = [...columnsOf(ANSWER_FIELDS), "latency_bucket"];

const FIELDS = Object.keys(ANSWER_FIELDS) as (keyof AnswerRow)[];

/**
 * Many rows in one statement: they travel as one JSON parameter (D1 binds at most 100
 * parameters a statement, five rows' worth), and a log id already stored is skipped, so a
 * repeated or retried write changes nothing. `WHERE true` lets SQLite tell the upsert
 * clause from a join.
 */
const INSERT = `INSERT INTO answers (${ANSWER_COLUMNS.join(", ")})
SELECT ${ANSWER_COLUMNS.map((_, i) => `value ->> ${i}`).join(", ")} FROM json_each(?) WHERE true
ON CONFLICT (ai_gateway_log_id) DO NOTHING`;

/** A row as the JSON array the INSERT reads, in ANSWER_COLUMNS order (the seed scripts write these too). */
export const answerValues = (row: AnswerRow) => [
	...FIELDS.map((field) => sqlValue(row[field])),
	latencyBucket(row.totalMs),
];

/**
 * The most JSON one statement carries: D1 takes strings up to 2,000,000 bytes. Rows with
 * transcripts kept in the row (up to TRANSCRIPT_IN_ROW_BYTES each, or a queue message's
 * size) need a few statements per batch; rows without, one per 100.
 */
const MAX_PARAMETER_BYTES = 1_000_000;

/**
 * `items` in order, in chunks of at most `maxCount` whose sizes add up to at most `maxBytes`
 * (an item larger than that alone).
 */
export function* chunked<T>(
	items: readonly T[],
	sizeOf: (item: T) => number,
	maxBytes: number,
	maxCount = Infinity,
): Generator<T[]> {
	let chunk: T[] = [];
	let bytes = 0;
	for (const item of items) {
		const size = sizeOf(item);
		if (chunk.length > 0 && (chunk.length === maxCount || bytes + size > maxBytes)) {
			yield chunk;
			chunk = [];
			bytes = 0;
		}
		chunk.push(item);
		bytes += size;
	}
	if (chunk.length > 0) yield chunk;
}

/**
 * The rows as JSON parameters of at most MAX_PARAMETER_BYTES each (a longer row alone): each
 * row's JSON array and its comma, within the brackets.
 */
const parameters = (rows: readonly AnswerRow[]): string[] =>
	Array.from(
		chunked(
			rows.map((row) => JSON.stringify(answerValues(row))),
			(json) => utf8Bytes(json) + 1,
			MAX_PARAMETER_BYTES - 2,
		),
		(chunk) => `[${chunk}]`,
	);

/** What one D1 batch of answers' rows cost: the fields of its log line (core/log.ts ANSWERS_WRITTEN). */
export interface AnswersWritten {
	/** Rows sent (a row already stored is sent, and skipped). */
	rows: number;
	/** INSERT statements in the batch; the batch itself is one round trip and one transaction. */
	statements: number;
	/** D1's rows written, its billing unit: each stored row, and its entry in each index. */
	rowsWritten: number;
	/** Time spent in db.batch(). */
	ms: number;
}

/**
 * Writes answers' rows to D1 in one batch: one round trip and one transaction, so either
 * all of them are stored or none (and a retry of the whole batch is safe). Throws what D1
 * throws. Returns what the batch cost.
 */
export async function writeAnswerRows(
	db: D1Database,
	rows: readonly AnswerRow[],
): Promise<AnswersWritten> {
	if (rows.length === 0) return { rows: 0, statements: 0, rowsWritten: 0, ms: 0 };
	const statements = parameters(rows).map((json) => db.prepare(INSERT).bind(json));
	const started = Date.now();
	const results = await db.batch(statements);
	return {
		rows: rows.length,
		statements: statements.length,
		rowsWritten: results.reduce((sum, { meta }) => sum + meta.rows_written, 0),
		ms: Date.now() - started,
	};
}

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
 * Never throws. This is the path without a queue (ANSWERS_QUEUE unbound).
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
		log.info(ANSWERS_WRITTEN, { via: "isolate", ...(await writeAnswerRows(db, batch)) });
	} catch (err) {
		for (const { aiGatewayLogId } of batch) logStoreError("record answer", aiGatewayLogId)(err);
	}
}

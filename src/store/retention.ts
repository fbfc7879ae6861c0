import { log } from "../core/log";

/** Rows deleted per statement: short statements keep the database responsive meanwhile. */
const BATCH = 1000;

/**
 * Deletes one batch of `table`'s rows created before ?1, found through its time index. It
 * returns a 1 for each: D1's `changes` also counts the rollup rows its triggers update.
 */
export const retentionSql = (table: "answers" | "votes") =>
	`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE created_at < ?1 LIMIT ${BATCH}) RETURNING 1`;

/**
 * Rollup rows left at zero: the triggers uncount each deleted row (migrations/0003), and a
 * day whose answers are all gone keeps no row. The rollups are days × models: small.
 */
const EMPTY_ROLLUPS = [
	"DELETE FROM answer_rollups WHERE answers = 0",
	"DELETE FROM latency_rollups WHERE answers = 0",
];

/**
 * Deletes answers and votes older than RETENTION_DAYS from the feedback store, in batches,
 * by the indexed creation times, and the rollup rows that counted only them. Run daily by
 * the Cron Trigger (wrangler.jsonc).
 */
export async function deleteExpired(db: D1Database, retentionDays: number, now = Date.now()) {
	const cutoff = now - retentionDays * 86_400_000;
	const deleted = { answers: 0, votes: 0 };
	for (const table of ["answers", "votes"] as const) {
		const statement = db.prepare(retentionSql(table));
		for (;;) {
			const { results } = await statement.bind(cutoff).run();
			deleted[table] += results.length;
			if (results.length < BATCH) break;
		}
	}
	await db.batch(EMPTY_ROLLUPS.map((sql) => db.prepare(sql)));
	log.info("feedback store: retention", { cutoff: new Date(cutoff).toISOString(), ...deleted });
	return deleted;
}

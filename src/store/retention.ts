import { log } from "../core/log";

/** Rows deleted per statement: short statements keep the database responsive meanwhile. */
const BATCH = 1000;

/** Deletes one batch of `table`'s rows created before ?1, found through its time index. */
export const retentionSql = (table: "answers" | "votes") =>
	`DELETE FROM ${table} WHERE rowid IN (SELECT rowid FROM ${table} WHERE created_at < ?1 LIMIT ${BATCH})`;

/**
 * Deletes answers and votes older than RETENTION_DAYS from the feedback store, in batches,
 * by the indexed creation times. Run daily by the Cron Trigger (wrangler.jsonc).
 */
export async function deleteExpired(db: D1Database, retentionDays: number, now = Date.now()) {
	const cutoff = now - retentionDays * 86_400_000;
	const deleted = { answers: 0, votes: 0 };
	for (const table of ["answers", "votes"] as const) {
		const statement = db.prepare(retentionSql(table));
		for (;;) {
			const { meta } = await statement.bind(cutoff).run();
			deleted[table] += meta.changes;
			if (meta.changes < BATCH) break;
		}
	}
	log.info("feedback store: retention", { cutoff: new Date(cutoff).toISOString(), ...deleted });
	return deleted;
}

import { log } from "../core/log";
import { DAY_MS } from "../core/time";
import { deleteTranscriptsBefore } from "./transcripts";

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
	"DELETE FROM routing_rollups WHERE answers = 0",
	"DELETE FROM judge_rollups WHERE judged = 0 AND unparseable = 0",
];

/**
 * The judge's rows of the days before ?1 (a day number): a verdict goes with its answer (a
 * trigger, migrations/0007_judge.sql), so these are verdicts whose answer never reached the
 * store, and the judge's old call counts.
 */
export const JUDGE_RETENTION = [
	"DELETE FROM judge_verdicts WHERE day < ?1",
	"DELETE FROM judge_calls WHERE day < ?1",
];

/** The oldest creation time in the store, from the two time indexes. */
export const OLDEST_SQL =
	"SELECT MIN(t) AS oldest FROM (SELECT MIN(created_at) AS t FROM answers UNION ALL SELECT MIN(created_at) FROM votes)";

/**
 * Deletes the answers (their verdicts with them: a trigger of migrations/0007_judge.sql) and
 * votes created before `cutoff`, in batches, the judge's rows of the days before, the rollup
 * rows that counted only them, and R2's whole days of transcripts.
 */
async function deleteBefore(db: D1Database, cutoff: number, transcripts?: R2Bucket) {
	const deleted = { answers: 0, votes: 0, transcripts: 0 };
	for (const table of ["answers", "votes"] as const) {
		const statement = db.prepare(retentionSql(table));
		for (;;) {
			const { results } = await statement.bind(cutoff).run();
			deleted[table] += results.length;
			if (results.length < BATCH) break;
		}
	}
	const day = Math.floor(cutoff / DAY_MS);
	await db.batch([
		...JUDGE_RETENTION.map((sql) => db.prepare(sql).bind(day)),
		...EMPTY_ROLLUPS.map((sql) => db.prepare(sql)),
	]);
	if (transcripts) deleted.transcripts = await deleteTranscriptsBefore(transcripts, cutoff);
	return deleted;
}

/**
 * Deletes answers and votes older than RETENTION_DAYS from the feedback store, in batches,
 * by the indexed creation times, with the transcripts kept in R2 for whole days before then.
 */
export async function deleteExpired(
	db: D1Database,
	retentionDays: number,
	now = Date.now(),
	transcripts?: R2Bucket,
) {
	const cutoff = now - retentionDays * DAY_MS;
	const deleted = await deleteBefore(db, cutoff, transcripts);
	log.info("feedback store: retention", { cutoff: new Date(cutoff).toISOString(), ...deleted });
	return deleted;
}

/** The database's size in bytes, as D1 reports it after a statement. */
export async function databaseSize(db: D1Database): Promise<number> {
	const { meta } = await db.prepare("SELECT 1").run();
	return meta.size_after;
}

/**
 * While the database is larger than `maxBytes`, deletes its oldest UTC day (answers, votes
 * and their transcripts in R2), never the current one. D1 reclaims deleted pages, so the
 * size falls as days go; should it not fall, this stops rather than delete everything.
 */
export async function keepWithinSize(
	db: D1Database,
	maxBytes: number,
	now = Date.now(),
	transcripts?: R2Bucket,
) {
	const today = now - (now % DAY_MS);
	let size = await databaseSize(db);
	const sizeBefore = size;
	const days: string[] = [];
	while (size > maxBytes) {
		const oldest = (await db.prepare(OLDEST_SQL).first<{ oldest: number | null }>())?.oldest;
		if (oldest === null || oldest === undefined) break;
		const cutoff = oldest - (oldest % DAY_MS) + DAY_MS;
		if (cutoff > today) {
			log.warn("feedback store: over STORE_MAX_MB with only today's answers left", {
				bytes: size,
				maxBytes,
			});
			break;
		}
		await deleteBefore(db, cutoff, transcripts);
		days.push(new Date(cutoff - DAY_MS).toISOString().slice(0, 10));
		const after = await databaseSize(db);
		if (after >= size) {
			log.warn("feedback store: deleting a day did not shrink the database", { bytes: after });
			break;
		}
		size = after;
	}
	if (days.length > 0)
		log.info("feedback store: size retention", {
			sizeBefore,
			sizeAfter: size,
			maxBytes,
			days: days.join(","),
		});
	return { sizeBefore, sizeAfter: size, days };
}

/** The daily Cron Trigger's work: RETENTION_DAYS first, then STORE_MAX_MB. */
export async function applyRetention(
	db: D1Database,
	config: { retentionDays: number; storeMaxBytes: number },
	transcripts: R2Bucket | undefined,
	now = Date.now(),
) {
	const expired = await deleteExpired(db, config.retentionDays, now, transcripts);
	const size = await keepWithinSize(db, config.storeMaxBytes, now, transcripts);
	return { expired, size };
}

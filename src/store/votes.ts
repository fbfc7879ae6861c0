import { readConfig } from "../core/config";
import type { VoteRecord } from "../feedback/delivery";
import { logStoreError } from "./db";

/** A log's latest vote and its delivery, as the FeedbackDelivery object stores it. */
export type StoredVote = Omit<VoteRecord, "windowStart">;

/** Written on every change; `created_at` only with the first. */
const CHANGING = [
	"gateway_id",
	"vote",
	"score",
	"comment",
	"sequence",
	"revision",
	"version",
	"state",
	"refused",
	"attempts",
	"cast_at",
	"delivered_at",
	"next_attempt_at",
	"failed_at",
	"error",
	"updated_at",
];

/**
 * Idempotent, and never backwards: a row only moves to a higher `version`, so a late or
 * repeated write of an older state changes nothing.
 */
const UPSERT = `INSERT INTO votes (ai_gateway_log_id, created_at, ${CHANGING}) VALUES (?${",?".repeat(CHANGING.length + 1)})
ON CONFLICT (ai_gateway_log_id) DO UPDATE SET ${CHANGING.map((column) => `${column} = excluded.${column}`)}
WHERE excluded.version >= votes.version`;

export function writeVote(db: D1Database, vote: StoredVote, version: number): Promise<unknown> {
	const failed = vote.state === "failed";
	return db
		.prepare(UPSERT)
		.bind(
			vote.aiGatewayLogId,
			vote.castAt,
			vote.gatewayId,
			vote.vote,
			vote.score ?? null,
			vote.comment || null,
			vote.sequence,
			vote.revision,
			version,
			vote.state,
			(failed && vote.refused) || vote.state === "refused" ? 1 : 0,
			vote.attempts,
			vote.castAt,
			vote.deliveredAt,
			vote.state === "pending" ? vote.nextAttemptAt : null,
			vote.failedAt,
			vote.state === "delivered" ? null : vote.error,
			Date.now(),
		)
		.run();
}

// The object's own bookkeeping, beside its vote record.
const VERSION = "store:version";
const SYNCED = "store:synced";
const FAILURES = "store:failures";
/** How long a delivery attempt may take before the store is told the vote is pending. */
const PENDING_AFTER_MS = 1000;
/** A feedback store that stays down is retried at most this far apart. */
const MAX_RETRY_MS = 60 * 60_000;

/**
 * The feedback store's side of a FeedbackDelivery object: it counts every stored change of
 * the vote (the version) and copies the vote into FEEDBACK_DB. The object stays the one
 * place that orders a log's votes; the store only ever follows it.
 */
export class VoteStoreSync {
	constructor(
		private readonly storage: DurableObjectStorage,
		private readonly env: Cloudflare.Env,
	) {}

	/** Call after every change of the stored vote. */
	changed(): void {
		this.storage.kv.put(VERSION, this.#version() + 1);
	}

	/**
	 * Writes the stored vote to FEEDBACK_DB unless the store has this version already. On
	 * failure the vote stays unsynced and an alarm (the delivery's, or one set here, with
	 * backoff) runs this again. Never throws.
	 */
	async sync(vote: StoredVote | undefined): Promise<void> {
		const db = this.env.FEEDBACK_DB;
		const version = this.#version();
		if (!db || !vote || (this.storage.kv.get<number>(SYNCED) ?? 0) >= version) return;
		try {
			await writeVote(db, vote, version);
			// A later version may have been stored, and even written, meanwhile.
			this.storage.kv.put(SYNCED, Math.max(version, this.storage.kv.get<number>(SYNCED) ?? 0));
			this.storage.kv.delete(FAILURES);
		} catch (err) {
			logStoreError("record vote", vote.aiGatewayLogId)(err);
			const failures = (this.storage.kv.get<number>(FAILURES) ?? 0) + 1;
			this.storage.kv.put(FAILURES, failures);
			if ((await this.storage.getAlarm()) === null) {
				const { baseMs } = readConfig(this.env).retry;
				const delay = Math.min(MAX_RETRY_MS, baseMs * 2 ** Math.min(failures - 1, 20));
				await this.storage.setAlarm(Date.now() + delay);
			}
		}
	}

	/**
	 * Waits for `attempt` (a delivery of `vote`). A quick attempt's outcome reaches the store
	 * in the same write as the cast before it (one D1 write per vote, not two); an attempt
	 * slower than PENDING_AFTER_MS lets the store show the vote as pending meanwhile.
	 */
	async during<T>(vote: StoredVote, attempt: Promise<T>): Promise<T> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const slow = new Promise<boolean>((resolve) => {
			timer = setTimeout(resolve, PENDING_AFTER_MS, true);
		});
		const late = await Promise.race([attempt.then(() => false), slow]);
		clearTimeout(timer);
		if (late) await this.sync(vote);
		return attempt;
	}

	/** Whether FEEDBACK_DB has the latest version (for tests and status). */
	get synced(): boolean {
		return (this.storage.kv.get<number>(SYNCED) ?? 0) >= this.#version();
	}

	#version(): number {
		return this.storage.kv.get<number>(VERSION) ?? 0;
	}
}

import { DurableObject } from "cloudflare:workers";
import { readConfig } from "../core/config";
import { retryDelay } from "../core/retry-policy";
import type { DeliveryState, Vote, VoteRecord } from "../core/votes";
import { chosen } from "../dead-letters/dead-letter-list";
import { patchFeedback } from "../gateway/log-feedback";
import { logStoreError } from "../store/db";
import { writeVote } from "../store/votes";
import { deadLetterList } from "./dead-letters";

/** A vote as the user cast it. */
export interface CastVote {
	aiGatewayLogId: string;
	gatewayId: string;
	vote: Vote;
	score?: number;
	comment?: string;
	/** The answer the user expected (a thumbs-down's); stored, never sent to the gateway. */
	correction?: string;
	/** Orders a user's votes on one log; later wins. Defaults to the time it arrived. */
	sequence?: number;
}

/** What the status route shows the voter. */
export interface VoteStatus {
	aiGatewayLogId: string;
	feedback: Vote;
	state: DeliveryState;
	attempts: number;
	castAt: string;
	deliveredAt: string | null;
	nextAttemptAt: string | null;
	error: string | null;
}

/** What became of a cast vote: stored for delivery, or older than the vote already kept. */
export interface CastResult {
	outcome: "accepted" | "superseded";
	status: VoteStatus;
}

// The object's storage: the vote, and how far the feedback store has followed it.
const KEY = "vote";
/** Counts every stored change of the vote. */
const STORE_VERSION = "store:version";
/** The version FEEDBACK_DB has. */
const STORE_SYNCED = "store:synced";
/** Failed writes to FEEDBACK_DB in a row: the retry policy's attempt number. */
const STORE_FAILURES = "store:failures";
/** How long a delivery attempt may take before the store is told the vote is pending. */
const PENDING_AFTER_MS = 1000;

/**
 * The gateway call that delivers a vote, as a seam: a test replaces it from inside the
 * object's isolate (runInDurableObject) to hold an attempt back or see what the store holds
 * while it runs. Not an RPC method; nothing else changes it.
 */
export const deliveryAttempt = { patch: patchFeedback };

/**
 * The sequence of a vote that names none: now, or just after the stored one. Sequences
 * are bounded (schemas.ts), but a successor that is not a safe integer would equal its
 * predecessor and freeze the log, so it is never computed.
 */
function nextSequence(now: number, current = 0): number {
	const successor = current + 1;
	return Number.isSafeInteger(successor) ? Math.max(now, successor) : current;
}

const sameVote = (record: VoteRecord, input: CastVote) =>
	record.vote === input.vote &&
	record.score === input.score &&
	record.comment === input.comment &&
	record.correction === input.correction;

/**
 * One object per gateway log id. It keeps the latest vote durably and
 * delivers it with alarm-driven retries: a vote acknowledged with 202 is
 * stored before the answer, survives restarts, and reaches the gateway in
 * the order the user cast it, because only the latest vote is ever sent and
 * a delivery overtaken by a newer vote is followed by another.
 */
export class FeedbackDelivery extends DurableObject<Cloudflare.Env> {
	#load(): VoteRecord | undefined {
		return this.ctx.storage.kv.get<VoteRecord>(KEY);
	}

	/**
	 * Every change of the vote goes through here (`changes` made to `record` first), and counts a
	 * version for the feedback store.
	 */
	#save(record: VoteRecord, changes?: Partial<VoteRecord>): void {
		const { kv } = this.ctx.storage;
		kv.put(KEY, Object.assign(record, changes));
		kv.put(STORE_VERSION, (kv.get<number>(STORE_VERSION) ?? 0) + 1);
	}

	/**
	 * Stores a vote for delivery. A vote older than the stored one (by sequence) changes
	 * nothing and is reported as superseded; a repeat of the stored vote is accepted again.
	 */
	async cast(input: CastVote): Promise<CastResult> {
		const now = Date.now();
		const current = this.#load();
		const sequence = input.sequence ?? nextSequence(now, current?.sequence);
		if (current && sequence <= current.sequence) {
			const repeat = sequence === current.sequence && sameVote(current, input);
			return { outcome: repeat ? "accepted" : "superseded", status: view(current) };
		}
		const record: VoteRecord = {
			aiGatewayLogId: input.aiGatewayLogId,
			gatewayId: input.gatewayId,
			vote: input.vote,
			score: input.score,
			comment: input.comment,
			correction: input.correction,
			sequence,
			revision: (current?.revision ?? 0) + 1,
			castAt: now,
			state: "pending",
			attempts: 0,
			windowStart: now,
			nextAttemptAt: now,
			deliveredAt: null,
			failedAt: null,
			error: null,
		};
		this.#save(record);
		await this.ctx.storage.setAlarm(now);
		if (current?.state === "failed") await deadLetterList(this.env).remove([input.aiGatewayLogId]);
		return { outcome: "accepted", status: view(record) };
	}

	async status(): Promise<VoteStatus | null> {
		const record = this.#load();
		return record ? view(record) : null;
	}

	/** Gives a dead-lettered vote a fresh retry window. */
	async replay(): Promise<VoteStatus | null> {
		const record = this.#load();
		if (!record) return null;
		if (record.state !== "failed") return view(record);
		const now = Date.now();
		this.#save(record, {
			state: "pending",
			revision: record.revision + 1,
			windowStart: now,
			nextAttemptAt: now,
			failedAt: null,
		});
		await this.ctx.storage.setAlarm(now);
		return view(record);
	}

	/**
	 * Delivers the pending vote, then brings the feedback store up to date. Every change of
	 * the vote (a cast or replay sets an alarm at once) is followed by an alarm, so the store
	 * hears of each (a cast together with its first attempt, when that is quick); a store
	 * that failed is retried by a later alarm.
	 */
	override async alarm(): Promise<void> {
		await this.#deliver();
		await this.#syncStore();
	}

	/** Whether FEEDBACK_DB has the latest change of the vote. */
	get storeSynced(): boolean {
		const { kv } = this.ctx.storage;
		return (kv.get<number>(STORE_SYNCED) ?? 0) >= (kv.get<number>(STORE_VERSION) ?? 0);
	}

	/**
	 * Copies the vote into the feedback store (FEEDBACK_DB) unless it has this version
	 * already. The object stays the one place that orders a log's votes; the store only
	 * follows it, and never backwards (writeVote's version guard). On failure an alarm
	 * tries again, on the same retry policy as deliveries. Never throws.
	 */
	async #syncStore(): Promise<void> {
		const { kv } = this.ctx.storage;
		const db = this.env.FEEDBACK_DB;
		const record = this.#load();
		const version = kv.get<number>(STORE_VERSION) ?? 0;
		if (!db || !record || (kv.get<number>(STORE_SYNCED) ?? 0) >= version) return;
		try {
			await writeVote(db, record, version);
			// A later version may have been stored, and even written, meanwhile.
			kv.put(STORE_SYNCED, Math.max(version, kv.get<number>(STORE_SYNCED) ?? 0));
			kv.delete(STORE_FAILURES);
		} catch (err) {
			logStoreError("record vote", record.aiGatewayLogId)(err);
			const failures = (kv.get<number>(STORE_FAILURES) ?? 0) + 1;
			kv.put(STORE_FAILURES, failures);
			if ((await this.ctx.storage.getAlarm()) === null) {
				await this.ctx.storage.setAlarm(
					Date.now() + retryDelay(readConfig(this.env).retry, failures),
				);
			}
		}
	}

	/**
	 * Waits for `attempt`, a delivery of the stored vote. A quick attempt's outcome reaches
	 * the store in the same write as the cast before it (one D1 write per vote, not two); an
	 * attempt slower than PENDING_AFTER_MS lets the store show the vote as pending meanwhile.
	 */
	async #recordDuring<T>(attempt: Promise<T>): Promise<T> {
		let timer: ReturnType<typeof setTimeout> | undefined;
		const slow = new Promise<boolean>((resolve) => {
			timer = setTimeout(resolve, PENDING_AFTER_MS, true);
		});
		const late = await Promise.race([attempt.then(() => false), slow]);
		clearTimeout(timer);
		if (late) await this.#syncStore();
		return attempt;
	}

	async #deliver(): Promise<void> {
		const record = this.#load();
		if (record?.state !== "pending") return;
		const { revision } = record;
		const outcome = await this.#recordDuring(
			deliveryAttempt.patch(this.env, record.gatewayId, record.aiGatewayLogId, record),
		);

		// Other calls may have run while patchLog was in flight.
		const latest = this.#load();
		if (!latest) return;
		if (latest.revision !== revision) {
			// A newer vote arrived: deliver it now, so the gateway ends with the latest.
			await this.ctx.storage.setAlarm(Date.now());
			return;
		}
		const now = Date.now();
		latest.attempts++;
		if (outcome.ok) {
			this.#save(latest, {
				state: "delivered",
				deliveredAt: now,
				nextAttemptAt: null,
				error: null,
			});
			return;
		}
		latest.error = outcome.reason;
		if (outcome.refused) {
			// Kept here, but no retry or replay can put it on the log: not a dead letter.
			this.#save(latest, { state: "refused", failedAt: now, nextAttemptAt: null });
			return;
		}
		const policy = readConfig(this.env).retry;
		if (outcome.retry && now - latest.windowStart < policy.windowMs) {
			const nextAttemptAt = now + retryDelay(policy, latest.attempts);
			this.#save(latest, { nextAttemptAt });
			await this.ctx.storage.setAlarm(nextAttemptAt);
			return;
		}
		this.#save(latest, {
			state: "failed",
			failedAt: now,
			nextAttemptAt: null,
			refused: !outcome.retry,
		});
		await deadLetterList(this.env).add([
			{
				aiGatewayLogId: latest.aiGatewayLogId,
				gatewayId: latest.gatewayId,
				vote: latest.vote,
				attempts: latest.attempts,
				reason: outcome.retry
					? `gave up after ${latest.attempts} attempts: ${outcome.reason}`
					: outcome.reason,
				failedAt: new Date(now).toISOString(),
			},
		]);
	}
}

function view(record: VoteRecord): VoteStatus {
	const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
	return {
		aiGatewayLogId: record.aiGatewayLogId,
		feedback: record.vote,
		state: record.state,
		attempts: record.attempts,
		castAt: new Date(record.castAt).toISOString(),
		deliveredAt: iso(record.deliveredAt),
		nextAttemptAt: record.state === "pending" ? iso(record.nextAttemptAt) : null,
		error: record.state === "delivered" ? null : record.error,
	};
}

export const deliveryFor = (env: Cloudflare.Env, aiGatewayLogId: string) =>
	env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);

/**
 * Gives the dead-lettered votes named (all of them when none are) a fresh retry window, and
 * takes them off the list. Returns the log ids replayed.
 */
export async function replayDeadVotes(
	env: Cloudflare.Env,
	aiGatewayLogIds?: readonly string[],
): Promise<string[]> {
	const list = deadLetterList(env);
	const ids = chosen(await list.list(), (letter) => letter.aiGatewayLogId, aiGatewayLogIds).map(
		(letter) => letter.aiGatewayLogId,
	);
	for (const id of ids) {
		await deliveryFor(env, id).replay();
		await list.remove([id]);
	}
	return ids;
}

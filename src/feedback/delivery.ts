import { DurableObject } from "cloudflare:workers";
import { patchFeedback } from "../ai/log-feedback";
import { readConfig } from "../lib/config";
import { VoteStoreSync } from "../store/votes";
import { retryDelay } from "./retry-policy";
import type { Vote } from "./vote";

/** `refused`: the gateway takes no feedback on its logs; the vote is kept, but not on the log. */
export const DELIVERY_STATES = ["pending", "delivered", "failed", "refused"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** A vote as the user cast it. */
export interface CastVote {
	aiGatewayLogId: string;
	gatewayId: string;
	vote: Vote;
	score?: number;
	comment?: string;
	/** Orders a user's votes on one log; later wins. Defaults to the time it arrived. */
	sequence?: number;
}

/** The latest vote on one log and how its delivery is going. Stored under one key. */
export interface VoteRecord
	extends Required<Pick<CastVote, "aiGatewayLogId" | "gatewayId" | "vote">> {
	score?: number;
	comment?: string;
	sequence: number;
	/** Increases with every change of vote, so a delivery can tell it was overtaken. */
	revision: number;
	castAt: number;
	state: DeliveryState;
	attempts: number;
	/** Start of the retry window: the cast, or the replay of a dead letter. */
	windowStart: number;
	nextAttemptAt: number | null;
	deliveredAt: number | null;
	failedAt: number | null;
	error: string | null;
	/** The gateway refused the vote: it went to the dead letters without retries. */
	refused?: boolean;
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

const KEY = "vote";

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
	record.vote === input.vote && record.score === input.score && record.comment === input.comment;

/**
 * One object per gateway log id. It keeps the latest vote durably and
 * delivers it with alarm-driven retries: a vote acknowledged with 202 is
 * stored before the answer, survives restarts, and reaches the gateway in
 * the order the user cast it, because only the latest vote is ever sent and
 * a delivery overtaken by a newer vote is followed by another.
 */
export class FeedbackDelivery extends DurableObject<Cloudflare.Env> {
	/** Copies every change of the vote into the feedback store (FEEDBACK_DB), from the alarm. */
	readonly store = new VoteStoreSync(this.ctx.storage, this.env);

	#load(): VoteRecord | undefined {
		return this.ctx.storage.kv.get<VoteRecord>(KEY);
	}

	#save(record: VoteRecord): void {
		this.ctx.storage.kv.put(KEY, record);
		this.store.changed();
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
		if (current?.state === "failed") await deadLetterList(this.env).remove(input.aiGatewayLogId);
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
		Object.assign(record, {
			state: "pending",
			revision: record.revision + 1,
			windowStart: now,
			nextAttemptAt: now,
			failedAt: null,
		});
		this.#save(record);
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
		await this.store.sync(this.#load());
	}

	async #deliver(): Promise<void> {
		const record = this.#load();
		if (record?.state !== "pending") return;
		const { revision } = record;
		const outcome = await this.store.during(
			record,
			patchFeedback(this.env, record.gatewayId, record.aiGatewayLogId, record),
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
			Object.assign(latest, {
				state: "delivered",
				deliveredAt: now,
				nextAttemptAt: null,
				error: null,
			});
			this.#save(latest);
			return;
		}
		latest.error = outcome.reason;
		if (outcome.refused) {
			// Kept here, but no retry or replay can put it on the log: not a dead letter.
			Object.assign(latest, { state: "refused", failedAt: now, nextAttemptAt: null });
			this.#save(latest);
			return;
		}
		const policy = readConfig(this.env).retry;
		if (outcome.retry && now - latest.windowStart < policy.windowMs) {
			latest.nextAttemptAt = now + retryDelay(policy, latest.attempts);
			this.#save(latest);
			await this.ctx.storage.setAlarm(latest.nextAttemptAt);
			return;
		}
		Object.assign(latest, {
			state: "failed",
			failedAt: now,
			nextAttemptAt: null,
			refused: !outcome.retry,
		});
		this.#save(latest);
		await deadLetterList(this.env).add({
			aiGatewayLogId: latest.aiGatewayLogId,
			gatewayId: latest.gatewayId,
			vote: latest.vote,
			attempts: latest.attempts,
			reason: outcome.retry
				? `gave up after ${latest.attempts} attempts: ${outcome.reason}`
				: outcome.reason,
			failedAt: new Date(now).toISOString(),
		});
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

export const deadLetterList = (env: Cloudflare.Env) =>
	env.FEEDBACK_DEAD_LETTERS.getByName("dead-letters");

/**
 * Votes and their delivery: the one declaration the request schemas, the admin filters, the
 * Durable Objects and the feedback store's SQL derive from.
 */

/** A vote on an answer: "clear" withdraws it (the gateway's "not evaluated"). */
export const VOTES = ["up", "down", "clear"] as const;
export type Vote = (typeof VOTES)[number];

/** The whole numbers a vote's optional `score` may take. */
export const SCORE_RANGE = { min: 0, max: 100 } as const;

/**
 * Where a vote's delivery to its gateway log stands. `refused`: the gateway takes no feedback
 * on its logs; the vote is kept, but not on the log.
 */
export const DELIVERY_STATES = ["pending", "delivered", "failed", "refused"] as const;
export type DeliveryState = (typeof DELIVERY_STATES)[number];

/** What a vote puts on the answer's gateway log. */
export interface FeedbackPatch {
	vote: Vote;
	score?: number;
	comment?: string;
}

/** The latest vote on one log and how its delivery is going, as the delivery object keeps it. */
export interface VoteRecord extends FeedbackPatch {
	aiGatewayLogId: string;
	gatewayId: string;
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

/** "a, b or c": a list of allowed values in words, for error messages. */
export const inWords = (values: readonly string[]): string =>
	values.length < 2 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;

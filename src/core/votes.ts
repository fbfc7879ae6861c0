/**
 * Votes and their delivery: the one declaration the request schemas, the admin filters, the
 * Durable Objects and the feedback store's SQL derive from. Imports only types, so scripts
 * run it in Node as it is.
 */
import type { Columns, RowOf } from "./columns";

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

/**
 * A log's latest vote and its delivery as the delivery object keeps it and the feedback
 * store's `votes` table holds it: each field and its type (its column is its name in
 * snake_case), in the order the store writes them. StoredVote and VoteRecord derive from it,
 * and so does the store's upsert (store/votes.ts). Adding a field to a vote: add it here,
 * and a migration that adds its column (`npm run check` fails until both agree).
 */
export const VOTE_FIELDS = {
	aiGatewayLogId: { type: "text" },
	gatewayId: { type: "text" },
	vote: { type: VOTES },
	score: { type: "integer", optional: true },
	comment: { type: "text", optional: true },
	/**
	 * The answer the user expected, sent with a thumbs-down. Kept in the store only: it is
	 * never put on the gateway's log (FeedbackPatch has no room for it).
	 */
	correction: { type: "text", optional: true },
	/** Orders a user's votes on one log; later wins. */
	sequence: { type: "integer" },
	/** Increases with every change of vote, so a delivery can tell it was overtaken. */
	revision: { type: "integer" },
	state: { type: DELIVERY_STATES },
	/** The gateway refused the vote: it went to the dead letters without retries. */
	refused: { type: "flag", optional: true },
	attempts: { type: "integer" },
	castAt: { type: "integer" },
	deliveredAt: { type: "integer", nullable: true },
	nextAttemptAt: { type: "integer", nullable: true },
	failedAt: { type: "integer", nullable: true },
	error: { type: "text", nullable: true },
} as const satisfies Columns;

/** A log's latest vote and its delivery, as the feedback store keeps it. */
export type StoredVote = RowOf<typeof VOTE_FIELDS>;

/** The latest vote on one log and how its delivery is going, as the delivery object keeps it. */
export interface VoteRecord extends StoredVote {
	/** Start of the retry window: the cast, or the replay of a dead letter. Not stored. */
	windowStart: number;
}

/** "a, b or c": a list of allowed values in words, for error messages. */
export const inWords = (values: readonly string[]): string =>
	values.length < 2 ? (values[0] ?? "") : `${values.slice(0, -1).join(", ")} or ${values.at(-1)}`;

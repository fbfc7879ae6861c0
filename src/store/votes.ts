import type { VoteRecord } from "../core/votes";

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

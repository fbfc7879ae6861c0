import { columnsOf, type SqlValue, sqlValue } from "../core/columns";
import { type StoredVote, VOTE_FIELDS } from "../core/votes";

export type { StoredVote };

type Field = keyof typeof VOTE_FIELDS;
const FIELDS = Object.keys(VOTE_FIELDS) as Field[];

/** Fields written otherwise than as they are: what the store shows of a delivery's state. */
const WRITTEN_AS: { [F in Field]?: (vote: StoredVote) => SqlValue } = {
	// An empty comment or correction is none.
	comment: (vote) => vote.comment || null,
	correction: (vote) => vote.correction || null,
	refused: (vote) =>
		(vote.state === "failed" && vote.refused) || vote.state === "refused" ? 1 : 0,
	nextAttemptAt: (vote) => (vote.state === "pending" ? vote.nextAttemptAt : null),
	error: (vote) => (vote.state === "delivered" ? null : vote.error),
};

/**
 * Every column the upsert writes, in the order of its values: when the log's first vote
 * reached the store (written only with the first), the vote's fields (VOTE_FIELDS), the
 * object's version of them, and when the row was last written.
 */
export const VOTE_COLUMNS = ["created_at", ...columnsOf(VOTE_FIELDS), "version", "updated_at"];

/** Written on every change: all but the key and `created_at`. */
const CHANGING = VOTE_COLUMNS.filter(
	(column) => column !== "created_at" && column !== "ai_gateway_log_id",
);

/**
 * Idempotent, and never backwards: a row only moves to a higher `version`, so a late or
 * repeated write of an older state changes nothing.
 */
const UPSERT = `INSERT INTO votes (${VOTE_COLUMNS}) VALUES (?${",?".repeat(VOTE_COLUMNS.length - 1)})
ON CONFLICT (ai_gateway_log_id) DO UPDATE SET ${CHANGING.map((column) => `${column} = excluded.${column}`)}
WHERE excluded.version >= votes.version`;

/** A vote's values in VOTE_COLUMNS order, written at `now` (the seed scripts write these too). */
export const voteValues = (vote: StoredVote, version: number, now: number): SqlValue[] => [
	vote.castAt,
	...FIELDS.map((field) => {
		const written = WRITTEN_AS[field];
		return written ? written(vote) : sqlValue(vote[field]);
	}),
	version,
	now,
];

export function writeVote(db: D1Database, vote: StoredVote, version: number): Promise<unknown> {
	return db
		.prepare(UPSERT)
		.bind(...voteValues(vote, version, Date.now()))
		.run();
}

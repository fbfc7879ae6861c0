/** A vote on an answer: "clear" withdraws it (the gateway's "not evaluated"). */
export type Vote = "up" | "down" | "clear";

/** What a vote puts on the answer's gateway log. */
export interface FeedbackPatch {
	vote: Vote;
	score?: number;
	comment?: string;
}

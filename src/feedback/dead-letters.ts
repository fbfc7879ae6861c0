import type { Vote } from "../core/votes";
import { DeadLetterList } from "../dead-letters/dead-letter-list";

/** A vote delivery gave up on, kept until it is replayed or overtaken by a new vote. */
export interface DeadLetter {
	aiGatewayLogId: string;
	gatewayId: string;
	vote: Vote;
	attempts: number;
	reason: string;
	failedAt: string;
}

/** The one list of given-up votes. */
export class FeedbackDeadLetters extends DeadLetterList<DeadLetter> {
	protected readonly prefix = "dead-letter:";
	protected readonly idOf = (letter: DeadLetter) => letter.aiGatewayLogId;
}

export const deadLetterList = (env: Cloudflare.Env) =>
	env.FEEDBACK_DEAD_LETTERS.getByName("dead-letters");

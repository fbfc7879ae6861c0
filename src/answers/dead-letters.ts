import { DeadLetterList } from "../dead-letters/dead-letter-list";
import type { AnswerRow } from "../store/answers";

/** An answer the queue gave up on writing, kept until it is replayed. */
export interface AnswerDeadLetter {
	/** The answer's log id, or `message:<queue message id>` for a message that was no answer. */
	id: string;
	/** The row to write; null when the message could not be read as one. */
	row: AnswerRow | null;
	deadAt: string;
}

/** The one list of answers the queue gave up on (the dead-letter queue's consumer fills it). */
export class AnswerDeadLetters extends DeadLetterList<AnswerDeadLetter> {
	protected readonly prefix = "answer:";
	protected readonly idOf = (letter: AnswerDeadLetter) => letter.id;
}

export const answerDeadLetters = (env: Cloudflare.Env) =>
	env.ANSWER_DEAD_LETTERS.getByName("answer-dead-letters");

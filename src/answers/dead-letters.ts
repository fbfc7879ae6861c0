import { DurableObject } from "cloudflare:workers";
import type { AnswerRow } from "../store/answers";

/** An answer the queue gave up on writing, kept until it is replayed. */
export interface AnswerDeadLetter {
	/** The answer's log id, or `message:<queue message id>` for a message that was no answer. */
	id: string;
	/** The row to write; null when the message could not be read as one. */
	row: AnswerRow | null;
	deadAt: string;
}

const PREFIX = "answer:";

/**
 * The one list of answers the queue gave up on (the dead-letter queue's consumer fills it):
 * kept apart from D1, since D1 failing is the usual reason they are here.
 */
export class AnswerDeadLetters extends DurableObject<Cloudflare.Env> {
	async add(letters: readonly AnswerDeadLetter[]): Promise<void> {
		for (const letter of letters) this.ctx.storage.kv.put(`${PREFIX}${letter.id}`, letter);
	}

	async remove(ids: readonly string[]): Promise<void> {
		for (const id of ids) this.ctx.storage.kv.delete(`${PREFIX}${id}`);
	}

	async list(limit = 1000): Promise<AnswerDeadLetter[]> {
		return [...this.ctx.storage.kv.list<AnswerDeadLetter>({ prefix: PREFIX, limit })].map(
			([, letter]) => letter,
		);
	}
}

export const answerDeadLetters = (env: Cloudflare.Env) =>
	env.ANSWER_DEAD_LETTERS.getByName("answer-dead-letters");

import { DurableObject } from "cloudflare:workers";

/**
 * What a delivery or a queue gave up on, kept by id in one Durable Object until it is
 * replayed: one object per list, since failures are rare and listing needs one place, and
 * apart from D1, since D1 failing is one reason they are there. FeedbackDeadLetters (votes)
 * and AnswerDeadLetters (answers) are this list with their own letters.
 */
export abstract class DeadLetterList<Letter> extends DurableObject<Cloudflare.Env> {
	/** Each letter's storage key starts with it: the subclass's own, as its stored letters have it. */
	protected abstract readonly prefix: string;
	/** A letter's id: a letter added with the id of one kept replaces it. A field, not an RPC method. */
	protected abstract readonly idOf: (letter: Letter) => string;

	async add(letters: readonly Letter[]): Promise<void> {
		for (const letter of letters)
			this.ctx.storage.kv.put(`${this.prefix}${this.idOf(letter)}`, letter);
	}

	async remove(ids: readonly string[]): Promise<void> {
		for (const id of ids) this.ctx.storage.kv.delete(`${this.prefix}${id}`);
	}

	async list(limit = 1000): Promise<Letter[]> {
		return [...this.ctx.storage.kv.list<Letter>({ prefix: this.prefix, limit })].map(
			([, letter]) => letter,
		);
	}
}

/** The letters to replay: those whose ids are named, or every one when none are. */
export const chosen = <Letter>(
	letters: readonly Letter[],
	idOf: (letter: Letter) => string,
	ids?: readonly string[],
): Letter[] => (ids ? letters.filter((letter) => ids.includes(idOf(letter))) : [...letters]);

// The conversation, kept in localStorage across reloads with each answer's vote. Unsent
// votes live in the feedback outbox (feedback-outbox.js), not here.

export const CONVERSATION_KEY = "chat-conversation-v1";
export const MODEL_KEY = "chat-model-v1";
/** The conversation's id, sent as POST /api/chat's `conversation`: a router keeps it on one model. */
export const CONVERSATION_ID_KEY = "chat-conversation-id-v1";

/**
 * A turn: { id, user, answer }, where answer is null or
 * { text, status: "streaming" | "done" | "stopped" | "failed", error, model, provider,
 *   emulated, aiGatewayLogId, token, vote, score, comment, correction, voteState }.
 */
export class ConversationStore {
	#storage;
	#unsavedId;

	constructor(storage) {
		this.#storage = storage;
	}

	load() {
		try {
			const saved = JSON.parse(this.#storage.getItem(CONVERSATION_KEY) ?? "null");
			return Array.isArray(saved?.turns) ? saved.turns : [];
		} catch {
			return [];
		}
	}

	save(turns) {
		try {
			this.#storage.setItem(CONVERSATION_KEY, JSON.stringify({ version: 1, turns }));
		} catch {
			// Storage full or off: the conversation just won't survive a reload.
		}
	}

	/** The conversation's id (a UUID), made on first use and kept until a new chat. */
	get conversationId() {
		try {
			let id = this.#storage.getItem(CONVERSATION_ID_KEY);
			if (!id) {
				id = crypto.randomUUID();
				this.#storage.setItem(CONVERSATION_ID_KEY, id);
			}
			return id;
		} catch {
			// Storage off: an id for this page's life.
			this.#unsavedId ??= crypto.randomUUID();
			return this.#unsavedId;
		}
	}

	/** A new chat is a new conversation: the next ask makes a new id. */
	newConversation() {
		this.#unsavedId = undefined;
		try {
			// The store has getItem and setItem only: an empty id is none.
			this.#storage.setItem(CONVERSATION_ID_KEY, "");
		} catch {
			// As above.
		}
	}

	get model() {
		try {
			return this.#storage.getItem(MODEL_KEY) ?? "";
		} catch {
			return "";
		}
	}

	set model(value) {
		try {
			this.#storage.setItem(MODEL_KEY, value);
		} catch {
			// As above.
		}
	}
}

/** An answer the model finished (or that was stopped with some text): part of the history. */
export const answered = (turn) =>
	turn.answer !== null &&
	["done", "stopped", "interrupted"].includes(turn.answer.status) &&
	turn.answer.text.length > 0;

/**
 * The messages for a request that asks `turn`: every earlier turn that was answered, as
 * user and assistant messages, then this turn's message. Failed turns are left out.
 */
export function historyFor(turns, turn) {
	const messages = [];
	for (const earlier of turns) {
		if (earlier === turn) break;
		if (!answered(earlier)) continue;
		messages.push({ role: "user", content: earlier.user });
		messages.push({ role: "assistant", content: earlier.answer.text });
	}
	messages.push({ role: "user", content: turn.user });
	return messages;
}

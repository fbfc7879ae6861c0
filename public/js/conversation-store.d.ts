// Types of conversation-store.js for the unit tests (the pages themselves have no build step).

/** What the page stores in: localStorage, reached through getItem and setItem only. */
export interface PageStorage {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

export const CONVERSATION_KEY: string;
export const MODEL_KEY: string;
export const CONVERSATION_ID_KEY: string;

export class ConversationStore {
	constructor(storage: PageStorage);
	load(): unknown[];
	save(turns: unknown[]): void;
	/** The conversation's id (a UUID), made on first use and kept until a new chat. */
	readonly conversationId: string;
	newConversation(): void;
	model: string;
}

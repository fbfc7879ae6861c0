// The chat page's conversation id (public/js/conversation-store.js), sent as POST /api/chat's
// `conversation`: one per conversation, kept across reloads, new after New chat, with the
// page's storage (getItem and setItem only, as main.js hands it over).
import { describe, expect, it } from "vitest";
import { ConversationStore } from "../../public/js/conversation-store.js";

/** localStorage as the page reaches it: getItem and setItem, nothing else. */
function pageStorage() {
	const items = new Map<string, string>();
	return {
		getItem: (key: string) => items.get(key) ?? null,
		setItem: (key: string, value: string) => void items.set(key, value),
	};
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the chat page's conversation id", () => {
	it("is one UUID per conversation, kept across a reload, new after New chat", () => {
		const storage = pageStorage();
		const store = new ConversationStore(storage);
		const id = store.conversationId;
		expect(id).toMatch(UUID);
		expect(store.conversationId).toBe(id);
		// A reload: a new store on the same storage.
		expect(new ConversationStore(storage).conversationId).toBe(id);
		store.newConversation();
		const next = store.conversationId;
		expect(next).toMatch(UUID);
		expect(next).not.toBe(id);
		expect(new ConversationStore(storage).conversationId).toBe(next);
	});

	it("lives as long as the page where storage is off", () => {
		const off = {
			getItem: () => {
				throw new Error("storage off");
			},
			setItem: () => {
				throw new Error("storage off");
			},
		};
		const store = new ConversationStore(off);
		const id = store.conversationId;
		expect(id).toMatch(UUID);
		expect(store.conversationId).toBe(id);
		store.newConversation();
		expect(store.conversationId).not.toBe(id);
	});
});

/** A chat request and who answered it: the shapes every layer shares. */

/** The paths that answer chats: stored with each answer, and on its gateway log as `route`. */
export type ChatRoute = "/api/chat" | "/v1/chat/completions";

/** Who speaks in a chat message. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

export interface ChatMessage {
	role: (typeof CHAT_ROLES)[number];
	content: string;
}

/** What a chat asks of a model, whichever API it came through. */
export interface ChatInput {
	model: string;
	messages: ChatMessage[];
	max_tokens?: number;
	temperature?: number;
	top_p?: number;
	stop?: string[];
	route: ChatRoute;
	/** The caller's end-user id (OpenAI's `user`), stored on the gateway log. */
	user?: string;
}

/** How an answer ended: all of it, broken off by the model, or cancelled by the client. */
export type AnswerOutcome = "complete" | "failed" | "aborted";

/** Token counts, in OpenAI's names. */
export interface Usage {
	prompt_tokens?: number;
	completion_tokens?: number;
	total_tokens?: number;
}

/** Who answered: the model (the requested one, a fallback, or a dynamic route's pick). */
export interface Served {
	model: string;
	provider: string;
	aiGatewayLogId: string | null;
	/** The gateway's step that answered (dynamic routes and fallbacks), else null. */
	step: number | null;
}

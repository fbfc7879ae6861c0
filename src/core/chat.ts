/** A chat request and who answered it: the shapes every layer shares. */

import type { ToolCall, ToolOptions } from "./tools";

/** The paths that answer chats: stored with each answer, and on its gateway log as `route`. */
export type ChatRoute = "/api/chat" | "/v1/chat/completions";

/** Who speaks in a chat message. */
export const CHAT_ROLES = ["system", "user", "assistant"] as const;

export interface ChatMessage {
	role: (typeof CHAT_ROLES)[number];
	content: string;
}

/** A message of a conversation, tool calls and their results included (these only on /v1). */
export type ModelMessage =
	| ChatMessage
	| { role: "assistant"; content: string | null; tool_calls: ToolCall[] }
	| { role: "tool"; content: string; tool_call_id: string };

export const hasToolHistory = (messages: readonly ModelMessage[]): boolean =>
	messages.some((message) => message.role === "tool" || "tool_calls" in message);

/** What a model is asked, by a chat or by the judge (src/judge/). */
export interface ModelInput extends ToolOptions {
	model: string;
	messages: ModelMessage[];
	max_tokens?: number;
	temperature?: number;
	top_p?: number;
	stop?: string[];
}

/** Custom metadata of a gateway log: flat values, at most 5 entries (the gateway drops the rest). */
export type LogMetadata = Record<string, string | number | boolean>;

/** What a chat asks of a model, whichever API it came through; tools and JSON mode only on /v1. */
export interface ChatInput extends ModelInput {
	route: ChatRoute;
	/** The caller's end-user id (OpenAI's `user`), stored on the gateway log. */
	user?: string;
	/**
	 * The conversation's id (POST /api/chat's `conversation`): sent as `cf-aig-session-id` to
	 * a router (the Auto Router, a model alias), which keeps the conversation on one model.
	 */
	conversation?: string;
}

/**
 * A conversation id a client may send: 8 to 64 letters, digits, `-` or `_` (a UUID fits).
 * It goes out as a header, so nothing else is let through.
 */
export const CONVERSATION_ID = /^[A-Za-z0-9_-]{8,64}$/;

/** What a router (the Auto Router, a model alias) said of its choice, from its headers. */
export interface Routing {
	/** `cf-aig-routing-reason`, e.g. `cost_optimal_within_pool`, `pinned_by_turn`. */
	reason: string;
	/** `cf-aig-routing-decision-id`, when given. */
	decisionId: string | null;
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
	/** The gateway's step that answered a dynamic route, else null. */
	step: number | null;
	/** A router's choice; `model` is then the routed model. Unset for any other model. */
	routing?: Routing;
}

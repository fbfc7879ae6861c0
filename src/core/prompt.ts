import { ApiError } from "./errors";

/**
 * The one rule for a chat with nothing to answer, on every API: the client's last turn (its
 * last user or tool message) must be a tool's result or a user message with text. Otherwise
 * the model would be called, and billed, for an answer to nothing: 400 `empty_prompt`.
 * Messages after that turn (an assistant prefill, or the calls a tool result answers) are fine.
 */
export function requirePrompt(
	messages: readonly { role: string; content?: string | null }[],
): void {
	const last = messages.findLastIndex(
		(message) => message.role === "user" || message.role === "tool",
	);
	if (last === -1) {
		throw new ApiError(
			400,
			"empty_prompt",
			'messages: holds no user message; send the question as {"role": "user", "content": "..."}',
			{ param: "messages" },
		);
	}
	const turn = messages[last];
	if (turn?.role === "user" && !turn.content?.trim()) {
		const param = `messages[${last}].content`;
		throw new ApiError(
			400,
			"empty_prompt",
			`${param}: the last user message is empty; send the question as its content`,
			{ param },
		);
	}
}

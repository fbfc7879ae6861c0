import { ApiError } from "./errors";

/**
 * Refuses a chat with nothing to answer: no user message, or a last user message with no
 * text. The model would be called, and billed, for an answer to nothing. An assistant
 * message after the last user message (a prefill) is fine.
 */
export function requirePrompt(messages: readonly { role: string; content: string }[]): void {
	const last = messages.findLastIndex((message) => message.role === "user");
	if (last === -1) {
		throw new ApiError(
			400,
			"empty_prompt",
			'messages: holds no user message; send the question as {"role": "user", "content": "..."}',
			{ param: "messages" },
		);
	}
	if (!messages[last]?.content.trim()) {
		const param = `messages[${last}].content`;
		throw new ApiError(
			400,
			"empty_prompt",
			`${param}: the last user message is empty; send the question as its content`,
			{ param },
		);
	}
}

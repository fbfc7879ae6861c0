import type { ChatInput } from "../core/chat";
import { modelInfo } from "../core/models";

/** Anthropic's Messages API needs `max_tokens`; this is what a request without one gets. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** The model's inputs, in its provider's format. */
export function modelInputs(model: string, input: ChatInput, stream: boolean) {
	const { shape } = modelInfo(model);
	if (shape === "anthropic") {
		// Anthropic Messages: the system prompt is top level, and max_tokens is required.
		const system = input.messages
			.filter((message) => message.role === "system")
			.map((message) => message.content)
			.join("\n\n");
		return {
			...(system && { system }),
			messages: input.messages.filter((message) => message.role !== "system"),
			max_tokens: input.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
			temperature: input.temperature,
			top_p: input.top_p,
			stop_sequences: input.stop,
			stream,
		};
	}
	const openAiShaped = shape === "openai";
	return {
		messages: input.messages,
		max_tokens: input.max_tokens,
		temperature: input.temperature,
		top_p: input.top_p,
		stop: input.stop,
		stream,
		// OpenAI-shaped streams report usage only when asked.
		...(openAiShaped && stream && { stream_options: { include_usage: true } }),
	};
}

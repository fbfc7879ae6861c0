import type { ChatInput } from "../core/chat";

/**
 * Where a model name sends the request:
 * - `dynamic/<route>`: a dynamic route configured in the gateway, through `gateway.run`
 *   with the `compat` provider (OpenAI chat completions in and out, no token);
 * - `openai/...`, `anthropic/...`, `google/...`: a third-party model through `env.AI.run`,
 *   billed with Unified Billing;
 * - anything else (`@cf/...`): a Workers AI model through `env.AI.run`.
 */
export type ModelRoute = "dynamic" | "third-party" | "workers-ai";

const THIRD_PARTY = /^(openai|anthropic|google)\//;

export function routeOf(model: string): ModelRoute {
	if (model.startsWith("dynamic/")) return "dynamic";
	return THIRD_PARTY.test(model) ? "third-party" : "workers-ai";
}

/** The provider that serves a model called directly (a dynamic route says so in a header). */
export const providerOf = (model: string): string => THIRD_PARTY.exec(model)?.[1] ?? "workers-ai";

/** Anthropic's Messages API needs `max_tokens`; this is what a request without one gets. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/** The model's inputs, in its provider's format. */
export function modelInputs(model: string, input: ChatInput, stream: boolean) {
	if (model.startsWith("anthropic/")) {
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
	const openAiShaped = routeOf(model) !== "workers-ai";
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

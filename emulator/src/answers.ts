/** Deterministic answers in the two output shapes Workers AI models use. */

export type OutputShape = "workers-ai" | "openai";

export interface ChatMessage {
	role: string;
	content: string;
}

/** Models that answer in the OpenAI chat-completions shape on Workers AI. */
const OPENAI_SHAPED_MODELS = /^@cf\/(openai|moonshotai)\//;

export function outputShapeOf(model: string): OutputShape {
	return OPENAI_SHAPED_MODELS.test(model) ? "openai" : "workers-ai";
}

export const EMULATED_MARKER = "[emulated]";

/**
 * The same input always gives the same answer. It quotes the last user
 * message so tests can tell answers apart, and says plainly that it is not
 * a model's output.
 */
export function emulatedAnswer(model: string, messages: readonly ChatMessage[]): string {
	const lastUser = messages.findLast((message) => message.role === "user")?.content ?? "";
	const quoted = lastUser.length > 200 ? `${lastUser.slice(0, 200)}…` : lastUser;
	return `${EMULATED_MARKER} This answer comes from the local AI Gateway emulator standing in for ${model}. You said: ${quoted}`;
}

/** Splits text into word-sized tokens that join back into the same text. */
export function tokenize(text: string): string[] {
	return text.match(/\s*\S+|\s+$/g) ?? [];
}

export function countTokens(messages: readonly ChatMessage[]): number {
	return messages.reduce((sum, message) => sum + tokenize(message.content).length, 0);
}

export interface Usage {
	prompt_tokens: number;
	completion_tokens: number;
	total_tokens: number;
}

export function usageOf(promptTokens: number, completionTokens: number): Usage {
	return {
		prompt_tokens: promptTokens,
		completion_tokens: completionTokens,
		total_tokens: promptTokens + completionTokens,
	};
}

export function jsonAnswer(
	shape: OutputShape,
	{
		id,
		model,
		text,
		usage,
		truncated,
	}: { id: string; model: string; text: string; usage: Usage; truncated: boolean },
): unknown {
	if (shape === "workers-ai") return { response: text, tool_calls: [], usage };
	return {
		id: `chatcmpl-${id}`,
		object: "chat.completion",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [
			{
				index: 0,
				message: { role: "assistant", content: text },
				finish_reason: truncated ? "length" : "stop",
			},
		],
		usage,
	};
}

/** The SSE `data:` payloads of a streamed answer, in order, `[DONE]` excluded. */
export function streamChunk(shape: OutputShape, id: string, model: string, delta: string): unknown {
	if (shape === "workers-ai")
		return {
			response: delta,
			p: "abcdefghijklmnopqrstuvwxyz0123456789".slice(0, (delta.length % 16) + 1),
		};
	return {
		id: `chatcmpl-${id}`,
		object: "chat.completion.chunk",
		created: Math.floor(Date.now() / 1000),
		model,
		choices: [{ index: 0, delta: { content: delta }, logprobs: null, finish_reason: null }],
	};
}

export function streamPreamble(shape: OutputShape, id: string, model: string): unknown[] {
	if (shape === "workers-ai") return [];
	return [
		{
			id: `chatcmpl-${id}`,
			object: "chat.completion.chunk",
			created: Math.floor(Date.now() / 1000),
			model,
			choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }],
		},
	];
}

export function streamEpilogue(
	shape: OutputShape,
	{ id, model, usage, truncated }: { id: string; model: string; usage: Usage; truncated: boolean },
): unknown[] {
	if (shape === "workers-ai") return [{ response: "", usage }];
	return [
		{
			id: `chatcmpl-${id}`,
			object: "chat.completion.chunk",
			created: Math.floor(Date.now() / 1000),
			model,
			choices: [{ index: 0, delta: {}, finish_reason: truncated ? "length" : "stop" }],
			usage,
		},
	];
}

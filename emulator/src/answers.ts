/**
 * Deterministic answers in every wire shape the emulator speaks: the two that
 * Workers AI models use, OpenAI chat completions (third-party models and the
 * gateway's `compat` endpoint), Anthropic Messages and Google Gemini. An answer
 * is text, a tool call or JSON (tools.ts decides which). It is composed here, with
 * what the shapes share; json-answers.ts and stream-events.ts put it in each shape.
 */

import { judgeReply } from "./judge.ts";
import { jsonPieces, minimalValue, type Reply } from "./tools.ts";

/**
 * - `workers-ai`: `{ response, tool_calls, usage }`; streams `data: {"response": ...}` then `[DONE]`.
 * - `openai`: the OpenAI shape as Workers AI's own OpenAI-shaped models give it (usage always
 *   sent, in the chunk that carries `finish_reason`).
 * - `openai-chat`: OpenAI's chat-completions API itself (third-party models, `compat`): usage
 *   in the JSON answer; when streaming, only with `stream_options.include_usage`, in a last
 *   chunk whose `choices` is empty.
 * - `anthropic`: Anthropic Messages, streamed as named events without `[DONE]`.
 * - `gemini`: Google `generateContent`, streamed as `data:` chunks without `[DONE]`.
 */
export type OutputShape = "workers-ai" | "openai" | "openai-chat" | "anthropic" | "gemini";

export interface ChatMessage {
	role: string;
	content: string;
}

/** Models that answer in the OpenAI chat-completions shape on Workers AI. */
const OPENAI_SHAPED_MODELS = /^@cf\/(openai|moonshotai)\//;

/** The shape a Workers AI model answers in. */
export function outputShapeOf(model: string): OutputShape {
	return OPENAI_SHAPED_MODELS.test(model) ? "openai" : "workers-ai";
}

export const EMULATED_MARKER = "[emulated]";

/**
 * The same input always gives the same answer. It quotes the last user message (or
 * tool result) so tests can tell answers apart, and says plainly that it is not a
 * model's output.
 */
export function emulatedAnswer(model: string, messages: readonly ChatMessage[]): string {
	const last = messages.findLast((message) => message.role === "user" || message.role === "tool");
	const said = last?.content ?? "";
	const quoted = said.length > 200 ? `${said.slice(0, 200)}…` : said;
	const who = last?.role === "tool" ? "The tool said" : "You said";
	return `${EMULATED_MARKER} This answer comes from the local AI Gateway emulator standing in for ${model}. ${who}: ${quoted}`;
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

/** What an answer is made of, whatever its shape. */
export interface Answer {
	/** Unique per answer (the log id): the answer's own id is derived from it. */
	id: string;
	/** The model as the answer names it. */
	model: string;
	text: string;
	tokens: string[];
	usage: Usage;
	/** Cut short by the request's token limit. */
	truncated: boolean;
	/** OpenAI `stream_options.include_usage` (shape `openai-chat` only). */
	includeUsage?: boolean;
	/** A call of a tool instead of text: `tokens` are pieces of its arguments' JSON. */
	toolCall?: { name: string; arguments: unknown };
	/** JSON mode's value (`text` is its JSON): Workers AI's own shape answers the object itself. */
	json?: unknown;
}

/** The answer a request gets, as the reply tools.ts chose; only text is cut at `maxTokens`. */
export function composeAnswer(
	{ id, model, reply }: { id: string; model: string; reply: Reply },
	request: { messages: readonly ChatMessage[]; maxTokens: number; includeUsage: boolean },
): Answer {
	const promptTokens = countTokens(request.messages);
	const complete = (text: string, tokens: string[], extra: Partial<Answer> = {}): Answer => ({
		id,
		model,
		text,
		tokens,
		usage: usageOf(promptTokens, tokens.length),
		truncated: false,
		includeUsage: request.includeUsage,
		...extra,
	});
	if (reply.kind === "tool") {
		const args = minimalValue(reply.tool.parameters);
		const text = JSON.stringify(args);
		return complete(text, jsonPieces(text), {
			toolCall: { name: reply.tool.name, arguments: args },
		});
	}
	if (reply.kind === "judge") {
		const judged = judgeReply(request.messages);
		if ("text" in judged) return complete(judged.text, tokenize(judged.text));
		const text = JSON.stringify(judged.json);
		return complete(text, jsonPieces(text), judged);
	}
	if (reply.kind === "json") {
		const json =
			reply.schema === null
				? { response: emulatedAnswer(model, request.messages) }
				: minimalValue(reply.schema);
		const text = JSON.stringify(json);
		return complete(text, jsonPieces(text), { json });
	}
	const allTokens = tokenize(emulatedAnswer(model, request.messages));
	const tokens = allTokens.slice(0, request.maxTokens);
	return {
		...complete(tokens.join(""), tokens),
		truncated: tokens.length < allTokens.length,
	};
}

// What the shapes share.

export const now = () => Math.floor(Date.now() / 1000);
export const compactId = (id: string) => id.replaceAll("-", "");

/** The ids each shape gives a tool call. */
export const callId = (id: string) => `call_${compactId(id).slice(-24)}`;
export const toolUseId = (id: string) => `toolu_${compactId(id).slice(-24)}`;

export const anthropicStop = ({ toolCall, truncated }: Answer) =>
	toolCall ? "tool_use" : truncated ? "max_tokens" : "end_turn";
export const openAiFinish = ({ toolCall, truncated }: Answer) =>
	toolCall ? "tool_calls" : truncated ? "length" : "stop";

export const geminiUsage = (usage: Usage) => ({
	promptTokenCount: usage.prompt_tokens,
	candidatesTokenCount: usage.completion_tokens,
	totalTokenCount: usage.total_tokens,
});

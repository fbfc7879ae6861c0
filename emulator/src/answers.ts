/**
 * Deterministic answers in every wire shape the emulator speaks: the two that
 * Workers AI models use, OpenAI chat completions (third-party models and the
 * gateway's `compat` endpoint), Anthropic Messages and Google Gemini.
 */

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
}

const now = () => Math.floor(Date.now() / 1000);
const compactId = (id: string) => id.replaceAll("-", "");

export function jsonAnswer(shape: OutputShape, answer: Answer): unknown {
	const { id, model, text, usage, truncated } = answer;
	switch (shape) {
		case "workers-ai":
			return { response: text, tool_calls: [], usage };
		case "anthropic":
			return {
				id: `msg_${compactId(id)}`,
				type: "message",
				role: "assistant",
				model,
				content: [{ type: "text", text }],
				stop_reason: truncated ? "max_tokens" : "end_turn",
				stop_sequence: null,
				usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
			};
		case "gemini":
			return {
				candidates: [
					{
						content: { parts: [{ text }], role: "model" },
						finishReason: truncated ? "MAX_TOKENS" : "STOP",
						index: 0,
					},
				],
				usageMetadata: geminiUsage(usage),
				modelVersion: model,
				responseId: compactId(id),
			};
		default:
			return {
				id: `chatcmpl-${id}`,
				object: "chat.completion",
				created: now(),
				model,
				choices: [
					{
						index: 0,
						message: { role: "assistant", content: text, refusal: null },
						logprobs: null,
						finish_reason: truncated ? "length" : "stop",
					},
				],
				usage,
			};
	}
}

const geminiUsage = (usage: Usage) => ({
	promptTokenCount: usage.prompt_tokens,
	candidatesTokenCount: usage.completion_tokens,
	totalTokenCount: usage.total_tokens,
});

/** One server-sent event: `event:` line if named, then one `data:` line. */
export interface StreamEvent {
	event?: string;
	data: unknown;
	/** Carries one token of the answer (paced, counted, and where a broken stream breaks). */
	isToken: boolean;
}

export function formatEvent(event: StreamEvent): string {
	const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
	return `${event.event ? `event: ${event.event}\n` : ""}data: ${data}\n\n`;
}

/** Every event of a streamed answer in order, including the closing `[DONE]` where the shape has one. */
export function streamEvents(shape: OutputShape, answer: Answer): StreamEvent[] {
	const { id, model, tokens, usage, truncated } = answer;
	const token = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: true });
	const other = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: false });
	const done = other("[DONE]");
	switch (shape) {
		case "workers-ai":
			return [
				...tokens.map((delta) =>
					token({
						response: delta,
						p: "abcdefghijklmnopqrstuvwxyz0123456789".slice(0, (delta.length % 16) + 1),
					}),
				),
				other({ response: "", usage }),
				done,
			];
		case "anthropic": {
			const messageId = `msg_${compactId(id)}`;
			return [
				other(
					{
						type: "message_start",
						message: {
							id: messageId,
							type: "message",
							role: "assistant",
							model,
							content: [],
							stop_reason: null,
							stop_sequence: null,
							usage: { input_tokens: usage.prompt_tokens, output_tokens: 1 },
						},
					},
					"message_start",
				),
				other(
					{ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
					"content_block_start",
				),
				other({ type: "ping" }, "ping"),
				...tokens.map((text) =>
					token(
						{ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
						"content_block_delta",
					),
				),
				other({ type: "content_block_stop", index: 0 }, "content_block_stop"),
				other(
					{
						type: "message_delta",
						delta: { stop_reason: truncated ? "max_tokens" : "end_turn", stop_sequence: null },
						usage: { output_tokens: usage.completion_tokens },
					},
					"message_delta",
				),
				other({ type: "message_stop" }, "message_stop"),
			];
		}
		case "gemini": {
			const chunk = (text: string) => ({
				candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0 }],
				modelVersion: model,
				responseId: compactId(id),
			});
			return [
				...tokens.map((text) => token(chunk(text))),
				other({
					candidates: [
						{
							content: { parts: [{ text: "" }], role: "model" },
							finishReason: truncated ? "MAX_TOKENS" : "STOP",
							index: 0,
						},
					],
					usageMetadata: geminiUsage(usage),
					modelVersion: model,
					responseId: compactId(id),
				}),
			];
		}
		default: {
			const base = {
				id: `chatcmpl-${id}`,
				object: "chat.completion.chunk",
				created: now(),
				model,
			};
			const finish = {
				...base,
				choices: [
					{ index: 0, delta: {}, logprobs: null, finish_reason: truncated ? "length" : "stop" },
				],
			};
			const closing =
				shape === "openai"
					? [other({ ...finish, usage })]
					: [
							other(finish),
							...(answer.includeUsage ? [other({ ...base, choices: [], usage })] : []),
						];
			return [
				other({
					...base,
					choices: [
						{
							index: 0,
							delta: { role: "assistant", content: "" },
							logprobs: null,
							finish_reason: null,
						},
					],
				}),
				...tokens.map((content) =>
					token({
						...base,
						choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
					}),
				),
				...closing,
				done,
			];
		}
	}
}

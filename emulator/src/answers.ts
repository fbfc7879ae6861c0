/**
 * Deterministic answers in every wire shape the emulator speaks: the two that
 * Workers AI models use, OpenAI chat completions (third-party models and the
 * gateway's `compat` endpoint), Anthropic Messages and Google Gemini. An answer
 * is text, a tool call or JSON (tools.ts decides which).
 */

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

/** Workers AI models whose tool calls come as `{ id, type, function }` (the types' Llama 4 output). */
const NESTED_TOOL_CALLS = /^@cf\/meta\/llama-4-/;

const now = () => Math.floor(Date.now() / 1000);
const compactId = (id: string) => id.replaceAll("-", "");

/** The ids each shape gives a tool call. */
const callId = (id: string) => `call_${compactId(id).slice(-24)}`;
const toolUseId = (id: string) => `toolu_${compactId(id).slice(-24)}`;

/** A Workers AI tool call: `{ name, arguments }`, or Llama 4's `{ id, type, function }`. */
function workersAiToolCall(answer: Answer, call: NonNullable<Answer["toolCall"]>) {
	return NESTED_TOOL_CALLS.test(answer.model)
		? { id: callId(answer.id), type: "function", function: call }
		: { name: call.name, arguments: call.arguments };
}

const anthropicStop = ({ toolCall, truncated }: Answer) =>
	toolCall ? "tool_use" : truncated ? "max_tokens" : "end_turn";
const openAiFinish = ({ toolCall, truncated }: Answer) =>
	toolCall ? "tool_calls" : truncated ? "length" : "stop";

export function jsonAnswer(shape: OutputShape, answer: Answer): unknown {
	const { id, model, text, usage, truncated, toolCall } = answer;
	switch (shape) {
		case "workers-ai":
			if (toolCall)
				return { response: "", tool_calls: [workersAiToolCall(answer, toolCall)], usage };
			return { response: "json" in answer ? answer.json : text, tool_calls: [], usage };
		case "anthropic":
			return {
				id: `msg_${compactId(id)}`,
				type: "message",
				role: "assistant",
				model,
				content: toolCall
					? [
							{
								type: "tool_use",
								id: toolUseId(id),
								name: toolCall.name,
								input: toolCall.arguments,
							},
						]
					: [{ type: "text", text }],
				stop_reason: anthropicStop(answer),
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
						message: toolCall
							? {
									role: "assistant",
									content: null,
									tool_calls: [
										{
											id: callId(id),
											type: "function",
											function: { name: toolCall.name, arguments: text },
										},
									],
									refusal: null,
								}
							: { role: "assistant", content: text, refusal: null },
						logprobs: null,
						finish_reason: openAiFinish(answer),
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
	const { id, model, tokens, usage, truncated, toolCall } = answer;
	const token = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: true });
	const other = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: false });
	const done = other("[DONE]");
	switch (shape) {
		case "workers-ai":
			if (toolCall)
				// As Cloudflare's workers-ai-provider reads them: a start, argument pieces, and a
				// closing entry of nulls.
				return [
					other({
						response: "",
						tool_calls: [
							{ index: 0, id: callId(id), type: "function", function: { name: toolCall.name } },
						],
					}),
					...tokens.map((piece) =>
						token({ response: "", tool_calls: [{ index: 0, function: { arguments: piece } }] }),
					),
					other({
						response: "",
						tool_calls: [{ id: null, type: null, function: { name: null } }],
					}),
					other({ response: "", usage }),
					done,
				];
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
					{
						type: "content_block_start",
						index: 0,
						content_block: toolCall
							? { type: "tool_use", id: toolUseId(id), name: toolCall.name, input: {} }
							: { type: "text", text: "" },
					},
					"content_block_start",
				),
				other({ type: "ping" }, "ping"),
				...tokens.map((text) =>
					token(
						{
							type: "content_block_delta",
							index: 0,
							delta: toolCall
								? { type: "input_json_delta", partial_json: text }
								: { type: "text_delta", text },
						},
						"content_block_delta",
					),
				),
				other({ type: "content_block_stop", index: 0 }, "content_block_stop"),
				other(
					{
						type: "message_delta",
						delta: { stop_reason: anthropicStop(answer), stop_sequence: null },
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
				choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: openAiFinish(answer) }],
			};
			const chunk = (delta: unknown) => ({
				...base,
				choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
			});
			const closing =
				shape === "openai"
					? [other({ ...finish, usage })]
					: [
							other(finish),
							...(answer.includeUsage ? [other({ ...base, choices: [], usage })] : []),
						];
			if (toolCall)
				// OpenAI's way: the call's id and name first, then its arguments in pieces, all at index 0.
				return [
					other(
						chunk({
							role: "assistant",
							content: null,
							tool_calls: [
								{
									index: 0,
									id: callId(id),
									type: "function",
									function: { name: toolCall.name, arguments: "" },
								},
							],
						}),
					),
					...tokens.map((piece) =>
						token(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
					),
					...closing,
					done,
				];
			return [
				other(chunk({ role: "assistant", content: "" })),
				...tokens.map((content) => token(chunk({ content }))),
				...closing,
				done,
			];
		}
	}
}

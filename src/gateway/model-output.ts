/**
 * Models answer in three shapes: Workers AI's own (`response`, `tool_calls`), OpenAI chat
 * completions (`choices[0].message` / `choices[0].delta`: gpt-oss and Kimi on Workers AI,
 * third-party models such as `openai/*` and `google/*` through the binding, dynamic routes)
 * and Anthropic Messages (`content[]` with `text` and `tool_use` blocks, and typed stream
 * events: `anthropic/*`). These helpers read all three.
 */

import type { Usage } from "../core/chat";
import type { ToolCall } from "../core/tools";

type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
	typeof value === "object" && value !== null && !Array.isArray(value);

function firstChoice(body: Json): Json | undefined {
	const choices = body.choices;
	return Array.isArray(choices) && isObject(choices[0]) ? choices[0] : undefined;
}

/** Universal requests answer in the REST API's `{ result }` envelope; the binding answers bare. */
const unwrap = (body: unknown): unknown =>
	isObject(body) && isObject(body.result) ? body.result : body;

/**
 * The answer text of a non-streamed result, in any shape. In JSON mode Workers AI answers
 * the object itself as `response`: `jsonMode` turns it into its JSON text.
 */
export function answerText(wrapped: unknown, jsonMode = false): string {
	const body = unwrap(wrapped);
	if (!isObject(body)) return "";
	if (typeof body.response === "string") return body.response;
	if (jsonMode && typeof body.response === "object" && body.response !== null)
		return JSON.stringify(body.response);
	const message = firstChoice(body)?.message;
	if (isObject(message) && typeof message.content === "string") return message.content;
	if (Array.isArray(body.content)) {
		return body.content
			.map((block) => (isObject(block) && block.type === "text" ? String(block.text ?? "") : ""))
			.join("");
	}
	return "";
}

/** A new id for a tool call whose model gave none (Workers AI's own shape). */
export const newToolCallId = () => `call_${crypto.randomUUID().replaceAll("-", "").slice(0, 24)}`;

const argumentsText = (args: unknown) =>
	typeof args === "string" ? args : JSON.stringify(args ?? {});

/**
 * One tool call in OpenAI's shape, from any model's: OpenAI's own, Workers AI's
 * `{ name, arguments: {...} }` or `{ id, type, function }`, Anthropic's `tool_use` block.
 */
function toolCallOf(raw: unknown): ToolCall | undefined {
	if (!isObject(raw)) return undefined;
	const fn = isObject(raw.function) ? raw.function : raw;
	if (typeof fn.name !== "string" || fn.name === "") return undefined;
	return {
		id: typeof raw.id === "string" && raw.id !== "" ? raw.id : newToolCallId(),
		type: "function",
		function: { name: fn.name, arguments: argumentsText(fn.arguments ?? fn.input) },
	};
}

/** The tool calls of a non-streamed result, in OpenAI's shape, whatever shape the model used. */
export function toolCallsOf(wrapped: unknown): ToolCall[] {
	const body = unwrap(wrapped);
	if (!isObject(body)) return [];
	const message = firstChoice(body)?.message;
	const raw = Array.isArray(body.tool_calls)
		? body.tool_calls
		: isObject(message) && Array.isArray(message.tool_calls)
			? message.tool_calls
			: Array.isArray(body.content)
				? body.content.filter((block) => isObject(block) && block.type === "tool_use")
				: [];
	return raw.map(toolCallOf).filter((call) => call !== undefined);
}

/** A piece of a streamed tool call: the first piece of a call has its id and name. */
export interface ToolCallDelta {
	/** Which call it belongs to, as the model numbers them. */
	index: number;
	id?: string;
	name?: string;
	arguments?: string;
}

/**
 * The tool-call pieces of one streamed chunk: OpenAI's `delta.tool_calls`, Workers AI's
 * top-level `tool_calls` (its closing entry of nulls skipped), Anthropic's `tool_use` block
 * start and `input_json_delta`.
 */
export function chunkToolCalls(chunk: unknown): ToolCallDelta[] {
	if (!isObject(chunk)) return [];
	if (chunk.type === "content_block_start" && isObject(chunk.content_block)) {
		const block = chunk.content_block;
		if (block.type !== "tool_use") return [];
		return [
			{
				index: Number(chunk.index ?? 0),
				id: String(block.id ?? ""),
				name: String(block.name ?? ""),
			},
		];
	}
	if (chunk.type === "content_block_delta" && isObject(chunk.delta)) {
		const { delta } = chunk;
		if (delta.type !== "input_json_delta" || typeof delta.partial_json !== "string") return [];
		return [{ index: Number(chunk.index ?? 0), arguments: delta.partial_json }];
	}
	const delta = firstChoice(chunk)?.delta;
	const raw =
		isObject(delta) && Array.isArray(delta.tool_calls) ? delta.tool_calls : chunk.tool_calls;
	if (!Array.isArray(raw)) return [];
	return raw.flatMap((entry, position) => {
		if (!isObject(entry)) return [];
		const fn = isObject(entry.function) ? entry.function : entry;
		const piece: ToolCallDelta = {
			index: typeof entry.index === "number" ? entry.index : position,
		};
		if (typeof entry.id === "string" && entry.id !== "") piece.id = entry.id;
		if (typeof fn.name === "string" && fn.name !== "") piece.name = fn.name;
		if (fn.arguments !== undefined && fn.arguments !== null && fn.arguments !== "")
			piece.arguments = argumentsText(fn.arguments);
		return piece.id || piece.name || piece.arguments ? [piece] : [];
	});
}

/** The text delta of one streamed chunk, in any shape ("" when it carries none). */
export function chunkDelta(chunk: unknown): string {
	if (!isObject(chunk)) return "";
	if (typeof chunk.response === "string") return chunk.response;
	const delta = firstChoice(chunk)?.delta ?? chunk.delta;
	if (isObject(delta) && typeof delta.content === "string") return delta.content;
	if (isObject(delta) && delta.type === "text_delta" && typeof delta.text === "string")
		return delta.text;
	return "";
}

/** Anthropic's stop reasons in OpenAI's words. */
const STOP_REASONS: Record<string, string> = {
	end_turn: "stop",
	stop_sequence: "stop",
	max_tokens: "length",
	refusal: "content_filter",
	tool_use: "tool_calls",
};

/** The finish reason ("stop", "length", ...), when the model gave one. */
export function chunkFinishReason(wrapped: unknown): string | undefined {
	const body = unwrap(wrapped);
	if (!isObject(body)) return undefined;
	const reason =
		firstChoice(body)?.finish_reason ??
		body.stop_reason ??
		(isObject(body.delta) ? body.delta.stop_reason : undefined);
	if (typeof reason !== "string") return undefined;
	return STOP_REASONS[reason] ?? reason;
}

/** Token counts, in OpenAI's names; Anthropic's `input_tokens` / `output_tokens` included. */
export function usageOf(wrapped: unknown): Usage | undefined {
	const body = unwrap(wrapped);
	if (!isObject(body)) return undefined;
	const source = isObject(body.usage)
		? body.usage
		: isObject(body.message) && isObject(body.message.usage)
			? body.message.usage
			: undefined;
	if (!source) return undefined;
	const usage: Usage = {};
	const names = [
		["prompt_tokens", "input_tokens"],
		["completion_tokens", "output_tokens"],
		["total_tokens", "total_tokens"],
	] as const;
	for (const [name, anthropic] of names) {
		const value = source[name] ?? source[anthropic];
		if (typeof value === "number") usage[name] = value;
	}
	const { prompt_tokens, completion_tokens } = usage;
	if (
		usage.total_tokens === undefined &&
		prompt_tokens !== undefined &&
		completion_tokens !== undefined
	)
		usage.total_tokens = prompt_tokens + completion_tokens;
	return usage;
}

/** Usage reported in parts (Anthropic: input at the start, output at the end), combined. */
export function mergeUsage(
	earlier: Usage | undefined,
	later: Usage | undefined,
): Usage | undefined {
	if (!earlier || !later) return later ?? earlier;
	const usage = { ...earlier, ...later };
	if (later.total_tokens === undefined && usage.prompt_tokens !== undefined) {
		usage.total_tokens = usage.prompt_tokens + (usage.completion_tokens ?? 0);
	}
	return usage;
}

/** True for the chunk that ends a stream without `[DONE]` (Anthropic's `message_stop`). */
export const chunkEndsStream = (chunk: unknown): boolean =>
	isObject(chunk) && chunk.type === "message_stop";

/** An error reported inside a 200 stream, e.g. `{"error": "..."}` or `{"errors": [...]}`. */
export function chunkError(chunk: unknown): string | undefined {
	if (!isObject(chunk)) return undefined;
	if (typeof chunk.error === "string") return chunk.error;
	if (isObject(chunk.error) && typeof chunk.error.message === "string") return chunk.error.message;
	if (Array.isArray(chunk.errors) && isObject(chunk.errors[0])) {
		return String(chunk.errors[0].message ?? "unknown error");
	}
	return undefined;
}

/**
 * Models answer in three shapes: Workers AI's own (`response`), OpenAI chat completions
 * (`choices[0].message` / `choices[0].delta`: gpt-oss and Kimi on Workers AI, `openai/*` and
 * `google/*` through the binding, dynamic routes) and Anthropic Messages (`content[]`, and
 * typed stream events: `anthropic/*`). These helpers read all three.
 */

import type { Usage } from "../core/chat";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === "object" && value !== null && !Array.isArray(value);

function firstChoice(body: Json): Json | undefined {
	const choices = body.choices;
	return Array.isArray(choices) && isObject(choices[0]) ? choices[0] : undefined;
}

/** Universal requests answer in the REST API's `{ result }` envelope; the binding answers bare. */
const unwrap = (body: unknown): unknown =>
	isObject(body) && isObject(body.result) ? body.result : body;

/** The answer text of a non-streamed result, in any shape. */
export function answerText(wrapped: unknown): string {
	const body = unwrap(wrapped);
	if (!isObject(body)) return "";
	if (typeof body.response === "string") return body.response;
	const message = firstChoice(body)?.message;
	if (isObject(message) && typeof message.content === "string") return message.content;
	if (Array.isArray(body.content)) {
		return body.content
			.map((block) => (isObject(block) && block.type === "text" ? String(block.text ?? "") : ""))
			.join("");
	}
	return "";
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

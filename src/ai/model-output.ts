/**
 * Workers AI models answer in two shapes: their own (`response`) and the
 * OpenAI chat-completions one (`choices[0].message` / `choices[0].delta`).
 * These helpers read both.
 */

export interface Usage {
	prompt_tokens?: number;
	completion_tokens?: number;
	total_tokens?: number;
}

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

/** The answer text of a non-streamed result, in either shape. */
export function answerText(wrapped: unknown): string {
	const body = unwrap(wrapped);
	if (!isObject(body)) return "";
	if (typeof body.response === "string") return body.response;
	const message = firstChoice(body)?.message;
	if (isObject(message) && typeof message.content === "string") return message.content;
	return "";
}

/** The text delta of one streamed chunk, in either shape ("" when it carries none). */
export function chunkDelta(chunk: unknown): string {
	if (!isObject(chunk)) return "";
	if (typeof chunk.response === "string") return chunk.response;
	const delta = firstChoice(chunk)?.delta;
	if (isObject(delta) && typeof delta.content === "string") return delta.content;
	return "";
}

/** The OpenAI shape's finish reason ("stop", "length", ...), when the model gave one. */
export function chunkFinishReason(wrapped: unknown): string | undefined {
	const body = unwrap(wrapped);
	if (!isObject(body)) return undefined;
	const reason = firstChoice(body)?.finish_reason;
	return typeof reason === "string" ? reason : undefined;
}

export function usageOf(wrapped: unknown): Usage | undefined {
	const body = unwrap(wrapped);
	if (!isObject(body) || !isObject(body.usage)) return undefined;
	const usage: Usage = {};
	for (const key of ["prompt_tokens", "completion_tokens", "total_tokens"] as const) {
		const value = body.usage[key];
		if (typeof value === "number") usage[key] = value;
	}
	return usage;
}

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

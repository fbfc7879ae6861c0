import type { Context } from "hono";
import { type ChatAnswer, type ChatInput, completeChat, streamChat } from "../ai/inference";
import { answerRecorder } from "../store/answers";
import type { AppEnv } from "../types";
import { issueFeedbackToken } from "./feedback-token";
import { SSE_HEADERS } from "./sse";

export interface AnswerMeta {
	logId: string | null;
	feedbackToken: string | null;
	model: string;
}

/** How one API writes an answer: as JSON, or as its own SSE stream. */
export interface AnswerFormat {
	json(answer: ChatAnswer, feedbackToken: string | null): unknown;
	stream(upstream: ReadableStream<Uint8Array>, meta: AnswerMeta): ReadableStream<Uint8Array>;
}

/**
 * Answers a chat request as JSON or as a stream, with the answer's log id in `cf-aig-log-id`
 * and its feedback token in `x-feedback-token` (where OpenAI clients can read them), both
 * exposed to browsers through CORS. The request's signal aborts the inference.
 */
export async function respondToChat(
	c: Context<AppEnv>,
	input: ChatInput,
	stream: boolean,
	format: AnswerFormat,
): Promise<Response> {
	const { config } = c.var;
	const signal = c.req.raw.signal;
	const recorder = answerRecorder(c, input);
	if (stream) {
		const served = await streamChat(c.env, config, input, signal);
		const { body, logId, model } = served;
		recorder.stream(body, served);
		const feedbackToken = await issueFeedbackToken(config, logId);
		return c.body(format.stream(body, { logId, feedbackToken, model }), 200, {
			...SSE_HEADERS,
			...answerHeaders(logId, feedbackToken),
		});
	}
	const answer = await completeChat(c.env, config, input, signal);
	recorder.complete(answer);
	const feedbackToken = await issueFeedbackToken(config, answer.logId);
	return c.json(
		format.json(answer, feedbackToken),
		200,
		answerHeaders(answer.logId, feedbackToken),
	);
}

function answerHeaders(logId: string | null, feedbackToken: string | null): Record<string, string> {
	const headers: Record<string, string> = {};
	if (logId) headers["cf-aig-log-id"] = logId;
	if (feedbackToken) headers["x-feedback-token"] = feedbackToken;
	return headers;
}

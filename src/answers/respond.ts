import type { Context } from "hono";
import type { ChatInput, Served } from "../core/chat";
import { issueFeedbackToken } from "../core/feedback-token";
import { SSE_HEADERS } from "../core/sse";
import { type ChatAnswer, completeChat, streamChat } from "../gateway/inference";
import type { StreamObserver } from "../gateway/model-stream";
import { type BlockedPart, ContentBlocked } from "../gateway/upstream-errors";
import type { AppEnv } from "../http/app-env";
import { answerRecorder } from "./record";

/** What a client is told about an answer besides its text: who served it, and how to rate it. */
export interface AnswerMeta
	extends Pick<Served, "aiGatewayLogId" | "model" | "provider" | "routing"> {
	feedbackToken: string | null;
}

/** How one API writes an answer: as JSON, or as its own SSE stream. */
export interface AnswerFormat {
	json(answer: ChatAnswer, feedbackToken: string | null): unknown;
	/** The observer must hear the whole stream: it records the answer when the stream ends. */
	stream(
		upstream: ReadableStream<Uint8Array>,
		meta: AnswerMeta,
		observer: StreamObserver,
	): ReadableStream<Uint8Array>;
	/**
	 * A request the gateway's Guardrails blocked, written as this API says: a body (JSON or a
	 * stream, as asked), or null to answer with the error itself.
	 */
	blocked(
		part: BlockedPart,
		meta: AnswerMeta,
		stream: boolean,
	): ReadableStream<Uint8Array> | object | null;
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
	try {
		if (stream) {
			const { body, ...served } = await streamChat(c.env, config, input, signal);
			const observer = recorder.stream(served);
			const meta = {
				...served,
				feedbackToken: await issueFeedbackToken(config, served.aiGatewayLogId),
			};
			return c.body(format.stream(body, meta, observer), 200, {
				...SSE_HEADERS,
				...answerHeaders(meta),
			});
		}
		const record = recorder.json();
		const answer = await completeChat(c.env, config, input, signal, record.started);
		record.complete(answer);
		const feedbackToken = await issueFeedbackToken(config, answer.aiGatewayLogId);
		return c.json(
			format.json(answer, feedbackToken),
			200,
			answerHeaders({ aiGatewayLogId: answer.aiGatewayLogId, feedbackToken }),
		);
	} catch (err) {
		if (!(err instanceof ContentBlocked)) throw err;
		// A block is an answer of sorts, and logged: it can be rated too.
		const meta = {
			aiGatewayLogId: err.aiGatewayLogId,
			feedbackToken: await issueFeedbackToken(config, err.aiGatewayLogId),
			model: input.model,
			provider: "",
		};
		const body = format.blocked(err.part, meta, stream);
		if (body === null) throw err;
		if (body instanceof ReadableStream) {
			return c.body(body, 200, { ...SSE_HEADERS, ...answerHeaders(meta) });
		}
		return c.json(body, 200, answerHeaders(meta));
	}
}

function answerHeaders({
	aiGatewayLogId,
	feedbackToken,
}: Pick<AnswerMeta, "aiGatewayLogId" | "feedbackToken">): Record<string, string> {
	const headers: Record<string, string> = {};
	if (aiGatewayLogId) headers["cf-aig-log-id"] = aiGatewayLogId;
	if (feedbackToken) headers["x-feedback-token"] = feedbackToken;
	return headers;
}

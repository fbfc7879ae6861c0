import { Hono } from "hono";
import { toChatEventStream } from "../ai/chat-stream";
import { completeChat, streamChat } from "../ai/gateway";
import { resolveModel } from "../lib/config";
import { issueFeedbackToken } from "../lib/feedback-token";
import { readJsonBody } from "../lib/json-body";
import { rateLimit } from "../lib/rate-limit";
import { ChatRequestSchema } from "../lib/schemas";
import { SSE_HEADERS } from "../lib/sse";
import type { AppEnv } from "../types";

export const chat = new Hono<AppEnv>().post("/", rateLimit("CHAT_RATE_LIMITER"), async (c) => {
	const body = await readJsonBody(c, ChatRequestSchema);
	const model = resolveModel(c.env, body.model);
	const input = {
		model,
		messages: body.messages,
		max_tokens: body.max_tokens,
		temperature: body.temperature,
		route: "api/chat" as const,
	};

	if (body.stream) {
		const {
			body: upstream,
			logId,
			model: served,
		} = await streamChat(c.env, input, c.req.raw.signal);
		const feedbackToken = await issueFeedbackToken(c.env, logId);
		const headers: Record<string, string> = { ...SSE_HEADERS };
		if (logId) headers["cf-aig-log-id"] = logId;
		return c.body(
			toChatEventStream(upstream, { logId, feedbackToken, model: served }),
			200,
			headers,
		);
	}

	const answer = await completeChat(c.env, input, c.req.raw.signal);
	const feedbackToken = await issueFeedbackToken(c.env, answer.logId);
	if (answer.logId) c.header("cf-aig-log-id", answer.logId);
	return c.json({
		response: answer.response,
		logId: answer.logId,
		feedbackToken,
		model: answer.model,
		cached: answer.cached,
		...(answer.usage && { usage: answer.usage }),
	});
});

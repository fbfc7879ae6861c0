import { Hono } from "hono/tiny";
import { blockedChatEventStream, toChatEventStream } from "../ai/chat-stream";
import { respondToChat } from "../lib/chat-response";
import { resolveModel } from "../lib/config";
import { requirePrompt } from "../lib/prompt";
import { rateLimit } from "../lib/rate-limit";
import { ChatRequestSchema } from "../lib/schemas";
import { jsonBody } from "../lib/validate";
import type { AppEnv } from "../types";

export const chat = new Hono<AppEnv>().post(
	"/",
	rateLimit("CHAT_RATE_LIMITER"),
	jsonBody(ChatRequestSchema),
	async (c) => {
		const body = c.req.valid("json");
		requirePrompt(body.messages);
		const input = {
			model: resolveModel(c.var.config, body.model),
			messages: body.messages,
			max_tokens: body.max_tokens,
			temperature: body.temperature,
			route: "api/chat" as const,
		};
		return respondToChat(c, input, body.stream === true, {
			json: (answer, feedbackToken) => ({
				response: answer.response,
				aiGatewayLogId: answer.aiGatewayLogId,
				feedbackToken,
				model: answer.model,
				provider: answer.provider,
				cached: answer.cached,
				...(answer.usage && { usage: answer.usage }),
			}),
			stream: toChatEventStream,
			// JSON: 422 content_blocked; a stream: its meta, then an error event.
			blocked: (part, meta, stream) => (stream ? blockedChatEventStream(part, meta) : null),
		});
	},
);

import { Hono } from "hono/tiny";
import { respondToChat } from "../../answers/respond";
import { resolveModel } from "../../core/config";
import { requirePrompt } from "../../core/prompt";
import type { AppEnv } from "../../http/app-env";
import { rateLimit } from "../../http/rate-limit";
import { humanCheck } from "../../http/turnstile";
import { jsonBody } from "../../http/validate";
import { blockedChatEventStream, toChatEventStream } from "./format";
import { ChatRequestSchema } from "./schemas";

export const chat = () =>
	new Hono<AppEnv>().post(
		"/",
		rateLimit("CHAT_RATE_LIMITER"),
		// After the rate limit, so a flood costs no Siteverify calls; before the body is read.
		humanCheck,
		jsonBody(ChatRequestSchema),
		async (c) => {
			const body = c.req.valid("json");
			requirePrompt(body.messages);
			const input = {
				model: resolveModel(c.var.config, body.model),
				messages: body.messages,
				max_tokens: body.max_tokens,
				temperature: body.temperature,
				route: "/api/chat" as const,
				conversation: body.conversation,
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
					...(answer.routing && { routing: answer.routing }),
				}),
				stream: toChatEventStream,
				// JSON: 422 content_blocked; a stream: its meta, then an error event.
				blocked: (part, meta, stream) => (stream ? blockedChatEventStream(part, meta) : null),
			});
		},
	);

import { Hono } from "hono/tiny";
import { apiKeyAuth } from "../lib/auth";
import { respondToChat } from "../lib/chat-response";
import { rateLimit } from "../lib/rate-limit";
import { jsonBody } from "../lib/validate";
import {
	filteredCompletion,
	filteredCompletionChunks,
	toChatCompletion,
	toChatCompletionChunks,
} from "../openai/format";
import { chatInputOf } from "../openai/request";
import { OpenAiChatRequestSchema } from "../openai/schemas";
import type { AppEnv } from "../types";

/** A dynamic route is the gateway's; a third-party model its provider's; `@cf/...` Cloudflare's. */
const ownerOf = (model: string) =>
	model.startsWith("dynamic/")
		? "ai-gateway"
		: model.startsWith("@cf/")
			? "cloudflare"
			: (model.split("/")[0] ?? "cloudflare");

/** OpenAI-compatible chat completions, on the same models, limits and AI call path as /api/chat. */
export const openai = new Hono<AppEnv>()
	.use(apiKeyAuth)
	.get("/models", (c) =>
		c.json({
			object: "list",
			data: [...c.var.config.allowedModels].map((id) => ({
				id,
				object: "model",
				created: 0,
				owned_by: ownerOf(id),
			})),
		}),
	)
	.post(
		"/chat/completions",
		rateLimit("CHAT_RATE_LIMITER"),
		jsonBody(OpenAiChatRequestSchema),
		async (c) => {
			const body = c.req.valid("json");
			const input = chatInputOf(c.var.config, body);
			const includeUsage = body.stream_options?.include_usage === true;
			return respondToChat(c, input, body.stream === true, {
				json: (answer) => toChatCompletion(answer.model, answer),
				stream: (upstream, { model, aiGatewayLogId }) =>
					toChatCompletionChunks(upstream, { model, aiGatewayLogId, includeUsage }),
				// OpenAI's conventions: a filtered prompt is a 400 `content_filter` error, a filtered
				// completion a normal answer with `finish_reason: "content_filter"`.
				blocked: (part, { model, aiGatewayLogId }, stream) =>
					part === "prompt"
						? null
						: stream
							? filteredCompletionChunks(model, aiGatewayLogId)
							: filteredCompletion(model, aiGatewayLogId),
			});
		},
	);

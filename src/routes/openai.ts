import { Hono } from "hono/tiny";
import { apiKeyAuth } from "../lib/auth";
import { respondToChat } from "../lib/chat-response";
import { resolveModel } from "../lib/config";
import { rateLimit } from "../lib/rate-limit";
import { jsonBody } from "../lib/validate";
import { toChatCompletion, toChatCompletionChunks } from "../openai/format";
import { OpenAiChatRequestSchema } from "../openai/schemas";
import type { AppEnv } from "../types";

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
				owned_by: "cloudflare",
			})),
		}),
	)
	.post(
		"/chat/completions",
		rateLimit("CHAT_RATE_LIMITER"),
		jsonBody(OpenAiChatRequestSchema),
		async (c) => {
			const body = c.req.valid("json");
			const input = {
				model: resolveModel(c.var.config, body.model),
				messages: body.messages,
				max_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
				temperature: body.temperature ?? undefined,
				top_p: body.top_p ?? undefined,
				stop: typeof body.stop === "string" ? [body.stop] : (body.stop ?? undefined),
				route: "v1/chat/completions" as const,
				user: body.user,
			};
			const includeUsage = body.stream_options?.include_usage === true;
			return respondToChat(c, input, body.stream === true, {
				json: (answer) => toChatCompletion(answer.model, answer),
				stream: (upstream, { model, logId }) =>
					toChatCompletionChunks(upstream, { model, logId, includeUsage }),
			});
		},
	);

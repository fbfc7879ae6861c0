import { Hono } from "hono/tiny";
import { respondToChat } from "../../answers/respond";
import { modelInfo } from "../../core/models";
import type { AppEnv } from "../../http/app-env";
import { apiKeyAuth } from "../../http/auth";
import { rateLimit } from "../../http/rate-limit";
import { jsonBody } from "../../http/validate";
import {
	filteredCompletion,
	filteredCompletionChunks,
	toChatCompletion,
	toChatCompletionChunks,
} from "./format";
import { chatInputOf } from "./request";
import { openAiRequestSchema, unrecognizedArgument } from "./schemas";

/** OpenAI-compatible chat completions, on the same models, limits and AI call path as /api/chat. */
export const openai = () =>
	new Hono<AppEnv>()
		.use(apiKeyAuth)
		.get("/models", (c) =>
			c.json({
				object: "list",
				data: [...c.var.config.allowedModels].map((id) => ({
					id,
					object: "model",
					created: 0,
					owned_by: modelInfo(id).owner,
				})),
			}),
		)
		.post(
			"/chat/completions",
			rateLimit("CHAT_RATE_LIMITER"),
			jsonBody(openAiRequestSchema(), { unknownArgument: unrecognizedArgument }),
			async (c) => {
				const body = c.req.valid("json");
				const input = chatInputOf(c.var.config, body);
				const includeUsage = body.stream_options?.include_usage === true;
				return respondToChat(c, input, body.stream === true, {
					json: (answer) => toChatCompletion(answer.model, answer),
					stream: (upstream, { model, aiGatewayLogId }, observer) =>
						toChatCompletionChunks(upstream, { model, aiGatewayLogId, includeUsage, observer }),
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

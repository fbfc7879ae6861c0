import { Hono } from "hono";
import { completeChat, streamChat } from "../ai/gateway";
import { apiKeyAuth } from "../lib/api-key-auth";
import { allowedModels, resolveModel } from "../lib/config";
import { issueFeedbackToken } from "../lib/feedback-token";
import { readJsonBody } from "../lib/json-body";
import { rateLimit } from "../lib/rate-limit";
import { SSE_HEADERS } from "../lib/sse";
import { toChatCompletion, toChatCompletionChunks } from "../openai/format";
import { OpenAiChatRequestSchema } from "../openai/schemas";
import type { AppEnv } from "../types";

/** The log id and feedback token travel in headers, where OpenAI clients can read them. */
function answerHeaders(logId: string | null, feedbackToken: string | null): Record<string, string> {
	const headers: Record<string, string> = {};
	if (logId) headers["cf-aig-log-id"] = logId;
	if (feedbackToken) headers["x-feedback-token"] = feedbackToken;
	return headers;
}

/** OpenAI-compatible chat completions, on the same models, limits and AI call path as /api/chat. */
export const openai = new Hono<AppEnv>()
	.use(apiKeyAuth)
	.get("/models", (c) =>
		c.json({
			object: "list",
			data: [...allowedModels(c.env)].map((id) => ({
				id,
				object: "model",
				created: 0,
				owned_by: "cloudflare",
			})),
		}),
	)
	.post("/chat/completions", rateLimit("CHAT_RATE_LIMITER"), async (c) => {
		const body = await readJsonBody(c, OpenAiChatRequestSchema);
		const model = resolveModel(c.env, body.model);
		const input = {
			model,
			messages: body.messages,
			max_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
			temperature: body.temperature ?? undefined,
			top_p: body.top_p ?? undefined,
			stop: typeof body.stop === "string" ? [body.stop] : (body.stop ?? undefined),
			route: "v1/chat/completions" as const,
			user: body.user,
		};

		if (body.stream) {
			const {
				body: upstream,
				logId,
				model: served,
			} = await streamChat(c.env, input, c.req.raw.signal);
			const feedbackToken = await issueFeedbackToken(c.env, logId);
			const includeUsage = body.stream_options?.include_usage === true;
			return c.body(toChatCompletionChunks(upstream, { model: served, logId, includeUsage }), 200, {
				...SSE_HEADERS,
				...answerHeaders(logId, feedbackToken),
			});
		}

		const answer = await completeChat(c.env, input, c.req.raw.signal);
		const feedbackToken = await issueFeedbackToken(c.env, answer.logId);
		return c.json(
			toChatCompletion(answer.model, answer),
			200,
			answerHeaders(answer.logId, feedbackToken),
		);
	});

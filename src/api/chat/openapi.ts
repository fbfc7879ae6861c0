import * as v from "valibot";
import {
	AI_CALL_ERRORS,
	HUMAN_CHECK_ERRORS,
	JSON_BODY_ERRORS,
	RATE_LIMIT_ERRORS,
	surfaceDoc,
} from "../../http/route-docs";
import { ChatRequestSchema } from "./schemas";

// POST /api/chat's OpenAPI declaration (scripts/openapi.mjs): never imported by the Worker.

const LogId = v.nullable(v.string());

const ChatAnswer = v.strictObject({
	response: v.pipe(v.string(), v.description("The model's answer.")),
	aiGatewayLogId: v.pipe(LogId, v.description("The gateway log of this answer: rate it with it.")),
	feedbackToken: v.pipe(
		v.nullable(v.string()),
		v.description(
			"Signs the vote on this answer (POST /api/feedback); null while feedback is off.",
		),
	),
	model: v.pipe(
		v.string(),
		v.description(
			"The model that answered (a dynamic route's, the Auto Router's or an alias's pick).",
		),
	),
	provider: v.string(),
	cached: v.pipe(v.boolean(), v.description("Whether the gateway's cache answered.")),
	usage: v.optional(
		v.object({
			prompt_tokens: v.optional(v.number()),
			completion_tokens: v.optional(v.number()),
			total_tokens: v.optional(v.number()),
		}),
	),
	routing: v.optional(
		v.pipe(
			v.strictObject({
				reason: v.pipe(
					v.string(),
					v.description("cf-aig-routing-reason, e.g. cost_optimal_within_pool, pinned_by_turn."),
				),
				decisionId: v.nullable(v.string()),
			}),
			v.description("Only for the Auto Router (cloudflare/auto) and model aliases (custom/...)."),
		),
	),
});

export const chatDoc = surfaceDoc({
	prefix: "/api/chat",
	tag: "chat",
	description: "This API's chat: one answer, as JSON or as a server-sent event stream.",
	errorShape: "api",
	routes: {
		"POST /": {
			summary: "Answer a conversation",
			description:
				'Calls the model through the AI Gateway. `stream: true` answers with server-sent events: `event: meta` (aiGatewayLogId, feedbackToken, model, provider, and routing for a router), then one `{"response": delta}` event per delta, then `data: [DONE]`, or `event: error` if the model fails part-way.',
			security: ["turnstile"],
			body: ChatRequestSchema,
			bodyExample: { messages: [{ role: "user", content: "What is AI Gateway?" }] },
			responses: {
				200: {
					description: "The answer.",
					json: ChatAnswer,
					example: {
						response: "AI Gateway sits between your app and AI providers.",
						aiGatewayLogId: "01JD6ZQ3S7G9A1B2C3D4E5F6G7",
						feedbackToken: "eyJ2IjoxfQ.c2lnbmF0dXJl",
						model: "@cf/meta/llama-3.1-8b-instruct-fast",
						provider: "workers-ai",
						cached: false,
					},
					media: {
						"text/event-stream":
							'With `stream: true`: `event: meta`, `{"response": delta}` events, then `data: [DONE]`.',
					},
					headers: {
						"cf-aig-log-id": "The gateway log of this answer.",
						"x-feedback-token": "Signs the vote on this answer.",
						"x-turnstile-pass": "A pass for the next requests, once a human check was verified.",
					},
				},
			},
			errors: [...RATE_LIMIT_ERRORS, ...HUMAN_CHECK_ERRORS, ...JSON_BODY_ERRORS, ...AI_CALL_ERRORS],
		},
	},
});

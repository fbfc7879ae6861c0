import * as v from "valibot";
import {
	AI_CALL_ERRORS,
	JSON_BODY_ERRORS,
	RATE_LIMIT_ERRORS,
	surfaceDoc,
} from "../../http/route-docs";
import { openAiRequestSchema } from "./schemas";

// /v1's OpenAPI declaration (scripts/openapi.mjs): never imported by the Worker.

const Usage = v.strictObject({
	prompt_tokens: v.number(),
	completion_tokens: v.number(),
	total_tokens: v.number(),
});

const ToolCall = v.strictObject({
	id: v.string(),
	type: v.literal("function"),
	function: v.strictObject({ name: v.string(), arguments: v.string() }),
});

const ChatCompletion = v.strictObject({
	id: v.pipe(v.string(), v.description("`chatcmpl-` and the gateway log id.")),
	object: v.literal("chat.completion"),
	created: v.number(),
	model: v.string(),
	choices: v.array(
		v.strictObject({
			index: v.number(),
			message: v.strictObject({
				role: v.literal("assistant"),
				content: v.nullable(v.string()),
				refusal: v.null(),
				tool_calls: v.optional(v.array(ToolCall)),
			}),
			logprobs: v.null(),
			finish_reason: v.pipe(
				v.string(),
				v.description(
					"stop, length, tool_calls, or content_filter when Guardrails blocked the answer.",
				),
			),
		}),
	),
	usage: v.optional(Usage),
});

const ModelList = v.strictObject({
	object: v.literal("list"),
	data: v.array(
		v.strictObject({
			id: v.string(),
			object: v.literal("model"),
			created: v.number(),
			owned_by: v.string(),
		}),
	),
});

export const openaiDoc = surfaceDoc({
	prefix: "/v1",
	tag: "openai",
	description:
		"OpenAI-compatible chat completions on the same models, limits and AI call path as /api/chat; errors in OpenAI's shape.",
	errorShape: "openai",
	routes: {
		"GET /models": {
			summary: "List the models (OpenAI's shape)",
			security: ["apiKey"],
			responses: { 200: { description: "ALLOWED_MODELS.", json: ModelList } },
			errors: ["unauthorized"],
		},
		"POST /chat/completions": {
			summary: "Create a chat completion",
			description:
				"OpenAI's request, as far as the models here support it: arguments that change the answer and that no model honours are refused (unsupported_parameter); the rest of OpenAI's arguments are taken and ignored. A prompt the Guardrails block is a 400 content_filter error; a blocked answer a completion with `finish_reason: content_filter`.",
			security: ["apiKey"],
			body: openAiRequestSchema(),
			bodyExample: {
				model: "@cf/meta/llama-3.1-8b-instruct-fast",
				messages: [{ role: "user", content: "What is AI Gateway?" }],
			},
			responses: {
				200: {
					description: "The completion.",
					json: ChatCompletion,
					media: {
						"text/event-stream":
							"With `stream: true`: `chat.completion.chunk` events, then `data: [DONE]`.",
					},
					headers: { "cf-aig-log-id": "The gateway log of this answer." },
				},
			},
			errors: [
				"unauthorized",
				...RATE_LIMIT_ERRORS,
				...JSON_BODY_ERRORS,
				"unsupported_parameter",
				...AI_CALL_ERRORS,
			],
		},
	},
});

import * as v from "valibot";
import { surfaceDoc } from "../../http/route-docs";

// GET /api/models's OpenAPI declaration (scripts/openapi.mjs): never imported by the Worker.

const Models = v.strictObject({
	default: v.pipe(v.string(), v.description("DEFAULT_MODEL: used when a request names none.")),
	models: v.array(
		v.strictObject({
			id: v.string(),
			kind: v.pipe(
				v.string(),
				v.description("Where the model runs: workers-ai, third-party or dynamic-route."),
			),
			default: v.boolean(),
		}),
	),
	limits: v.pipe(
		v.strictObject({
			bodyBytes: v.number(),
			messages: v.number(),
			contentChars: v.number(),
			maxTokens: v.number(),
			commentChars: v.number(),
			correctionChars: v.number(),
			score: v.strictObject({ min: v.number(), max: v.number() }),
		}),
		v.description("The request limits of /api/chat and /api/feedback."),
	),
	turnstile: v.pipe(
		v.nullable(v.strictObject({ siteKey: v.string(), action: v.string() })),
		v.description("What the page's Turnstile widget needs, when /api/chat asks for a human check."),
	),
});

export const modelsDoc = surfaceDoc({
	prefix: "/api/models",
	tag: "models",
	description: "The models and limits a client of /api/chat works with.",
	errorShape: "api",
	routes: {
		"GET /": {
			summary: "List the models and request limits",
			responses: {
				200: {
					description: "DEFAULT_MODEL first, then ALLOWED_MODELS in their order, and the limits.",
					json: Models,
				},
			},
			errors: [],
		},
	},
});

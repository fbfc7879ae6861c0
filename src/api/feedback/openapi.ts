import * as v from "valibot";
import { DELIVERY_STATES, VOTES } from "../../core/votes";
import { JSON_BODY_ERRORS, RATE_LIMIT_ERRORS, surfaceDoc } from "../../http/route-docs";
import { LogIdSchema } from "../../http/schemas";
import { FeedbackRequestSchema } from "./schemas";

// /api/feedback's OpenAPI declaration (scripts/openapi.mjs): never imported by the Worker.

const Time = v.pipe(v.string(), v.isoTimestamp());

const VoteStatus = v.strictObject({
	aiGatewayLogId: v.string(),
	feedback: v.picklist(VOTES),
	state: v.pipe(
		v.picklist(DELIVERY_STATES),
		v.description(
			"Delivery to the gateway's log: pending, delivered, failed (retries ran out) or refused.",
		),
	),
	attempts: v.number(),
	castAt: Time,
	deliveredAt: v.nullable(Time),
	nextAttemptAt: v.nullable(Time),
	error: v.nullable(v.string()),
});

export const feedbackDoc = surfaceDoc({
	prefix: "/api/feedback",
	tag: "feedback",
	description:
		"Votes on answers: stored by a Durable Object per log, ordered by `sequence`, and delivered to the gateway's log.",
	errorShape: "api",
	routes: {
		"POST /": {
			summary: "Vote on an answer",
			description:
				"`feedback` up or down (with an optional score and comment; a thumbs-down also with an optional `correction`, the answer the user expected, kept in the feedback store only, never on the gateway's log), or clear to withdraw the vote and all of these. Signed by the answer's feedbackToken.",
			body: FeedbackRequestSchema,
			bodyExample: {
				aiGatewayLogId: "01JD6ZQ3S7G9A1B2C3D4E5F6G7",
				token: "eyJ2IjoxfQ.c2lnbmF0dXJl",
				feedback: "up",
				score: 90,
				comment: "Clear and correct",
			},
			responses: {
				202: {
					description: "Stored; delivery to the gateway follows.",
					json: v.strictObject({ status: v.literal("accepted") }),
					example: { status: "accepted" },
				},
				200: {
					description: "An older vote than the one kept (by `sequence`): nothing changed.",
					json: v.strictObject({ status: v.literal("superseded"), vote: VoteStatus }),
				},
			},
			errors: [...RATE_LIMIT_ERRORS, "feedback_disabled", ...JSON_BODY_ERRORS, "invalid_token"],
		},
		"GET /:logId": {
			summary: "Read a vote's delivery",
			security: ["feedbackToken"],
			params: { logId: LogIdSchema },
			responses: {
				200: { description: "The vote and where its delivery stands.", json: VoteStatus },
			},
			errors: [
				...RATE_LIMIT_ERRORS,
				"feedback_disabled",
				"invalid_request",
				"unauthorized",
				"invalid_token",
				"not_found",
			],
		},
	},
});

import * as v from "valibot";
import { VOTES } from "../../core/votes";
import {
	GATEWAY_API_ERRORS,
	JSON_BODY_ERRORS,
	surfaceDoc,
	TEAM_AUTH_ERRORS,
} from "../../http/route-docs";
import { LogIdSchema } from "../../http/schemas";
import { ReplayRequestSchema } from "./schemas";

// The debug routes' OpenAPI declarations (scripts/openapi.mjs): never imported by the Worker.

const Time = v.pipe(v.string(), v.isoTimestamp());
const Replayed = v.strictObject({
	replayed: v.pipe(v.array(v.string()), v.description("The log ids replayed.")),
});
const REPLAY_EXAMPLE = { aiGatewayLogIds: ["01JD6ZQ3S7G9A1B2C3D4E5F6G7"] };

export const logsDoc = surfaceDoc({
	prefix: "/api/logs",
	tag: "debug",
	description: "Debug: the gateway's own records, guarded by DEBUG_TOKEN (404 while it is unset).",
	errorShape: "api",
	routes: {
		"GET /:logId": {
			summary: "Read the gateway's log of an answer",
			description: "The gateway's record as its binding returns it (getLog), feedback included.",
			security: ["debugToken", "cloudflareAccess"],
			params: { logId: LogIdSchema },
			responses: {
				200: {
					description: "The gateway's log (its fields are the gateway's).",
					json: v.looseObject({ id: v.string() }),
				},
			},
			errors: [
				...TEAM_AUTH_ERRORS,
				"invalid_request",
				"log_not_found",
				"logs_unsupported",
				...GATEWAY_API_ERRORS,
			],
		},
	},
});

export const deadLettersDoc = surfaceDoc({
	prefix: "/api/dead-letters",
	tag: "debug",
	description: "Debug: votes and answers given up on, and replaying them.",
	errorShape: "api",
	routes: {
		"GET /": {
			summary: "List the votes delivery gave up on",
			security: ["debugToken", "cloudflareAccess"],
			responses: {
				200: {
					description: "At most 1000 dead letters.",
					json: v.strictObject({
						deadLetters: v.array(
							v.strictObject({
								aiGatewayLogId: v.string(),
								gatewayId: v.string(),
								vote: v.picklist(VOTES),
								attempts: v.number(),
								reason: v.string(),
								failedAt: Time,
							}),
						),
					}),
				},
			},
			errors: TEAM_AUTH_ERRORS,
		},
		"POST /replay": {
			summary: "Replay dead-lettered votes",
			description: "Gives the votes named (every one, without ids) a fresh retry window.",
			security: ["debugToken", "cloudflareAccess"],
			body: ReplayRequestSchema,
			bodyExample: REPLAY_EXAMPLE,
			responses: { 200: { description: "The votes replayed.", json: Replayed } },
			errors: [...TEAM_AUTH_ERRORS, ...JSON_BODY_ERRORS],
		},
		"GET /answers": {
			summary: "List the answers the store's queue gave up on",
			description: "What each answer is, never its transcript.",
			security: ["debugToken", "cloudflareAccess"],
			responses: {
				200: {
					description: "At most 1000 dead-lettered answers.",
					json: v.strictObject({
						answers: v.array(
							v.strictObject({
								id: v.string(),
								deadAt: Time,
								readable: v.boolean(),
								createdAt: v.nullable(Time),
								model: v.nullable(v.string()),
								outcome: v.nullable(v.string()),
								hasTranscript: v.boolean(),
							}),
						),
					}),
				},
			},
			errors: TEAM_AUTH_ERRORS,
		},
		"POST /answers/replay": {
			summary: "Replay dead-lettered answers",
			description: "Sends the answers named (every one, without ids) to the store again.",
			security: ["debugToken", "cloudflareAccess"],
			body: ReplayRequestSchema,
			bodyExample: REPLAY_EXAMPLE,
			responses: { 200: { description: "The answers replayed.", json: Replayed } },
			errors: [...TEAM_AUTH_ERRORS, ...JSON_BODY_ERRORS],
		},
	},
});

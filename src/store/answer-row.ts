/**
 * One answer as the feedback store keeps it (the `answers` table), declared once: each field
 * and its type (its column is its name in snake_case). The writer (store/answers.ts), the
 * answers' queue message (answers/answer-queue.ts), the admin list and export
 * (store/feedback-rows.ts, in this order) and the seed scripts derive from it. Adding a field
 * to an answer: add it here, and a migration that adds its column (`npm run check` fails
 * until both agree). Imports only types, so scripts run it in Node as it is.
 */
import type { Columns, RowOf } from "../core/columns";

export const ANSWER_FIELDS = {
	aiGatewayLogId: { type: "text" },
	gatewayId: { type: "text" },
	/** The model that answered: a router's (the Auto Router's, an alias's) routed model. */
	servedModel: { type: "text" },
	requestedModel: { type: "text" },
	provider: { type: "text" },
	/** The path that answered: '/api/chat' or '/v1/chat/completions'. */
	route: { type: "text" },
	/** The gateway's step (cf-aig-step) that answered, when the answer came through fallback. */
	step: { type: "integer", nullable: true },
	streamed: { type: "flag" },
	/** 'complete', 'failed' (the model's stream broke off) or 'aborted' (the client went away). */
	outcome: { type: "text" },
	/** Why a router chose the served model (cf-aig-routing-reason); null for other models. */
	routingReason: { type: "text", nullable: true },
	/** The router's decision id (cf-aig-routing-decision-id), to look the choice up. */
	routingDecisionId: { type: "text", nullable: true },
	/** When the request arrived. */
	createdAt: { type: "integer" },
	ttfbMs: { type: "integer", nullable: true },
	totalMs: { type: "integer" },
	promptTokens: { type: "integer", nullable: true },
	completionTokens: { type: "integer", nullable: true },
	totalTokens: { type: "integer", nullable: true },
	cached: { type: "flag", nullable: true },
	/** The conversation sent, as JSON, when transcripts are stored in the row. */
	conversation: { type: "text", nullable: true },
	answerText: { type: "text", nullable: true },
	/** Where in R2 (TRANSCRIPTS) the transcript is, when it was too long for the row. */
	transcriptKey: { type: "text", nullable: true },
} as const satisfies Columns;

export type AnswerRow = RowOf<typeof ANSWER_FIELDS>;

/**
 * One answer as the feedback store keeps it (the `answers` table), declared once: each field,
 * its column and its type. The writer (store/answers.ts), the answers' queue message
 * (answers/answer-queue.ts), the admin list and export (store/feedback-rows.ts, in this
 * order) and the seed scripts derive from it. Adding a field to an answer: add it here, and a
 * migration that adds its column (`npm run check` fails until both agree). Imports only
 * types, so scripts run it in Node as it is.
 */
import type { Columns, RowOf } from "../core/columns";

export const ANSWER_FIELDS = {
	aiGatewayLogId: { column: "ai_gateway_log_id", type: "text" },
	gatewayId: { column: "gateway_id", type: "text" },
	/** The model that answered: a router's (the Auto Router's, an alias's) routed model. */
	servedModel: { column: "served_model", type: "text" },
	requestedModel: { column: "requested_model", type: "text" },
	provider: { column: "provider", type: "text" },
	/** The path that answered: '/api/chat' or '/v1/chat/completions'. */
	route: { column: "route", type: "text" },
	/** The gateway's step (cf-aig-step) that answered, when the answer came through fallback. */
	step: { column: "step", type: "integer", nullable: true },
	streamed: { column: "streamed", type: "flag" },
	/** 'complete', 'failed' (the model's stream broke off) or 'aborted' (the client went away). */
	outcome: { column: "outcome", type: "text" },
	/** Why a router chose the served model (cf-aig-routing-reason); null for other models. */
	routingReason: { column: "routing_reason", type: "text", nullable: true },
	/** The router's decision id (cf-aig-routing-decision-id), to look the choice up. */
	routingDecisionId: { column: "routing_decision_id", type: "text", nullable: true },
	/** When the request arrived. */
	createdAt: { column: "created_at", type: "integer" },
	ttfbMs: { column: "ttfb_ms", type: "integer", nullable: true },
	totalMs: { column: "total_ms", type: "integer" },
	promptTokens: { column: "prompt_tokens", type: "integer", nullable: true },
	completionTokens: { column: "completion_tokens", type: "integer", nullable: true },
	totalTokens: { column: "total_tokens", type: "integer", nullable: true },
	cached: { column: "cached", type: "flag", nullable: true },
	/** The conversation sent, as JSON, when transcripts are stored in the row. */
	conversation: { column: "conversation", type: "text", nullable: true },
	answerText: { column: "answer_text", type: "text", nullable: true },
	/** Where in R2 (TRANSCRIPTS) the transcript is, when it was too long for the row. */
	transcriptKey: { column: "transcript_key", type: "text", nullable: true },
} as const satisfies Columns;

export type AnswerRow = RowOf<typeof ANSWER_FIELDS>;

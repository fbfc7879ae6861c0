import type { Context } from "hono";
import type { AnswerOutcome, ChatInput, Served, Usage } from "../core/chat";
import type { StreamObserver } from "../gateway/model-stream";
import type { AppEnv } from "../http/app-env";
import { sampled, sendForJudging } from "../judge/judge";
import { storeAnswer } from "./answer-queue";

interface Ending {
	outcome: AnswerOutcome;
	/** Unset: the same as the total (a JSON answer). Null: no text came. */
	ttfbMs?: number | null;
	usage?: Usage;
	text: string;
	cached?: boolean;
}

/**
 * Records the answers of one request in the feedback store (FEEDBACK_DB) without delaying
 * them: a JSON answer once it is complete, a stream when it ends, however it ends, through
 * the answers' queue when one is bound (answer-queue.ts). A failed write is logged, never
 * the client's problem. Made when the request starts, so the times count from there.
 */
export function answerRecorder(c: Context<AppEnv>, input: ChatInput) {
	const db = c.env.FEEDBACK_DB;
	const started = Date.now();
	const { gatewayId, storeTranscripts } = c.var.config;
	// Drawn now, so that a judged stream keeps its text even when transcripts are not stored.
	const judged = sampled(c.env, c.var.config);

	const save = (served: Served, streamed: boolean, ending: Ending) => {
		if (!db || !served.aiGatewayLogId) return;
		// Measured now, not when the write runs; a JSON answer's first byte is its last.
		const totalMs = Date.now() - started;
		const { outcome, ttfbMs, usage, text, cached } = ending;
		const { aiGatewayLogId, model } = served;
		// Only complete answers with text: a reply of tool calls alone has nothing to grade.
		if (judged && outcome === "complete" && text)
			c.executionCtx.waitUntil(
				sendForJudging(c.env, {
					aiGatewayLogId,
					gatewayId,
					servedModel: model,
					createdAt: started,
					messages: input.messages,
					answer: text,
				}),
			);
		c.executionCtx.waitUntil(
			storeAnswer(c.env, {
				aiGatewayLogId: served.aiGatewayLogId,
				gatewayId,
				createdAt: started,
				route: input.route,
				requestedModel: input.model,
				servedModel: served.model,
				provider: served.provider,
				step: served.step,
				routingReason: served.routing?.reason ?? null,
				routingDecisionId: served.routing?.decisionId ?? null,
				streamed,
				outcome,
				ttfbMs: ttfbMs === undefined ? totalMs : ttfbMs,
				totalMs,
				promptTokens: usage?.prompt_tokens ?? null,
				completionTokens: usage?.completion_tokens ?? null,
				totalTokens: usage?.total_tokens ?? null,
				cached: cached ?? null,
				conversation: storeTranscripts ? JSON.stringify(input.messages) : null,
				answerText: storeTranscripts ? text : null,
				transcriptKey: null,
			}),
		);
	};

	return {
		/**
		 * A JSON answer, recorded once: `complete` when the model's whole answer is in, or
		 * `aborted` the moment its client leaves (the request's signal fires) after the model
		 * started answering. Before that no log id is known, and nothing is recorded. Recorded
		 * in the signal's own event: the runtime may drop the request's work right after it.
		 */
		json() {
			const signal = c.req.raw.signal;
			let recorded = false;
			let abandoned = () => {};
			return {
				/** The model started answering: who serves it, and its log id. */
				started(served: Served) {
					abandoned = () => {
						if (recorded) return;
						recorded = true;
						save(served, false, { outcome: "aborted", ttfbMs: null, text: "" });
					};
					if (signal.aborted) abandoned();
					else signal.addEventListener("abort", abandoned, { once: true });
				},
				complete(answer: Served & { response: string; usage?: Usage; cached: boolean }) {
					signal.removeEventListener("abort", abandoned);
					if (recorded) return;
					recorded = true;
					save(answer, false, {
						outcome: "complete",
						usage: answer.usage,
						text: answer.response,
						cached: answer.cached,
					});
				},
			};
		},
		/** The observer of a model stream: it records the answer when the stream ends. */
		stream(served: Served): StreamObserver {
			let ttfbMs: number | null = null;
			let text = "";
			return {
				delta(delta) {
					ttfbMs ??= Date.now() - started;
					if (storeTranscripts || judged) text += delta;
				},
				end(outcome, usage) {
					save(served, true, { outcome, ttfbMs, usage, text });
				},
			};
		},
	};
}

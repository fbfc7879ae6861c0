import type { Context } from "hono";
import type { ChatInput } from "../gateway/inference";
import type { Usage } from "../gateway/model-output";
import { type StreamOutcome, watchModelStream } from "../gateway/stream-watch";
import type { AppEnv } from "../http/app-env";
import { logStoreError } from "./db";

/** Who served an answer. `provider` and `step` are filled in by inference when it knows them. */
export interface ServedBy {
	model: string;
	aiGatewayLogId: string | null;
	provider?: string;
	/** The gateway's step (cf-aig-step) that answered. */
	step?: number | null;
	cached?: boolean;
}

interface Ending {
	outcome: StreamOutcome;
	/** Unset: the same as the total (a JSON answer). Null: no text came. */
	ttfbMs?: number | null;
	usage?: Usage;
	text: string;
}

const INSERT = `INSERT INTO answers (ai_gateway_log_id, gateway_id, created_at, route, requested_model,
served_model, provider, step, streamed, outcome, ttfb_ms, total_ms, prompt_tokens, completion_tokens,
total_tokens, cached, conversation, answer_text) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
ON CONFLICT (ai_gateway_log_id) DO NOTHING`;

/**
 * Records answers in the feedback store (FEEDBACK_DB) without delaying them: JSON answers
 * once they are complete, streams when they end. A failed write is logged, never the
 * client's problem. Call it when the request starts, so the times count from there.
 */
export function answerRecorder(c: Context<AppEnv>, input: ChatInput) {
	const db = c.env.FEEDBACK_DB;
	const started = Date.now();
	const { gatewayId, storeTranscripts } = c.var.config;
	const route = c.req.path.startsWith("/v1") ? "/v1" : "/api/chat";

	const save = (served: ServedBy, streamed: boolean, { outcome, ttfbMs, usage, text }: Ending) => {
		if (!db || !served.aiGatewayLogId) return;
		// Measured now, not when the write runs; a JSON answer's first byte is its last.
		const totalMs = Date.now() - started;
		const row = [
			served.aiGatewayLogId,
			gatewayId,
			started,
			route,
			input.model,
			served.model,
			served.provider ?? "workers-ai",
			served.step ?? null,
			streamed ? 1 : 0,
			outcome,
			ttfbMs === undefined ? totalMs : ttfbMs,
			totalMs,
			usage?.prompt_tokens ?? null,
			usage?.completion_tokens ?? null,
			usage?.total_tokens ?? null,
			served.cached === undefined ? null : served.cached ? 1 : 0,
			storeTranscripts ? JSON.stringify(input.messages) : null,
			storeTranscripts ? text : null,
		];
		c.executionCtx.waitUntil(writeSoon(db, row));
	};

	return {
		/** A complete JSON answer: its first byte is its last. */
		complete(answer: ServedBy & { response: string; usage?: Usage }) {
			save(answer, false, {
				outcome: "complete",
				usage: answer.usage,
				text: answer.response,
			});
		},
		/** A model stream: recorded when it ends, however it ends. */
		stream(body: ReadableStream<Uint8Array>, served: ServedBy) {
			let ttfbMs: number | null = null;
			let text = "";
			watchModelStream(body, {
				delta(delta) {
					ttfbMs ??= Date.now() - started;
					if (storeTranscripts) text += delta;
				},
				end(outcome, usage) {
					save(served, true, { outcome, ttfbMs, usage, text });
				},
			});
		},
	};
}

/** How long the first answer of a batch waits for others to join it, and the most that join. */
export const ANSWER_BATCH = { gatherMs: 10, maxRows: 50 };

/** Rows of answers; each row's first value is its log id. */
type Batch = unknown[][];

/** The batch of each database that answers can still join. */
const gathering = new WeakMap<D1Database, Batch>();

/**
 * Writes an answer's row together with those of answers that end within
 * ANSWER_BATCH.gatherMs of it, in one D1 batch: one round trip and one transaction for
 * all of them, where D1 runs one query at a time per database. The request that opens a
 * batch writes it, in its own context; the others only add their rows. Never throws.
 */
async function writeSoon(db: D1Database, row: unknown[]): Promise<void> {
	const open = gathering.get(db);
	if (open && open.length < ANSWER_BATCH.maxRows) {
		open.push(row);
		return;
	}
	const batch: Batch = [row];
	gathering.set(db, batch);
	await scheduler.wait(ANSWER_BATCH.gatherMs);
	if (gathering.get(db) === batch) gathering.delete(db);
	try {
		await db.batch(batch.map((values) => db.prepare(INSERT).bind(...values)));
	} catch (err) {
		for (const [aiGatewayLogId] of batch)
			logStoreError("record answer", String(aiGatewayLogId))(err);
	}
}

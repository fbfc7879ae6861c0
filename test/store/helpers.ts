/** Helpers for the feedback store's tests: the real test D1 (FEEDBACK_DB), polled and seeded. */
import { env } from "cloudflare:workers";
import type { DeliveryState, Vote } from "../../src/core/votes";
import { latencyBucket } from "../../src/store/rollups";

export const TEST_ADMIN_TOKEN = "test-admin-token-0123456789abcdefghij";
export const db = () => env.FEEDBACK_DB;

export type StoreRow = Record<string, string | number | null>;

/** Polls until `sql` finds a row that `accept` takes (writes happen after the answer). */
export async function waitForRow(
	sql: string,
	params: unknown[],
	accept: (row: StoreRow) => boolean = () => true,
	timeoutMs = 10_000,
): Promise<StoreRow> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const row = await db()
			.prepare(sql)
			.bind(...params)
			.first<StoreRow>();
		if (row && accept(row)) return row;
		if (Date.now() > deadline)
			throw new Error(
				`no matching row for ${sql} ${JSON.stringify(params)}: ${JSON.stringify(row)}`,
			);
		await scheduler.wait(25);
	}
}

export const answerRow = (aiGatewayLogId: string, accept?: (row: StoreRow) => boolean) =>
	waitForRow("SELECT * FROM answers WHERE ai_gateway_log_id = ?", [aiGatewayLogId], accept);

export const voteRow = (aiGatewayLogId: string, accept?: (row: StoreRow) => boolean) =>
	waitForRow("SELECT * FROM votes WHERE ai_gateway_log_id = ?", [aiGatewayLogId], accept);

export interface SeedAnswer {
	id: string;
	model: string;
	createdAt: number;
	totalMs?: number;
	ttfbMs?: number;
	vote?: Vote;
	score?: number;
	comment?: string;
	state?: DeliveryState;
	refused?: boolean;
	votedAt?: number;
	conversation?: unknown;
	answer?: string;
	/** A router's answer: the model asked for (`cloudflare/auto`), `model` being its pick. */
	router?: string;
	reason?: string;
	/** total_tokens; 30 unless given. */
	tokens?: number | null;
}

/** Writes answers and votes straight into the store, as the Worker and the objects would. */
export async function seed(rows: SeedAnswer[]): Promise<void> {
	const statements = rows.flatMap((row) => {
		const answer = db()
			.prepare(
				`INSERT INTO answers (ai_gateway_log_id, gateway_id, created_at, route, requested_model,
served_model, provider, streamed, outcome, ttfb_ms, total_ms, prompt_tokens, completion_tokens,
total_tokens, cached, conversation, answer_text, latency_bucket, routing_reason) VALUES (?, 'seed', ?,
'/api/chat', ?, ?, 'workers-ai', 1, 'complete', ?, ?, 10, 20, ?, 0, ?, ?, ?, ?)`,
			)
			.bind(
				row.id,
				row.createdAt,
				row.router ?? row.model,
				row.model,
				row.ttfbMs ?? null,
				row.totalMs ?? null,
				row.tokens === undefined ? 30 : row.tokens,
				row.conversation === undefined ? null : JSON.stringify(row.conversation),
				row.answer ?? null,
				row.totalMs === undefined ? null : latencyBucket(row.totalMs),
				row.reason ?? null,
			);
		if (!row.vote) return [answer];
		const votedAt = row.votedAt ?? row.createdAt + 1000;
		const state = row.state ?? "delivered";
		const vote = db()
			.prepare(
				`INSERT INTO votes (ai_gateway_log_id, gateway_id, vote, score, comment, sequence, revision,
version, state, refused, attempts, created_at, cast_at, delivered_at, error, updated_at)
VALUES (?, 'seed', ?, ?, ?, 1, 1, 2, ?, ?, 1, ?, ?, ?, ?, ?)`,
			)
			.bind(
				row.id,
				row.vote,
				row.score ?? null,
				row.comment ?? null,
				state,
				row.refused ? 1 : 0,
				votedAt,
				votedAt,
				state === "delivered" ? votedAt + 50 : null,
				row.refused ? "the gateway rejected the vote (400)" : null,
				votedAt,
			);
		return [answer, vote];
	});
	for (let i = 0; i < statements.length; i += 100) await db().batch(statements.slice(i, i + 100));
}

/** A model name of the test's own, so tests sharing the D1 never see each other's rows. */
export const testModel = (name = "model") => `@test/${name}-${crypto.randomUUID().slice(0, 8)}`;

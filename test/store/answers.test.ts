/** The feedback store records each answer: JSON and streams, both APIs, transcripts only when asked. */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { emulatedAnswer } from "../../emulator/src/index.ts";
import { ANSWER_BATCH } from "../../src/store/answers";
import { type ChatJson, createHarness, readEvents } from "../harness";
import { answerRow, db } from "./helpers";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
/** The queue-less path: what a deployment without Queues runs. */
const WITHOUT_QUEUE = { ANSWERS_QUEUE: undefined } as unknown as Partial<Cloudflare.Env>;
const GPT_OSS = "@cf/openai/gpt-oss-120b";

/** The real D1 with its `batch` replaced. */
const withBatch = (
	target: D1Database,
	batch: (statements: D1PreparedStatement[]) => Promise<D1Result[]>,
) =>
	new Proxy(target, {
		get: (db, key) => {
			if (key === "batch") return batch;
			const value = Reflect.get(db, key);
			return typeof value === "function" ? value.bind(db) : value;
		},
	});

/** The real D1, noting the rows each batch written to it stored (its statements' changes). */
function countingBatches() {
	const sizes: number[] = [];
	// Rows added to answers by each batch: D1's `changes` also counts the rows the rollups'
	// triggers update, so the table is counted before and after instead.
	const count = async () =>
		(await env.FEEDBACK_DB.prepare("SELECT COUNT(*) AS n FROM answers").first<{ n: number }>())
			?.n ?? 0;
	const counting = withBatch(env.FEEDBACK_DB, async (statements) => {
		const before = await count();
		const results = await env.FEEDBACK_DB.batch(statements);
		sizes.push((await count()) - before);
		return results;
	});
	return { db: counting, sizes };
}

describe("the feedback store records answers", () => {
	it("a JSON answer: models, provider, route, times, usage, no transcript by default", async () => {
		const harness = createHarness({ responseDelayMs: 30 });
		const res = await harness.ask("Record me");
		const body = (await res.json()) as ChatJson;
		const row = await answerRow(body.aiGatewayLogId as string);
		expect(row).toMatchObject({
			gateway_id: env.AI_GATEWAY_ID,
			route: "/api/chat",
			requested_model: LLAMA,
			served_model: LLAMA,
			provider: "workers-ai",
			step: null,
			streamed: 0,
			outcome: "complete",
			prompt_tokens: body.usage?.prompt_tokens,
			completion_tokens: body.usage?.completion_tokens,
			total_tokens: body.usage?.total_tokens,
			cached: 0,
			conversation: null,
			answer_text: null,
		});
		expect(row.total_ms).toBeGreaterThanOrEqual(30);
		// A JSON answer's first byte is its last.
		expect(row.ttfb_ms).toBe(row.total_ms);
		expect(Math.abs(Number(row.created_at) - Date.now())).toBeLessThan(60_000);
	});

	it("a stream, at its end: time to the first text apart from the total, and usage", async () => {
		const harness = createHarness({ tokenDelayMs: 15 });
		const res = await harness.ask("Stream and record me", { stream: true, model: GPT_OSS });
		const events = await readEvents(res);
		const aiGatewayLogId = JSON.parse(events[0]?.data ?? "{}").aiGatewayLogId as string;
		const row = await answerRow(aiGatewayLogId);
		expect(row).toMatchObject({
			route: "/api/chat",
			served_model: GPT_OSS,
			streamed: 1,
			outcome: "complete",
			conversation: null,
			answer_text: null,
		});
		expect(row.prompt_tokens).toBeGreaterThan(0);
		expect(row.completion_tokens).toBeGreaterThan(0);
		expect(Number(row.ttfb_ms)).toBeGreaterThanOrEqual(15);
		expect(Number(row.total_ms)).toBeGreaterThan(Number(row.ttfb_ms));
	});

	it("OpenAI-compatible answers, JSON and stream, under the route /v1/chat/completions", async () => {
		const harness = createHarness();
		const json = await harness.postJson("/v1/chat/completions", {
			model: LLAMA,
			messages: [{ role: "user", content: "Hi from an SDK" }],
		});
		const streamed = await harness.postJson("/v1/chat/completions", {
			model: LLAMA,
			messages: [{ role: "user", content: "Hi from an SDK, streaming" }],
			stream: true,
			stream_options: { include_usage: true },
		});
		await readEvents(streamed);
		for (const [res, flag] of [
			[json, 0],
			[streamed, 1],
		] as const) {
			const row = await answerRow(res.headers.get("cf-aig-log-id") as string);
			expect(row).toMatchObject({
				route: "/v1/chat/completions",
				streamed: flag,
				outcome: "complete",
			});
		}
	});

	it("keeps the conversation and the answer's text only with STORE_TRANSCRIPTS=true", async () => {
		const harness = createHarness({}, { STORE_TRANSCRIPTS: "true" });
		const messages = [
			{ role: "system", content: "Be brief." },
			{ role: "user", content: "Keep this transcript" },
		];
		const json = (await (await harness.chat({ messages })).json()) as ChatJson;
		const stream = await readEvents(await harness.chat({ messages, stream: true }));
		const streamLogId = JSON.parse(stream[0]?.data ?? "{}").aiGatewayLogId as string;
		for (const aiGatewayLogId of [json.aiGatewayLogId as string, streamLogId]) {
			const row = await answerRow(aiGatewayLogId);
			expect(JSON.parse(String(row.conversation))).toEqual(messages);
			expect(row.answer_text).toBe(emulatedAnswer(LLAMA, messages));
		}
	});

	it("marks a stream the model broke off as failed, and one the client left as aborted", async () => {
		const failing = createHarness({ streamFailureAfterTokens: 3 });
		const broken = await readEvents(await failing.ask("Break", { stream: true }));
		const brokenId = JSON.parse(broken[0]?.data ?? "{}").aiGatewayLogId as string;
		expect(await answerRow(brokenId)).toMatchObject({ outcome: "failed", streamed: 1 });

		const slow = createHarness({ tokenDelayMs: 50 });
		const res = await slow.ask("Leave me", { stream: true, max_tokens: 50 });
		const aiGatewayLogId = res.headers.get("cf-aig-log-id") as string;
		const reader = res.body?.getReader();
		await reader?.read();
		await reader?.read();
		await reader?.cancel();
		const row = await answerRow(aiGatewayLogId);
		expect(row).toMatchObject({ outcome: "aborted", streamed: 1 });
		expect(Number(row.total_ms)).toBeLessThan(50 * 50);
	});

	describe("without a queue (ANSWERS_QUEUE unbound), the Worker writes them itself", () => {
		it("answers at once while the store is slow, and records the answer afterwards", async () => {
			let release = () => {};
			const held = new Promise<void>((resolve) => {
				release = resolve;
			});
			// The real D1, behind a gate that holds every write until the test opens it.
			const slowDb = withBatch(env.FEEDBACK_DB, async (statements) => {
				await held;
				return env.FEEDBACK_DB.batch(statements);
			});
			const harness = createHarness({}, { FEEDBACK_DB: slowDb, ...WITHOUT_QUEUE });
			const res = await harness.ask("Do not wait for the store");
			expect(res.status).toBe(200);
			const { aiGatewayLogId } = (await res.json()) as ChatJson;
			const before = await db()
				.prepare("SELECT 1 FROM answers WHERE ai_gateway_log_id = ?")
				.bind(aiGatewayLogId)
				.first();
			expect(before).toBeNull();
			release();
			expect(await answerRow(aiGatewayLogId as string)).toMatchObject({ outcome: "complete" });
		});

		it("never fails a chat when the store fails, and logs no transcript", async () => {
			const errors = vi.spyOn(console, "error");
			const failingDb = new Proxy(env.FEEDBACK_DB, {
				get: (target, key) =>
					key === "prepare"
						? () => {
								throw new Error("D1_ERROR: emulated outage");
							}
						: Reflect.get(target, key),
			});
			const harness = createHarness(
				{},
				{
					FEEDBACK_DB: failingDb,
					STORE_TRANSCRIPTS: "true",
					...WITHOUT_QUEUE,
				},
			);
			const res = await harness.ask("A secret question");
			expect(res.status).toBe(200);
			const streamed = await harness.ask("Another secret question", { stream: true });
			expect(streamed.status).toBe(200);
			expect((await readEvents(streamed)).at(-1)?.data).toBe("[DONE]");
			await vi.waitFor(() => expect(errors).toHaveBeenCalledTimes(2));
			const logged = errors.mock.calls.map((call) => String(call[0])).join("\n");
			expect(logged).toContain("feedback store: record answer failed");
			expect(logged).not.toContain("secret question");
			errors.mockRestore();
		});

		describe("in batches", () => {
			const { gatherMs } = ANSWER_BATCH;
			afterEach(() => {
				ANSWER_BATCH.gatherMs = gatherMs;
			});

			it("writes the answers that end together in one batch, up to its most rows", async () => {
				// Wide enough that every answer below ends within it, even on a busy machine.
				ANSWER_BATCH.gatherMs = 1_000;
				const { db: countingDb, sizes } = countingBatches();
				const harness = createHarness({}, { FEEDBACK_DB: countingDb, ...WITHOUT_QUEUE });
				const count = ANSWER_BATCH.maxRows + 5;
				const bodies = await Promise.all(
					Array.from({ length: count }, async (_, i) => {
						// One client each, so the chat rate limit lets them all through.
						const headers = { "cf-connecting-ip": `batch-${i}-${crypto.randomUUID()}` };
						const res = await harness.chat(
							{ messages: [{ role: "user", content: `Batch ${i}` }] },
							{ headers },
						);
						return (await res.json()) as ChatJson;
					}),
				);
				for (const body of bodies) await answerRow(body.aiGatewayLogId as string);
				expect(sizes.sort((a, b) => b - a)).toEqual([ANSWER_BATCH.maxRows, 5]);
			});

			it("writes an answer alone when no other ends within the window", async () => {
				const { db: countingDb, sizes } = countingBatches();
				const harness = createHarness({}, { FEEDBACK_DB: countingDb, ...WITHOUT_QUEUE });
				const first = (await (await harness.ask("One")).json()) as ChatJson;
				await answerRow(first.aiGatewayLogId as string);
				const second = (await (await harness.ask("Two")).json()) as ChatJson;
				await answerRow(second.aiGatewayLogId as string);
				expect(sizes).toEqual([1, 1]);
			});
		});
	});
});

/**
 * Answers through the queue (wrangler.jsonc's ANSWERS_QUEUE, run by Miniflare): one message
 * per answer, a batch written in one D1 batch, idempotent, retried, dead-lettered and
 * replayed; long transcripts in R2 and back out through the export.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ANSWERS_DEAD_LETTER_QUEUE } from "../../src/answers/answer-queue";
import { ANSWERS_WRITTEN } from "../../src/core/log";
import worker from "../../src/index";
import type { AnswerRow } from "../../src/store/answers";
import { TRANSCRIPT_IN_ROW_BYTES } from "../../src/store/transcripts";
import { type ChatJson, createHarness, TEST_DEBUG_TOKEN } from "../harness";
import { answerRow, db, TEST_ADMIN_TOKEN, testModel } from "../store/helpers";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const debugAuth = { authorization: `Bearer ${TEST_DEBUG_TOKEN}` };

/** An answer's row as the Worker would queue it. */
const row = (model: string, i: number, extra: Partial<AnswerRow> = {}): AnswerRow => ({
	aiGatewayLogId: `${model.slice(6)}-${String(i).padStart(4, "0")}`,
	gatewayId: "queue-test",
	createdAt: Date.now(),
	route: "/api/chat",
	requestedModel: model,
	servedModel: model,
	provider: "workers-ai",
	step: null,
	routingReason: null,
	routingDecisionId: null,
	streamed: true,
	outcome: "complete",
	ttfbMs: 10,
	totalMs: 20 + i,
	promptTokens: 1,
	completionTokens: 2,
	totalTokens: 3,
	cached: false,
	conversation: null,
	answerText: null,
	transcriptKey: null,
	...extra,
});

const countOf = async (model: string) =>
	(
		await db()
			.prepare("SELECT COUNT(*) AS n FROM answers WHERE served_model = ?")
			.bind(model)
			.first<{ n: number }>()
	)?.n ?? 0;

/** Waits until the store holds `count` answers of `model`. */
const stored = (model: string, count: number) =>
	vi.waitFor(
		async () => {
			expect(await countOf(model)).toBe(count);
		},
		{ timeout: 15_000, interval: 50 },
	);

/** The "answers written" log lines (one per D1 batch) printed while `console.log` was spied on. */
const writtenLines = (spy: { mock: { calls: unknown[][] } }) =>
	spy.mock.calls
		.map(([line]) => (typeof line === "string" && line.startsWith("{") ? JSON.parse(line) : {}))
		.filter((fields) => fields.message === ANSWERS_WRITTEN);

const debugJson = async <T>(path: string, init: RequestInit = {}) => {
	const res = await createHarness().call(path, {
		...init,
		headers: { ...debugAuth, "content-type": "application/json", ...init.headers },
	});
	expect(res.status, await res.clone().text()).toBe(200);
	return (await res.json()) as T;
};

interface DeadAnswer {
	id: string;
	readable: boolean;
	model: string | null;
	hasTranscript: boolean;
}
const deadAnswers = async () =>
	(await debugJson<{ answers: DeadAnswer[] }>("/api/dead-letters/answers")).answers;

describe("answers through the queue", () => {
	const original = worker.queue;
	afterEach(() => {
		worker.queue = original;
	});

	it("a chat answer goes through the queue: the request never touches D1, the consumer writes the row", async () => {
		// The request's own D1 fails on any use: only the queue's consumer (the Worker's real
		// env) can have written the row.
		const untouchable = new Proxy(env.FEEDBACK_DB, {
			get: (target, key) =>
				key === "prepare" || key === "batch"
					? () => {
							throw new Error("the request path used D1");
						}
					: Reflect.get(target, key),
		});
		const errors = vi.spyOn(console, "error");
		const harness = createHarness({}, { FEEDBACK_DB: untouchable });
		const body = (await (await harness.ask("Queue me")).json()) as ChatJson;
		expect(await answerRow(body.aiGatewayLogId as string)).toMatchObject({
			served_model: LLAMA,
			outcome: "complete",
			transcript_key: null,
		});
		expect(errors.mock.calls.map(String).join("\n")).not.toContain("the request path used D1");
		errors.mockRestore();
	});

	it("writes a batch of up to 100 messages with one D1 batch of one statement", async () => {
		const model = testModel("batch");
		const logged = vi.spyOn(console, "log");
		const messages = Array.from({ length: 105 }, (_, i) => ({
			body: row(model, i),
			contentType: "json" as const,
		}));
		// A sendBatch takes at most 100 messages.
		await env.ANSWERS_QUEUE.sendBatch(messages.slice(0, 100));
		await env.ANSWERS_QUEUE.sendBatch(messages.slice(100));
		await stored(model, 105);
		// 100 then 5: Miniflare delivers a full batch at once, the rest after max_batch_timeout.
		// Each batch logs one line with its rows, statements and time (the bench counts them).
		const lines = writtenLines(logged).filter((fields) => fields.via === "queue");
		logged.mockRestore();
		expect(lines.map(({ rows, statements }) => ({ rows, statements }))).toEqual([
			{ rows: 100, statements: 1 },
			{ rows: 5, statements: 1 },
		]);
		for (const line of lines) {
			expect(line.rowsWritten).toBeGreaterThanOrEqual(line.rows);
			expect(line.ms).toBeGreaterThanOrEqual(0);
		}
	});

	it("is idempotent: a redelivered batch changes nothing that is stored", async () => {
		const model = testModel("again");
		const first = Array.from({ length: 3 }, (_, i) => row(model, i));
		const deliver = async (rows: AnswerRow[]) => {
			const batch = createMessageBatch(
				"ai-gateway-feedback-chat-answers",
				rows.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
			);
			const ctx = createExecutionContext();
			await worker.queue(batch, env);
			return getQueueResult(batch, ctx);
		};
		expect((await deliver(first)).explicitAcks).toEqual(["m0", "m1", "m2"]);
		// The same answers again, as a redelivery after a lost ack would bring them, even
		// with different contents: the rows stay as first written.
		const again = await deliver(first.map((each) => ({ ...each, outcome: "aborted", totalMs: 1 })));
		expect(again.explicitAcks).toEqual(["m0", "m1", "m2"]);
		const { results } = await db()
			.prepare("SELECT outcome, total_ms FROM answers WHERE served_model = ? ORDER BY total_ms")
			.bind(model)
			.all();
		expect(results).toEqual(
			[20, 21, 22].map((total) => ({ outcome: "complete", total_ms: total })),
		);
	});

	it("retries the whole batch with backoff when D1 fails, and acknowledges nothing", async () => {
		const failing = new Proxy(env.FEEDBACK_DB, {
			get: (target, key) =>
				key === "batch"
					? () => Promise.reject(new Error("D1_ERROR: emulated outage"))
					: Reflect.get(target, key),
		});
		const model = testModel("retry");
		const batch = createMessageBatch(
			"ai-gateway-feedback-chat-answers",
			[0, 1].map((i) => ({ id: `r${i}`, timestamp: new Date(), attempts: 6, body: row(model, i) })),
		);
		const retries = batch.messages.map((message) => vi.spyOn(message, "retry"));
		const ctx = createExecutionContext();
		const errors = vi.spyOn(console, "error");
		// The production retry policy: a 2 s base doubling per attempt, up to 60 s.
		await worker.queue(batch, { ...env, FEEDBACK_DB: failing, FEEDBACK_RETRY_BASE_MS: "2000" });
		const result = await getQueueResult(batch, ctx);
		expect(result.explicitAcks).toEqual([]);
		expect(result.retryMessages.map((message) => message.msgId)).toEqual(["r0", "r1"]);
		// Attempt 6: between half and all of min(60 s, 2 s x 2^5), the same for the whole batch.
		const delays = retries.map((retry) => retry.mock.calls[0]?.[0]?.delaySeconds);
		expect(new Set(delays).size).toBe(1);
		expect(delays[0]).toBeGreaterThanOrEqual(30);
		expect(delays[0]).toBeLessThanOrEqual(60);
		expect(errors.mock.calls.map(String).join("\n")).toContain(
			"feedback store: answer batch failed, retrying",
		);
		errors.mockRestore();
		expect(await countOf(model)).toBe(0);
	});

	it("dead-letters a batch after max_retries, lists it without its transcript, and replays it", async () => {
		const model = testModel("dead");
		let failing = true;
		worker.queue = (batch, batchEnv) => {
			if (failing && batch.queue !== ANSWERS_DEAD_LETTER_QUEUE)
				return Promise.reject(new Error("emulated consumer crash"));
			return original(batch, batchEnv);
		};
		await env.ANSWERS_QUEUE.sendBatch(
			[0, 1].map((i) => ({
				body: row(model, i, {
					conversation: '[{"role":"user","content":"private"}]',
					answerText: "x",
				}),
				contentType: "json" as const,
			})),
		);
		const dead = await vi.waitFor(
			async () => {
				const letters = (await deadAnswers()).filter((letter) => letter.model === model);
				expect(letters).toHaveLength(2);
				return letters;
			},
			{ timeout: 15_000, interval: 100 },
		);
		expect(dead.every((letter) => letter.readable && letter.hasTranscript)).toBe(true);
		expect(JSON.stringify(dead)).not.toContain("private");
		expect(await countOf(model)).toBe(0);

		failing = false;
		const ids = dead.map((letter) => letter.id).sort();
		const replay = (aiGatewayLogIds: string[]) =>
			debugJson<{ replayed: string[] }>("/api/dead-letters/answers/replay", {
				method: "POST",
				body: JSON.stringify({ aiGatewayLogIds }),
			});
		// The one named alone: the other stays a dead letter.
		expect((await replay(ids.slice(0, 1))).replayed).toEqual(ids.slice(0, 1));
		await stored(model, 1);
		expect(
			(await deadAnswers()).filter((letter) => letter.model === model).map(({ id }) => id),
		).toEqual(ids.slice(1));
		expect((await replay(ids)).replayed).toEqual(ids.slice(1));
		await stored(model, 2);
		expect((await deadAnswers()).filter((letter) => letter.model === model)).toEqual([]);
	});

	it("parks what reaches the dead-letter queue, and sends a message that is no answer there at once", async () => {
		const model = testModel("parked");
		await env.ANSWERS_DEAD_LETTER_QUEUE.send(row(model, 0), { contentType: "json" });
		await env.ANSWERS_QUEUE.send({ not: "an answer" }, { contentType: "json" });
		const letters = await vi.waitFor(
			async () => {
				const all = await deadAnswers();
				const parked = all.find((letter) => letter.model === model);
				const unreadable = all.find((letter) => !letter.readable);
				expect(parked && unreadable).toBeTruthy();
				return { parked, unreadable };
			},
			{ timeout: 15_000, interval: 100 },
		);
		expect(letters.unreadable?.id).toMatch(/^message:/);
		// Parked, not written: the dead-letter queue's batches are not the answers' queue's.
		expect(await countOf(model)).toBe(0);
		// A message that is no answer cannot be replayed; the answer can.
		const { replayed } = await debugJson<{ replayed: string[] }>(
			"/api/dead-letters/answers/replay",
			{
				method: "POST",
				body: "{}",
			},
		);
		expect(replayed).toContain(letters.parked?.id);
		expect(replayed).not.toContain(letters.unreadable?.id);
		await stored(model, 1);
	});

	it("guards the answers' dead letters with DEBUG_TOKEN", async () => {
		for (const [path, method] of [
			["/api/dead-letters/answers", "GET"],
			["/api/dead-letters/answers/replay", "POST"],
		] as const) {
			const init = {
				method,
				headers: { "content-type": "application/json" },
				body: method === "POST" ? "{}" : undefined,
			};
			expect((await createHarness().call(path, init)).status, path).toBe(401);
			const off = createHarness({}, { DEBUG_TOKEN: "" });
			expect(
				(await off.call(path, { ...init, headers: { ...init.headers, ...debugAuth } })).status,
				path,
			).toBe(404);
		}
	});

	it("replay refuses a body that is not a JSON object", async () => {
		const res = await createHarness().call("/api/dead-letters/answers/replay", {
			method: "POST",
			headers: { ...debugAuth, "content-type": "application/json" },
			body: JSON.stringify(["an id"]),
		});
		expect(res.status).toBe(400);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
	});

	it("writes an answer directly when the queue refuses it (a Free plan past its daily operations)", async () => {
		const refusing = {
			send: () => Promise.reject(new Error("Queue send failed: daily operations exceeded")),
		} as unknown as Queue;
		const errors = vi.spyOn(console, "error");
		const harness = createHarness({}, { ANSWERS_QUEUE: refusing });
		const body = (await (await harness.ask("Refused by the queue")).json()) as ChatJson;
		expect(await answerRow(body.aiGatewayLogId as string)).toMatchObject({ outcome: "complete" });
		expect(errors.mock.calls.map(String).join("\n")).toContain(
			"feedback store: queue answer (writing it directly) failed",
		);
		errors.mockRestore();
	});
});

describe("transcripts and the queue's 128 KB message limit", () => {
	/** A conversation of `count` messages of `chars` characters each. */
	const conversation = (count: number, chars: number, char = "a") =>
		Array.from({ length: count }, (_, i) => ({
			role: i % 2 ? "assistant" : "user",
			content: `${i}${char.repeat(chars - String(i).length)}`,
		}));

	it("keeps a short transcript in the row, and puts a long one in R2 with its key in the row", async () => {
		const harness = createHarness({}, { STORE_TRANSCRIPTS: "true" });
		const short = (await (
			await harness.chat({ messages: conversation(1, 200) })
		).json()) as ChatJson;
		const messages = conversation(3, 12_000);
		const long = (await (await harness.chat({ messages })).json()) as ChatJson;
		expect(JSON.stringify(messages).length).toBeGreaterThan(TRANSCRIPT_IN_ROW_BYTES);

		const shortRow = await answerRow(short.aiGatewayLogId as string);
		expect(shortRow.transcript_key).toBeNull();
		expect(JSON.parse(String(shortRow.conversation))).toHaveLength(1);

		const longRow = await answerRow(long.aiGatewayLogId as string);
		expect(longRow).toMatchObject({ conversation: null, answer_text: null });
		expect(longRow.transcript_key).toMatch(
			new RegExp(`^transcripts/\\d{4}-\\d{2}-\\d{2}/${long.aiGatewayLogId}\\.json$`),
		);
		const object = await env.TRANSCRIPTS.get(String(longRow.transcript_key));
		const stored = (await object?.json()) as { conversation: string; answerText: string };
		expect(JSON.parse(stored.conversation)).toEqual(messages);
		expect(stored.answerText).toBe(long.response);
	});

	it("the export streams a transcript kept in R2 back into its row", async () => {
		const started = Date.now();
		const harness = createHarness({}, { STORE_TRANSCRIPTS: "true" });
		const messages = conversation(3, 12_000);
		const body = (await (await harness.chat({ messages })).json()) as ChatJson;
		const id = body.aiGatewayLogId as string;
		expect((await answerRow(id)).transcript_key).not.toBeNull();
		await db()
			.prepare(
				`INSERT INTO votes (ai_gateway_log_id, gateway_id, vote, sequence, revision, version, state,
refused, attempts, created_at, cast_at, updated_at) VALUES (?, 'queue-test', 'up', 1, 1, 1, 'delivered', 0, 1, ?, ?, ?)`,
			)
			.bind(id, Date.now(), Date.now(), Date.now())
			.run();
		const res = await harness.call(
			`/api/admin/feedback/export?model=${encodeURIComponent(LLAMA)}&since=${new Date(started).toISOString()}`,
			{ headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } },
		);
		expect(res.status).toBe(200);
		const lines = new TextDecoder()
			.decode(await res.arrayBuffer())
			.trim()
			.split("\n")
			.map((line) => JSON.parse(line) as Record<string, unknown>);
		const item = lines.find((line) => line.aiGatewayLogId === id);
		expect(item?.conversation).toEqual(messages);
		expect(item?.answer).toBe(body.response);
		expect(item).not.toHaveProperty("transcriptKey");
	});

	it("keeps the transcript in the row when R2 fails: never dropped", async () => {
		const failingBucket = {
			put: () => Promise.reject(new Error("R2 is down")),
		} as unknown as R2Bucket;
		const errors = vi.spyOn(console, "error");
		const harness = createHarness({}, { STORE_TRANSCRIPTS: "true", TRANSCRIPTS: failingBucket });
		const messages = conversation(3, 12_000);
		const body = (await (await harness.chat({ messages })).json()) as ChatJson;
		const stored = await answerRow(body.aiGatewayLogId as string);
		expect(stored.transcript_key).toBeNull();
		expect(JSON.parse(String(stored.conversation))).toEqual(messages);
		expect(errors.mock.calls.map(String).join("\n")).toContain(
			"feedback store: store transcript in R2 failed",
		);
		errors.mockRestore();
	});

	it("writes an answer too large for a queue message directly, transcript and all, when no R2 is bound", async () => {
		const warnings = vi.spyOn(console, "warn");
		const harness = createHarness({}, {
			STORE_TRANSCRIPTS: "true",
			TRANSCRIPTS: undefined,
		} as unknown as Partial<Cloudflare.Env>);
		// Quotes are escaped twice on the way into a message (the conversation is JSON in JSON):
		// a 64 KB request becomes a message of 128 KB.
		const messages = conversation(4, 8_000, '"');
		const body = (await (await harness.chat({ messages })).json()) as ChatJson;
		const stored = await answerRow(body.aiGatewayLogId as string);
		expect(stored.transcript_key).toBeNull();
		expect(JSON.parse(String(stored.conversation))).toEqual(messages);
		expect(warnings.mock.calls.map(String).join("\n")).toContain(
			"feedback store: answer too large for a queue message, writing it directly",
		);
		warnings.mockRestore();
	});
});

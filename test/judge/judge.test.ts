/**
 * The LLM judge (src/judge/, docs/judge.md), end to end on the real Ai binding against the
 * emulator's deterministic judge: sampling where an answer is recorded, the judge's queue
 * (run by Miniflare as wrangler.jsonc declares it), the verdicts stored, the daily cap, an
 * outage retried and dead-lettered, and the judge call marked in its gateway log.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { JUDGE_BAD_MARKER, JUDGE_MALFORMED_MARKER } from "../../emulator/src/index.ts";
import { DAY_MS } from "../../src/core/time";
import worker from "../../src/index";
import { JUDGE_QUEUE, type JudgeMessage, readVerdict } from "../../src/judge/judge";
import { RUBRIC, VERDICT_SCHEMA } from "../../src/judge/rubric";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	deltasOf,
	readEvents,
} from "../harness";
import { answerRow, db, waitForRow } from "../store/helpers";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const JUDGE_MODEL = env.JUDGE_MODEL;
const ON = { JUDGE_SAMPLE_RATE: "1" };

/** A JUDGE_QUEUE that keeps what it is sent, or refuses it. */
function fakeQueue(refuse = false) {
	const sent: JudgeMessage[] = [];
	const queue = {
		send: async (body: JudgeMessage) => {
			if (refuse) throw new Error("emulated queue outage");
			sent.push(body);
		},
	};
	return { sent, queue: queue as unknown as Queue };
}

const verdictRow = (aiGatewayLogId: string) =>
	waitForRow(
		"SELECT * FROM judge_verdicts WHERE ai_gateway_log_id = ?",
		[aiGatewayLogId],
		undefined,
		20_000,
	);

const verdictCount = async (aiGatewayLogId: string) =>
	(
		await db()
			.prepare("SELECT COUNT(*) AS n FROM judge_verdicts WHERE ai_gateway_log_id = ?")
			.bind(aiGatewayLogId)
			.first<{ n: number }>()
	)?.n;

/** The lines logged with `message` while `spy` watched. */
const logged = (spy: { mock: { calls: unknown[][] } }, message: string) =>
	spy.mock.calls
		.map(([line]) => (typeof line === "string" && line.startsWith("{") ? JSON.parse(line) : {}))
		.filter((fields) => fields.message === message);

describe("sampling, where an answer is recorded", () => {
	it("sends nothing at JUDGE_SAMPLE_RATE 0 (the default)", async () => {
		const { sent, queue } = fakeQueue();
		const harness = createHarness({}, { JUDGE_QUEUE: queue });
		const body = (await (await harness.ask("Not judged")).json()) as ChatJson;
		await answerRow(body.aiGatewayLogId as string);
		expect(sent).toEqual([]);
	});

	it("at 1 sends every complete answer with its conversation, log id, served model and time", async () => {
		const { sent, queue } = fakeQueue();
		const harness = createHarness({}, { JUDGE_QUEUE: queue, ...ON });
		const before = Date.now();
		const body = (await (await harness.ask("Judge me")).json()) as ChatJson;
		await vi.waitFor(() => expect(sent).toHaveLength(1));
		expect(sent[0]).toEqual({
			aiGatewayLogId: body.aiGatewayLogId,
			gatewayId: "default",
			servedModel: LLAMA,
			createdAt: expect.any(Number),
			conversation: [{ role: "user", content: "Judge me" }],
			answer: body.response,
		});
		expect(sent[0]?.createdAt).toBeGreaterThanOrEqual(before);
	});

	it("keeps a sampled stream's text although transcripts are off, and stores none of it", async () => {
		const { sent, queue } = fakeQueue();
		const harness = createHarness({}, { JUDGE_QUEUE: queue, ...ON });
		const res = await harness.ask("Stream me", { stream: true });
		const text = deltasOf(await readEvents(res)).join("");
		await vi.waitFor(() => expect(sent).toHaveLength(1));
		expect(text).toContain("Stream me");
		expect(sent[0]?.answer).toBe(text);
		const row = await answerRow(sent[0]?.aiGatewayLogId as string);
		expect(row).toMatchObject({ conversation: null, answer_text: null });
	});

	it("does not send an answer that did not complete", async () => {
		const { sent, queue } = fakeQueue();
		const harness = createHarness({ streamFailureAfterTokens: 2 }, { JUDGE_QUEUE: queue, ...ON });
		const res = await harness.ask("Break off", { stream: true });
		await readEvents(res);
		const logId = res.headers.get("cf-aig-log-id") as string;
		await answerRow(logId, (row) => row.outcome === "failed");
		expect(sent).toEqual([]);
	});

	it("logs a failed send and leaves the answer alone", async () => {
		const { queue } = fakeQueue(true);
		const errors = vi.spyOn(console, "error");
		const harness = createHarness({}, { JUDGE_QUEUE: queue, ...ON });
		const res = await harness.ask("Queue down");
		expect(res.status).toBe(200);
		const body = (await res.json()) as ChatJson;
		await answerRow(body.aiGatewayLogId as string);
		await vi.waitFor(() =>
			expect(logged(errors, "judge: queueing failed")).toContainEqual(
				expect.objectContaining({ aiGatewayLogId: body.aiGatewayLogId }),
			),
		);
		errors.mockRestore();
	});
});

describe("the judge's queue", () => {
	it("judges a sampled answer through the same gateway and stores only the verdict", async () => {
		const harness = await createSharedHarness({}, ON);
		const body = (await (await harness.ask("Is this good?")).json()) as ChatJson;
		const logId = body.aiGatewayLogId as string;
		const verdict = await verdictRow(logId);
		const answer = await answerRow(logId);
		expect(verdict).toEqual({
			ai_gateway_log_id: logId,
			day: Math.floor(Number(answer.created_at) / DAY_MS),
			served_model: LLAMA,
			judged_at: expect.any(Number),
			judge_model: JUDGE_MODEL,
			rubric_version: RUBRIC.version,
			judge_log_id: expect.any(String),
			outcome: "judged",
			verdict: "good",
			score: 5,
			rationale: "[emulated] The answer carries no bad marker.",
			prompt_tokens: expect.any(Number),
			completion_tokens: expect.any(Number),
		});
		expect(verdict.judge_log_id).not.toBe(logId);
		expect(Number(verdict.prompt_tokens)).toBeGreaterThan(RUBRIC.prompt.length / 10);
		expect(Number(verdict.completion_tokens)).toBeGreaterThan(0);
		// The judge call's own log, on the answer's gateway, says it is one and whose.
		const judgeLog = await harness.peek(verdict.judge_log_id as string);
		expect(judgeLog?.metadata).toEqual({ judge: true, judgedLogId: logId });
		// The judge's model, the rubric as its system prompt, and JSON mode with the rubric's shape.
		const runs = (await harness.runs()) as unknown as {
			logId: string;
			model: string;
			inputs: { messages: { role: string; content: string }[]; response_format?: unknown };
		}[];
		const run = runs.find((each) => each.logId === verdict.judge_log_id);
		expect(run?.model).toBe(JUDGE_MODEL);
		expect(run?.inputs.messages[0]).toEqual({ role: "system", content: RUBRIC.prompt });
		expect(run?.inputs.messages[1]?.content).toContain(`<answer>\n${body.response}\n</answer>`);
		expect(run?.inputs.response_format).toEqual({
			type: "json_schema",
			json_schema: VERDICT_SCHEMA,
		});
	});

	it("stores a bad verdict for an answer the emulated judge finds bad", async () => {
		const harness = await createSharedHarness({}, ON);
		const body = (await (await harness.ask(`Answer ${JUDGE_BAD_MARKER}`)).json()) as ChatJson;
		expect(await verdictRow(body.aiGatewayLogId as string)).toMatchObject({
			outcome: "judged",
			verdict: "bad",
			score: 2,
		});
	});

	it("records a malformed reply as unparseable, with no verdict guessed", async () => {
		const harness = await createSharedHarness({}, ON);
		const body = (await (await harness.ask(`Answer ${JUDGE_MALFORMED_MARKER}`)).json()) as ChatJson;
		const verdict = await verdictRow(body.aiGatewayLogId as string);
		expect(verdict).toMatchObject({
			outcome: "unparseable",
			verdict: null,
			score: null,
			rationale: null,
			judge_model: JUDGE_MODEL,
		});
		expect(verdict.judge_log_id).toEqual(expect.any(String));
	});

	it("retries a judge outage, then dead-letters it, and the answer is untouched", async () => {
		const warnings = vi.spyOn(console, "warn");
		const harness = await createSharedHarness({ failingModels: [JUDGE_MODEL] }, ON);
		const res = await harness.ask("Judge is down");
		expect(res.status).toBe(200);
		const body = (await res.json()) as ChatJson;
		const logId = body.aiGatewayLogId as string;
		await vi.waitFor(
			() =>
				expect(logged(warnings, "judge: given up, answer not judged")).toContainEqual(
					expect.objectContaining({ aiGatewayLogId: logId }),
				),
			{ timeout: 30_000, interval: 100 },
		);
		warnings.mockRestore();
		// The answer once, then the judge: its first try and wrangler.jsonc's 5 retries.
		const runs = await harness.runs();
		expect(runs.filter((run) => run.logId !== logId).map((run) => run.status)).toEqual(
			Array(6).fill(500),
		);
		expect(await answerRow(logId)).toMatchObject({ outcome: "complete", served_model: LLAMA });
		expect(await verdictCount(logId)).toBe(0);
	});

	/** Delivers `bodies` to the Worker's queue() as one batch of the judge's queue. */
	async function deliver(bodies: unknown[], overrides: Partial<Cloudflare.Env> = {}) {
		const batch = createMessageBatch(
			JUDGE_QUEUE,
			bodies.map((body, i) => ({ id: `j${i}`, timestamp: new Date(), attempts: 1, body })),
		);
		const ctx = createExecutionContext();
		await worker.queue(batch, { ...env, ...overrides });
		return getQueueResult(batch, ctx);
	}

	const message = (gatewayId: string, aiGatewayLogId: string): JudgeMessage => ({
		aiGatewayLogId,
		gatewayId,
		servedModel: "@test/judged",
		createdAt: Date.now(),
		conversation: [{ role: "user", content: "Hi" }],
		answer: "Hello",
	});

	it("judges a redelivered answer once: the second delivery calls no judge and changes nothing", async () => {
		const harness = await createSharedHarness();
		const logId = `redelivered-${crypto.randomUUID()}`;
		expect((await deliver([message(harness.gatewayId, logId)])).explicitAcks).toEqual(["j0"]);
		const first = await verdictRow(logId);
		expect((await deliver([message(harness.gatewayId, logId)])).explicitAcks).toEqual(["j0"]);
		expect(await harness.runs()).toHaveLength(1);
		expect(await verdictRow(logId)).toEqual(first);
	});

	it("stops at JUDGE_DAILY_LIMIT calls a UTC day: the rest are acknowledged and logged as skipped", async () => {
		const harness = await createSharedHarness();
		const today = Math.floor(Date.now() / DAY_MS);
		const calls =
			(
				await db()
					.prepare("SELECT calls FROM judge_calls WHERE day = ?")
					.bind(today)
					.first<{ calls: number }>()
			)?.calls ?? 0;
		const warnings = vi.spyOn(console, "warn");
		const ids = [1, 2, 3].map((i) => `capped-${i}-${crypto.randomUUID()}`);
		const result = await deliver(
			ids.map((id) => message(harness.gatewayId, id)),
			{ JUDGE_DAILY_LIMIT: String(calls + 1) },
		);
		expect(result.explicitAcks.sort()).toEqual(["j0", "j1", "j2"]);
		const judged: string[] = [];
		for (const id of ids) if ((await verdictCount(id)) === 1) judged.push(id);
		expect(judged).toHaveLength(1);
		expect(await harness.runs()).toHaveLength(1);
		const skipped = logged(warnings, "judge: daily limit reached, answer not judged");
		warnings.mockRestore();
		expect(skipped.map((line) => line.aiGatewayLogId).sort()).toEqual(
			ids.filter((id) => !judged.includes(id)).sort(),
		);
		expect(skipped[0]?.limit).toBe(calls + 1);
	});

	it("drops a message that is not a judge message, logged, without calling the judge", async () => {
		const harness = await createSharedHarness();
		const errors = vi.spyOn(console, "error");
		const result = await deliver([{ aiGatewayLogId: "x", gatewayId: harness.gatewayId }]);
		expect(result.explicitAcks).toEqual(["j0"]);
		expect(logged(errors, "judge: not a judge message, dropped")).toHaveLength(1);
		errors.mockRestore();
		expect(await harness.runs()).toEqual([]);
	});
});

describe("reading the judge's reply", () => {
	const reply = (value: unknown) => readVerdict(JSON.stringify(value));

	it("takes the rubric's shape: a score from 1 to 5, good from the rubric's threshold", () => {
		expect(reply({ rationale: "ok", score: RUBRIC.goodFrom })).toEqual({
			outcome: "judged",
			verdict: "good",
			score: RUBRIC.goodFrom,
			rationale: "ok",
		});
		expect(reply({ rationale: "meh", score: RUBRIC.goodFrom - 1 })).toMatchObject({
			verdict: "bad",
		});
	});

	it("keeps at most 500 characters of the rationale", () => {
		expect(reply({ rationale: "x".repeat(900), score: 5 }).rationale).toBe("x".repeat(500));
	});

	it("guesses nothing: not JSON, a score off the scale or missing, no rationale", () => {
		const unparseable = { outcome: "unparseable", verdict: null, score: null, rationale: null };
		for (const bad of [
			'{"score": 5',
			JSON.stringify({ rationale: "r", score: 6 }),
			JSON.stringify({ rationale: "r", score: 0 }),
			JSON.stringify({ rationale: "r", score: 4.5 }),
			JSON.stringify({ rationale: "r" }),
			JSON.stringify({ score: 5 }),
			"null",
		])
			expect(readVerdict(bad), bad).toEqual(unparseable);
	});
});

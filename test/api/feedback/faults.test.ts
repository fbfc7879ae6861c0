import { env } from "cloudflare:workers";
import { afterEach, expect, it } from "vitest";
import { seededRandom } from "../../../emulator/src/index.ts";
import { ANSWERS_DEAD_LETTER_QUEUE } from "../../../src/answers/answer-queue";
import type { Vote } from "../../../src/core/votes";
import worker from "../../../src/index";
import {
	type ChatJson,
	createSharedHarness,
	TEST_DEBUG_TOKEN,
	type VoteStatusJson,
} from "../../harness";
import { db, type StoreRow } from "../../store/helpers";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

const LOGS = 110;
const VOTES_PER_LOG = 5;
const DUPLICATE_SHARE = 0.15;
/** Share of the answers' queue batches whose consumer fails before writing anything. */
const CONSUMER_FAILURE_SHARE = 0.3;
/** Share of D1 batches (the consumer's answer writes) and of vote writes that D1 fails. */
const D1_FAILURE_SHARE = 0.2;
const EXPECTED_FEEDBACK: Record<Vote, number | null> = { up: 1, down: -1, clear: null };

async function inBatches<T, R>(
	items: T[],
	size: number,
	run: (item: T) => Promise<R>,
): Promise<R[]> {
	const results: R[] = [];
	for (let i = 0; i < items.length; i += size)
		results.push(...(await Promise.all(items.slice(i, i + size).map(run))));
	return results;
}

interface Answer {
	aiGatewayLogId: string;
	token: string;
	client: string;
}

/** Answers from many clients (each client stays within the per-client rate limits). */
async function answers(harness: Harness, count: number): Promise<Answer[]> {
	return inBatches(
		Array.from({ length: count }, (_, i) => i),
		20,
		async (i) => {
			const client = `client-${harness.gatewayId}-${i}`;
			const res = await harness.chat(
				{ messages: [{ role: "user", content: `question ${i}` }] },
				{ headers: { "cf-connecting-ip": client } },
			);
			const body = (await res.json()) as ChatJson;
			if (!body.aiGatewayLogId || !body.feedbackToken)
				throw new Error(`answer ${i} has no log id or token`);
			return { aiGatewayLogId: body.aiGatewayLogId, token: body.feedbackToken, client };
		},
	);
}

const send = (harness: Harness, answer: Answer, feedback: Vote, sequence: number) =>
	harness.vote(
		{ aiGatewayLogId: answer.aiGatewayLogId, token: answer.token, feedback, sequence },
		{ headers: { "cf-connecting-ip": answer.client } },
	);

/**
 * How long a vote may take to reach a final state. A limit, not a clock: the test waits for
 * the state, and the retry window (wrangler.jsonc's, minutes) never closes on a busy machine.
 */
const SETTLE_LIMIT_MS = 60_000;

const settle = (harness: Harness, logs: Answer[]) =>
	inBatches(logs, 20, (answer) =>
		harness.settled(answer.aiGatewayLogId, answer.token, SETTLE_LIMIT_MS),
	);

/** True for `share` of its calls, spread evenly from the first (0.3: the 1st, 4th, 7th, 11th...). */
function evenly(share: number) {
	let calls = 0;
	return () => {
		calls++;
		return Math.ceil(calls * share) > Math.ceil((calls - 1) * share);
	};
}

/**
 * Faults below the Worker, in this test file's isolate: the answers' queue consumer fails a
 * share of its batches outright, and D1 fails a share of the answers' batch writes and of the
 * votes' writes. Everything is retried by the code under test (the queue, the delivery
 * objects' alarms); nothing here helps it along.
 */
function injectFaults(random: () => number) {
	const counts = {
		consumerBatches: 0,
		consumerBatchesFailed: 0,
		d1AnswerBatchesFailed: 0,
		d1VoteWritesFailed: 0,
	};
	const consumerFails = evenly(CONSUMER_FAILURE_SHARE);
	const answerWriteFails = evenly(D1_FAILURE_SHARE);
	const queue = worker.queue;
	worker.queue = (batch, batchEnv) => {
		if (batch.queue === ANSWERS_DEAD_LETTER_QUEUE) return queue(batch, batchEnv);
		counts.consumerBatches++;
		if (consumerFails()) {
			counts.consumerBatchesFailed++;
			return Promise.reject(new Error("emulated consumer crash"));
		}
		return queue(batch, batchEnv);
	};
	const database = Object.getPrototypeOf(env.FEEDBACK_DB) as D1Database;
	const statement = Object.getPrototypeOf(
		env.FEEDBACK_DB.prepare("SELECT 1"),
	) as D1PreparedStatement;
	const { batch } = database;
	const { run } = statement;
	database.batch = function (this: D1Database, statements) {
		if (answerWriteFails()) {
			counts.d1AnswerBatchesFailed++;
			return Promise.reject(new Error("D1_ERROR: emulated write failure"));
		}
		return batch.call(this, statements);
	} as D1Database["batch"];
	statement.run = function (this: D1PreparedStatement) {
		if (random() < D1_FAILURE_SHARE) {
			counts.d1VoteWritesFailed++;
			return Promise.reject(new Error("D1_ERROR: emulated write failure"));
		}
		return run.call(this);
	} as D1PreparedStatement["run"];
	restoreFaults = () => {
		worker.queue = queue;
		database.batch = batch;
		statement.run = run;
	};
	return counts;
}
let restoreFaults = () => {};
afterEach(() => restoreFaults());

it("delivers each log's last vote through write lag, 500s, duplicates and reordering; keeps what it gives up", async () => {
	// Seeded, so a failing run can be replayed with the same seed.
	const random = seededRandom(20261122);
	const faults = injectFaults(seededRandom(20261207));
	// 30% of patchLog calls fail with 500, and logs appear 150 ms after their answer.
	const harness = await createSharedHarness({
		logVisibilityDelayMs: 150,
		patchLogFailureRate: 0.3,
		seed: 42,
	});
	const logs = await answers(harness, LOGS);

	// Each user changes their mind a few times; votes go out duplicated and shuffled.
	const votes = logs.flatMap((answer) =>
		Array.from({ length: VOTES_PER_LOG }, (_, i) => ({
			answer,
			sequence: i + 1,
			feedback: (["up", "down", "clear"] as const)[Math.floor(random() * 3)] as Vote,
		})),
	);
	const lastVote = new Map(
		logs.map((answer) => [
			answer.aiGatewayLogId,
			votes.filter((v) => v.answer === answer).at(-1)?.feedback,
		]),
	);
	const outgoing = [...votes, ...votes.filter(() => random() < DUPLICATE_SHARE)];
	for (let i = outgoing.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[outgoing[i], outgoing[j]] = [
			outgoing[j] as (typeof outgoing)[number],
			outgoing[i] as (typeof outgoing)[number],
		];
	}
	const statuses = await inBatches(outgoing, 25, (vote) =>
		send(harness, vote.answer, vote.feedback, vote.sequence).then((res) => res.status),
	);
	// Each vote is stored (202) or, older than the one already kept, reported superseded (200).
	const acknowledged = statuses.filter((status) => status === 202).length;
	const superseded = statuses.filter((status) => status === 200).length;
	expect(acknowledged + superseded).toBe(outgoing.length);

	const settled = await settle(harness, logs);
	let delivered = 0;
	let mismatches = 0;
	const undelivered: VoteStatusJson[] = [];
	for (const [index, answer] of logs.entries()) {
		const status = settled[index] as VoteStatusJson;
		const log = await harness.peek(answer.aiGatewayLogId);
		const expected = lastVote.get(answer.aiGatewayLogId) as Vote;
		if (status.state === "delivered") delivered++;
		else undelivered.push(status);
		if (status.feedback !== expected || log?.feedback !== EXPECTED_FEEDBACK[expected]) mismatches++;
	}

	// Votes that cannot be delivered: one gateway rejects every patch (400), another never
	// writes its logs (retried until the window closes, which the test closes once each vote
	// has been tried). Both must end in the dead letters.
	const rejecting = await createSharedHarness();
	await rejecting.fail("patchLog", 400, 1_000);
	const neverWritten = await createSharedHarness({ logVisibilityDelayMs: 3_600_000 });
	const doomed = [...(await answers(rejecting, 3)), ...(await answers(neverWritten, 3))];
	const doomedHarness = (answer: Answer) => (doomed.indexOf(answer) < 3 ? rejecting : neverWritten);
	for (const answer of doomed) {
		expect((await send(doomedHarness(answer), answer, "down", 1)).status).toBe(202);
	}
	for (const answer of doomed.slice(3))
		await neverWritten.closeRetryWindow(answer.aiGatewayLogId, answer.token);
	const failed = await Promise.all(
		doomed.map((answer) =>
			doomedHarness(answer).settled(answer.aiGatewayLogId, answer.token, SETTLE_LIMIT_MS),
		),
	);
	const res = await harness.call("/api/dead-letters", {
		headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
	});
	const { deadLetters } = (await res.json()) as {
		deadLetters: { aiGatewayLogId: string; reason: string }[];
	};
	const givenUp = doomed.map((answer) =>
		deadLetters.find((letter) => letter.aiGatewayLogId === answer.aiGatewayLogId),
	);

	// The feedback store ends where the objects and the gateway ended, for every log: the
	// same vote, state, attempts and delivery time as the status route, the same feedback as
	// the gateway's log, and the refusals marked. D1 follows each object right after it.
	const everyLog = [
		...logs.map((answer, index) => ({
			answer,
			harness,
			status: settled[index] as VoteStatusJson,
			refused: false,
		})),
		...doomed.map((answer, index) => ({
			answer,
			harness: doomedHarness(answer),
			status: failed[index] as VoteStatusJson,
			refused: index < 3,
		})),
	];
	const agrees = async ({ answer, harness, status, refused }: (typeof everyLog)[number]) => {
		const row = await db()
			.prepare("SELECT * FROM votes WHERE ai_gateway_log_id = ?")
			.bind(answer.aiGatewayLogId)
			.first<StoreRow>();
		const log = await harness.peek(answer.aiGatewayLogId);
		if (!row || !log) return false;
		const deliveredAt =
			row.delivered_at === null ? null : new Date(Number(row.delivered_at)).toISOString();
		return (
			row.vote === status.feedback &&
			row.state === status.state &&
			row.attempts === status.attempts &&
			deliveredAt === status.deliveredAt &&
			(status.state !== "delivered" || log.feedback === EXPECTED_FEEDBACK[row.vote as Vote]) &&
			(status.state !== "failed" || row.refused === (refused ? 1 : 0))
		);
	};
	let storeAgrees = 0;
	for (const deadline = Date.now() + SETTLE_LIMIT_MS; ; ) {
		storeAgrees = (await inBatches(everyLog, 25, agrees)).filter(Boolean).length;
		if (storeAgrees === everyLog.length || Date.now() > deadline) break;
		await scheduler.wait(100);
	}

	// Every answer is in D1 exactly once, whatever the queue's consumer and D1 failed: the
	// consumer retried its batches, and answers it gave up on wait in the dead letters to be
	// replayed (with these fault rates, rarely).
	const answerIds = [...logs, ...doomed].map((answer) => answer.aiGatewayLogId);
	const gateways = [harness.gatewayId, rejecting.gatewayId, neverWritten.gatewayId];
	const storedOnce = async () => {
		const { results } = await db()
			.prepare(
				`SELECT ai_gateway_log_id id, COUNT(*) n FROM answers WHERE gateway_id IN (?, ?, ?) GROUP BY ai_gateway_log_id`,
			)
			.bind(...gateways)
			.all<{ id: string; n: number }>();
		return results;
	};
	let answerRows = await storedOnce();
	let deadLettersReplayed = 0;
	for (const deadline = Date.now() + SETTLE_LIMIT_MS; answerRows.length < answerIds.length; ) {
		if (Date.now() > deadline) break;
		const dead = await harness.call("/api/dead-letters/answers", {
			headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
		});
		const { answers: letters } = (await dead.json()) as { answers: { id: string }[] };
		const ours = letters.map((letter) => letter.id).filter((id) => answerIds.includes(id));
		if (ours.length > 0) {
			await harness.postJson(
				"/api/dead-letters/answers/replay",
				{ aiGatewayLogIds: ours },
				{ headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` } },
			);
			deadLettersReplayed += ours.length;
		}
		await scheduler.wait(200);
		answerRows = await storedOnce();
	}

	console.log(
		JSON.stringify({
			answers: answerIds.length,
			answersStoredOnce: answerRows.filter((row) => row.n === 1).length,
			answerDeadLettersReplayed: deadLettersReplayed,
			...faults,
			logs: LOGS,
			votesSent: outgoing.length,
			duplicates: outgoing.length - votes.length,
			acknowledged,
			superseded,
			logsDelivered: delivered,
			finalStateMismatches: mismatches,
			undeliverableVotes: doomed.length,
			givenUpInDeadLetters: givenUp.filter(Boolean).length,
			feedbackStoreAgreesWithGatewayAndStatus: `${storeAgrees} of ${everyLog.length}`,
			undelivered,
			reasons: [
				...new Set(givenUp.map((letter) => letter?.reason.replace(/\d+ attempts/, "N attempts"))),
			],
		}),
	);
	expect(answerRows.map((row) => row.id).sort()).toEqual([...answerIds].sort());
	expect(answerRows.every((row) => row.n === 1)).toBe(true);
	expect(faults.consumerBatchesFailed).toBeGreaterThan(0);
	expect(faults.d1AnswerBatchesFailed).toBeGreaterThan(0);
	expect(faults.d1VoteWritesFailed).toBeGreaterThan(0);
	expect(outgoing.length).toBeGreaterThanOrEqual(500);
	expect(storeAgrees).toBe(everyLog.length);
	expect(delivered).toBe(LOGS);
	expect(mismatches).toBe(0);
	expect(failed.map((status) => status.state)).toEqual(Array(6).fill("failed"));
	expect(givenUp.slice(0, 3).map((letter) => letter?.reason)).toEqual(
		Array(3).fill("the gateway rejected the vote (400)"),
	);
	for (const letter of givenUp.slice(3)) {
		expect(letter?.reason).toMatch(
			/^gave up after \d+ attempts: the gateway has not written the log yet$/,
		);
	}
}, 300_000);

/**
 * The feedback store follows each log's FeedbackDelivery object: every change of the vote
 * and its delivery reaches D1, in order, never backwards, and a failing D1 is retried.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { deliveryAttempt, type FeedbackDelivery } from "../../src/feedback/delivery";
import { type StoredVote, writeVote } from "../../src/store/votes";
import {
	type ChatJson,
	createSharedHarness,
	TEST_DEBUG_TOKEN,
	type VoteStatusJson,
} from "../harness";
import { db, TEST_ADMIN_TOKEN, voteRow } from "./helpers";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

async function answer(harness: Harness) {
	const body = (await (await harness.ask("Rate me")).json()) as ChatJson;
	if (!body.aiGatewayLogId || !body.feedbackToken)
		throw new Error("answer without a log id or token");
	return { aiGatewayLogId: body.aiGatewayLogId, token: body.feedbackToken };
}

describe("votes in the feedback store", () => {
	it("follows a vote from its cast to its delivery, and agrees with the status route", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answer(harness);
		const res = await harness.vote({
			aiGatewayLogId,
			token,
			feedback: "down",
			score: 20,
			comment: "Out of date",
		});
		expect(res.status).toBe(202);
		const status = await harness.settled(aiGatewayLogId, token);
		const row = await voteRow(aiGatewayLogId, (row) => row.state === "delivered");
		expect(row).toMatchObject({
			gateway_id: harness.gatewayId,
			vote: "down",
			score: 20,
			comment: "Out of date",
			revision: 1,
			state: "delivered",
			refused: 0,
			attempts: status.attempts,
			delivered_at: Date.parse(status.deliveredAt as string),
			cast_at: Date.parse(status.castAt),
			next_attempt_at: null,
			error: null,
		});
		// Two stored changes at least: the cast, then the delivery.
		expect(Number(row.version)).toBeGreaterThanOrEqual(2);
		expect(row.created_at).toBe(row.cast_at);
	});

	it("keeps the latest vote, its first creation time, and no empty comment", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answer(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "up", sequence: 1 });
		const first = await voteRow(aiGatewayLogId, (row) => row.state === "delivered");
		await harness.vote({ aiGatewayLogId, token, feedback: "clear", comment: "", sequence: 2 });
		await harness.settled(aiGatewayLogId, token);
		const row = await voteRow(
			aiGatewayLogId,
			(row) => row.vote === "clear" && row.state === "delivered",
		);
		expect(row).toMatchObject({
			revision: 2,
			sequence: 2,
			comment: null,
			created_at: first.created_at,
		});
		expect(Number(row.version)).toBeGreaterThan(Number(first.version));
	});

	it("agrees with the status route and the gateway's log after a withdrawal: no score, no comment", async () => {
		const harness = await createSharedHarness();
		const since = new Date(Date.now() - 1000).toISOString();
		const { aiGatewayLogId, token } = await answer(harness);
		const rated = { aiGatewayLogId, token, score: 77, comment: "Out of date" };
		expect((await harness.vote({ ...rated, feedback: "down" })).status).toBe(202);
		await harness.settled(aiGatewayLogId, token);
		// A withdrawal that brings a score or a comment is refused, and changes nothing.
		const refused = await harness.vote({ ...rated, feedback: "clear" });
		expect(refused.status).toBe(400);
		expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
			/^score: a withdrawal \(feedback 'clear'\) carries no score or comment/,
		);
		const kept = await harness.voteStatus(aiGatewayLogId, token);
		expect(((await kept.json()) as VoteStatusJson).feedback).toBe("down");

		const cleared = { aiGatewayLogId, token, feedback: "clear", score: null, comment: null };
		expect((await harness.vote(cleared)).status).toBe(202);
		expect(await harness.settled(aiGatewayLogId, token)).toMatchObject({
			feedback: "clear",
			state: "delivered",
		});
		expect(await harness.peek(aiGatewayLogId)).toMatchObject({
			feedback: null,
			score: null,
			metadata: { vote: "clear", comment: "" },
		});
		expect(
			await voteRow(aiGatewayLogId, (row) => row.vote === "clear" && row.state === "delivered"),
		).toMatchObject({ score: null, comment: null });
		const list = async (filters: string) => {
			const res = await harness.call(`/api/admin/feedback?limit=200&since=${since}${filters}`, {
				headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
			});
			expect(res.status).toBe(200);
			const { items } = (await res.json()) as { items: Record<string, unknown>[] };
			return items.filter((item) => item.aiGatewayLogId === aiGatewayLogId);
		};
		expect(await list("")).toMatchObject([{ vote: "clear", score: null, comment: null }]);
		expect(await list("&hasComment=true")).toEqual([]);
	});

	it("records a vote the gateway refused, with the gateway's reason, then its replay", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answer(harness);
		await harness.fail("patchLog", 400, 1);
		await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("failed");
		const failed = await voteRow(aiGatewayLogId, (row) => row.state === "failed");
		expect(failed).toMatchObject({
			refused: 1,
			error: "the gateway rejected the vote (400)",
			attempts: 1,
			next_attempt_at: null,
		});
		expect(failed.failed_at).not.toBeNull();

		const replay = await harness.postJson(
			"/api/dead-letters/replay",
			{ aiGatewayLogIds: [aiGatewayLogId] },
			{ headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` } },
		);
		expect(replay.status).toBe(200);
		await harness.settled(aiGatewayLogId, token);
		expect(await voteRow(aiGatewayLogId, (row) => row.state === "delivered")).toMatchObject({
			refused: 0,
			error: null,
			attempts: 2,
		});
	});

	it("writes each version once, never backwards: an older or repeated write changes nothing", async () => {
		const aiGatewayLogId = `never-backwards-${crypto.randomUUID()}`;
		const vote: StoredVote = {
			aiGatewayLogId,
			gatewayId: "test",
			vote: "up",
			sequence: 1,
			revision: 1,
			castAt: 1_000,
			state: "pending",
			attempts: 0,
			nextAttemptAt: 1_000,
			deliveredAt: null,
			failedAt: null,
			error: null,
		};
		await writeVote(db(), vote, 1);
		await writeVote(db(), { ...vote, vote: "down", revision: 2, sequence: 2, castAt: 2_000 }, 3);
		await writeVote(db(), { ...vote, state: "delivered", attempts: 1, deliveredAt: 1_500 }, 2);
		await writeVote(db(), vote, 1);
		const row = await voteRow(aiGatewayLogId);
		expect(row).toMatchObject({
			vote: "down",
			revision: 2,
			version: 3,
			state: "pending",
			created_at: 1_000,
		});
	});

	it("retries the store from the alarm when D1 fails, without holding up delivery", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId } = await answer(harness);
		const failing = {
			...env,
			FEEDBACK_DB: new Proxy(env.FEEDBACK_DB, {
				get: (target, key) =>
					key === "prepare"
						? () => {
								throw new Error("D1_ERROR: emulated outage");
							}
						: Reflect.get(target, key),
			}),
		};
		const stub = env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);
		await runInDurableObject(stub, async (instance: FeedbackDelivery, state) => {
			// The object's own env, with a FEEDBACK_DB that fails every write.
			Object.assign(instance, { env: failing });
			await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "up" });
			await state.storage.deleteAlarm();
			await instance.alarm();
			// Delivered all the same; the store is behind and an alarm will try it again.
			expect(await instance.status()).toMatchObject({ state: "delivered" });
			expect(instance.storeSynced).toBe(false);
			expect(await state.storage.getAlarm()).not.toBeNull();

			Object.assign(instance, { env });
			await state.storage.deleteAlarm();
			await instance.alarm();
			expect(instance.storeSynced).toBe(true);
			expect(await state.storage.getAlarm()).toBeNull();
		});
		expect(await voteRow(aiGatewayLogId)).toMatchObject({
			vote: "up",
			state: "delivered",
			attempts: 1,
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(1);
	});

	it("writes a cast and its quick delivery at once, but shows a slow delivery as pending", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId } = await answer(harness);
		const stub = env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);
		const patch = deliveryAttempt.patch;
		try {
			await runInDurableObject(stub, async (instance: FeedbackDelivery, state) => {
				await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "up" });
				await state.storage.deleteAlarm();
				// Quick: nothing reaches the store while the attempt runs; cast and outcome come together.
				let storedMeanwhile: unknown = "unread";
				deliveryAttempt.patch = async (...args) => {
					const outcome = await patch(...args);
					storedMeanwhile = await db()
						.prepare("SELECT state FROM votes WHERE ai_gateway_log_id = ?")
						.bind(aiGatewayLogId)
						.first();
					return outcome;
				};
				await instance.alarm();
				expect(storedMeanwhile).toBeNull();
				expect(await voteRow(aiGatewayLogId)).toMatchObject({ state: "delivered", version: 2 });

				// Slow (over a second): the pending vote is written while the attempt goes on. The
				// attempt waits for that row, so it would never end without it.
				await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "down" });
				await state.storage.deleteAlarm();
				deliveryAttempt.patch = async (...args) => {
					await voteRow(aiGatewayLogId, (row) => row.vote === "down" && row.state === "pending");
					return patch(...args);
				};
				await instance.alarm();
			});
		} finally {
			deliveryAttempt.patch = patch;
		}
		expect(await voteRow(aiGatewayLogId)).toMatchObject({ vote: "down", state: "delivered" });
	});

	it("ends with the newest vote when one arrives while the older is being delivered", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answer(harness);
		const stub = env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);
		await runInDurableObject(stub, async (instance: FeedbackDelivery, state) => {
			await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "up" });
			await state.storage.deleteAlarm();
			const delivering = instance.alarm();
			await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "down" });
			await state.storage.deleteAlarm();
			await delivering;
			await instance.alarm();
		});
		const status = (await (
			await harness.voteStatus(aiGatewayLogId, token)
		).json()) as VoteStatusJson;
		expect(status).toMatchObject({ feedback: "down", state: "delivered" });
		expect(await voteRow(aiGatewayLogId)).toMatchObject({
			vote: "down",
			revision: 2,
			state: "delivered",
		});
	});
});

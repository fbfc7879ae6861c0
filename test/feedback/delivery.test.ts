/**
 * The delivery Durable Object's alarm and retry logic, driven directly: each test casts a
 * vote, removes the alarm the runtime would fire by itself, and runs `alarm()` in place.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config";
import type { Vote } from "../../src/core/votes";
import type { FeedbackDelivery } from "../../src/feedback/delivery";
import { type ChatJson, createSharedHarness, TEST_DEBUG_TOKEN } from "../harness";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

async function answeredLog(harness: Harness): Promise<string> {
	const body = (await (await harness.ask("Deliver me")).json()) as ChatJson;
	if (!body.aiGatewayLogId) throw new Error("answer without a log id");
	return body.aiGatewayLogId;
}

/** Runs `body` inside the log's delivery object, with a vote cast and its alarm taken away. */
async function withCastVote<R>(
	harness: Harness,
	aiGatewayLogId: string,
	vote: Vote,
	body: (instance: FeedbackDelivery, state: DurableObjectState) => Promise<R>,
): Promise<R> {
	const stub = env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);
	return runInDurableObject(stub, async (instance: FeedbackDelivery, state) => {
		await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote });
		await state.storage.deleteAlarm();
		return body(instance, state);
	});
}

describe("FeedbackDelivery alarm", () => {
	it("delivers the stored vote and schedules nothing more", async () => {
		const harness = await createSharedHarness();
		const aiGatewayLogId = await answeredLog(harness);
		await withCastVote(harness, aiGatewayLogId, "down", async (instance, state) => {
			await instance.alarm();
			expect(await instance.status()).toMatchObject({ state: "delivered", attempts: 1 });
			expect(await state.storage.getAlarm()).toBeNull();
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
	});

	it("retries a log the gateway has not written yet with backoff, then gives up into the dead letters", async () => {
		const harness = await createSharedHarness({ logVisibilityDelayMs: 3_600_000 });
		const aiGatewayLogId = await answeredLog(harness);
		const { retry } = readConfig(env);
		await withCastVote(harness, aiGatewayLogId, "up", async (instance, state) => {
			const before = Date.now();
			await instance.alarm();
			const status = await instance.status();
			expect(status).toMatchObject({
				state: "pending",
				attempts: 1,
				error: "the gateway has not written the log yet",
			});
			// The first retry waits between half and all of the base delay.
			const alarm = (await state.storage.getAlarm()) ?? 0;
			expect(alarm).toBeGreaterThanOrEqual(before + retry.baseMs / 2);
			expect(alarm).toBeLessThanOrEqual(Date.now() + retry.baseMs);

			// Once the retry window has passed, the next failure is final.
			const record = state.storage.kv.get<{ windowStart: number }>("vote");
			state.storage.kv.put("vote", { ...record, windowStart: Date.now() - retry.windowMs });
			await state.storage.deleteAlarm();
			await instance.alarm();
			expect(await instance.status()).toMatchObject({ state: "failed", attempts: 2 });
			expect(await state.storage.getAlarm()).toBeNull();
		});
		const res = await harness.call("/api/dead-letters", {
			headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
		});
		const { deadLetters } = (await res.json()) as {
			deadLetters: { aiGatewayLogId: string; reason: string }[];
		};
		expect(deadLetters.find((letter) => letter.aiGatewayLogId === aiGatewayLogId)?.reason).toBe(
			"gave up after 2 attempts: the gateway has not written the log yet",
		);
	});

	it("does not retry a vote the gateway rejects", async () => {
		const harness = await createSharedHarness();
		const aiGatewayLogId = await answeredLog(harness);
		await harness.fail("patchLog", 400, 1);
		await withCastVote(harness, aiGatewayLogId, "up", async (instance, state) => {
			await instance.alarm();
			expect(await instance.status()).toMatchObject({
				state: "failed",
				attempts: 1,
				error: "the gateway rejected the vote (400)",
			});
			expect(await state.storage.getAlarm()).toBeNull();
		});
	});

	it.each([408, 429, 503] as const)("retries a patchLog answered %i", async (status) => {
		const harness = await createSharedHarness();
		const aiGatewayLogId = await answeredLog(harness);
		await harness.fail("patchLog", status, 1);
		await withCastVote(harness, aiGatewayLogId, "up", async (instance, state) => {
			await instance.alarm();
			expect(await instance.status()).toMatchObject({
				state: "pending",
				attempts: 1,
				error: `the gateway failed (${status})`,
			});
			expect(await state.storage.getAlarm()).not.toBeNull();
		});
	});

	it("follows a delivery overtaken by a newer vote with another delivery at once", async () => {
		const harness = await createSharedHarness();
		const aiGatewayLogId = await answeredLog(harness);
		await withCastVote(harness, aiGatewayLogId, "up", async (instance, state) => {
			// The newer vote arrives while the older one's patchLog is in flight.
			const delivering = instance.alarm();
			await instance.cast({ aiGatewayLogId, gatewayId: harness.gatewayId, vote: "down" });
			await state.storage.deleteAlarm();
			await delivering;
			expect(await instance.status()).toMatchObject({ feedback: "down", state: "pending" });
			expect(await state.storage.getAlarm()).not.toBeNull();
			await state.storage.deleteAlarm();
			await instance.alarm();
			expect(await instance.status()).toMatchObject({ feedback: "down", state: "delivered" });
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
	});
});

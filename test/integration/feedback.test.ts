import { describe, expect, it } from "vitest";
import { signFeedbackToken } from "../../src/lib/feedback-token";
import { type ChatJson, createHarness, type ErrorJson } from "../harness";

async function answered(harness: ReturnType<typeof createHarness>, content = "Rate me") {
	const body = (await (await harness.ask(content)).json()) as ChatJson;
	if (!body.logId || !body.feedbackToken) throw new Error("answer without log id or token");
	return { logId: body.logId, token: body.feedbackToken };
}

describe("POST /api/feedback", () => {
	it("records a thumbs-down with score and comment on the answer's gateway log", async () => {
		const harness = createHarness();
		const { logId, token } = await answered(harness);
		const res = await harness.vote({
			logId,
			token,
			feedback: "down",
			score: 10,
			comment: "Wrong answer",
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ status: "recorded" });
		const log = harness.emulator.logs.peek(logId);
		expect(log?.feedback).toBe(-1);
		expect(log?.score).toBe(10);
		expect(log?.metadata).toMatchObject({ vote: "down", comment: "Wrong answer" });
	});

	it("records a thumbs-up and lets the user change their mind", async () => {
		const harness = createHarness();
		const { logId, token } = await answered(harness);
		expect((await harness.vote({ logId, token, feedback: "down" })).status).toBe(200);
		expect((await harness.vote({ logId, token, feedback: "up" })).status).toBe(200);
		const log = harness.emulator.logs.peek(logId);
		expect(log?.feedback).toBe(1);
		expect(log?.metadata.vote).toBe("up");
	});

	it("keeps the log's metadata within the gateway's 5-entry limit", async () => {
		const harness = createHarness();
		const { logId, token } = await answered(harness);
		await harness.vote({ logId, token, feedback: "up", comment: "Good" });
		const metadata = harness.emulator.logs.peek(logId)?.metadata ?? {};
		expect(Object.keys(metadata).sort()).toEqual(["app", "comment", "rated_at", "route", "vote"]);
	});

	it("waits for a log the gateway has not written yet", async () => {
		const harness = createHarness({ logVisibilityDelayMs: 500 });
		const { logId, token } = await answered(harness);
		expect(harness.emulator.logs.peek(logId)?.visible).toBe(false);
		const res = await harness.vote({ logId, token, feedback: "up" });
		expect(res.status).toBe(200);
		expect(harness.emulator.logs.peek(logId)?.feedback).toBe(1);
	});

	it("answers 503 log_not_ready with Retry-After when the log stays missing for ~2 s", async () => {
		const harness = createHarness({ logVisibilityDelayMs: 60_000 });
		const { logId, token } = await answered(harness);
		const started = Date.now();
		const res = await harness.vote({ logId, token, feedback: "up" });
		const elapsed = Date.now() - started;
		expect(res.status).toBe(503);
		expect(res.headers.get("retry-after")).toBe("5");
		expect(((await res.json()) as ErrorJson).error.code).toBe("log_not_ready");
		expect(elapsed).toBeGreaterThanOrEqual(1900);
		expect(harness.emulator.logs.peek(logId)?.feedback).toBeNull();
	});

	it("maps a gateway failure on patchLog to 502 upstream_error", async () => {
		const harness = createHarness();
		const { logId, token } = await answered(harness);
		harness.emulator.failNext("patchLog", 500);
		const res = await harness.vote({ logId, token, feedback: "up" });
		expect(res.status).toBe(502);
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_error");
	});

	describe("token checks", () => {
		const expectInvalidToken = async (res: Response) => {
			expect(res.status).toBe(403);
			expect(((await res.json()) as ErrorJson).error.code).toBe("invalid_token");
		};

		it("rejects a token issued for another answer (no rating of arbitrary logs)", async () => {
			const harness = createHarness();
			const first = await answered(harness, "first");
			const second = await answered(harness, "second");
			await expectInvalidToken(
				await harness.vote({ logId: second.logId, token: first.token, feedback: "down" }),
			);
			expect(harness.emulator.logs.peek(second.logId)?.feedback).toBeNull();
			expect(harness.emulator.logs.peek(first.logId)?.feedback).toBeNull();
		});

		it("rejects a tampered signature or expiry", async () => {
			const harness = createHarness();
			const { logId, token } = await answered(harness);
			const [version, kid, expires, signature] = token.split(".") as [
				string,
				string,
				string,
				string,
			];
			const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
			await expectInvalidToken(
				await harness.vote({
					logId,
					token: [version, kid, expires, flipped].join("."),
					feedback: "up",
				}),
			);
			const later = String(Number(expires) + 86_400);
			await expectInvalidToken(
				await harness.vote({
					logId,
					token: [version, kid, later, signature].join("."),
					feedback: "up",
				}),
			);
			await expectInvalidToken(await harness.vote({ logId, token: "not-a-token", feedback: "up" }));
		});

		it("rejects a token forged with another secret", async () => {
			const harness = createHarness();
			const { logId } = await answered(harness);
			const forged = await signFeedbackToken(logId, "attacker-secret");
			await expectInvalidToken(await harness.vote({ logId, token: forged, feedback: "up" }));
		});

		it("rejects an expired token", async () => {
			const harness = createHarness();
			const { logId } = await answered(harness);
			const eightDaysAgo = Math.floor(Date.now() / 1000) - 8 * 86_400;
			const expired = await signFeedbackToken(logId, "test-feedback-secret-0123456789abcdef", {
				now: eightDaysAgo,
			});
			await expectInvalidToken(await harness.vote({ logId, token: expired, feedback: "up" }));
		});

		it("accepts tokens of the previous secret during a key rotation, and not after", async () => {
			const before = createHarness();
			const { logId, token } = await answered(before);
			const rotating = createHarness(before.emulator, {
				FEEDBACK_SECRET: "new-feedback-secret-0123456789abcdef",
				FEEDBACK_SECRET_PREVIOUS: "test-feedback-secret-0123456789abcdef",
			});
			expect((await rotating.vote({ logId, token, feedback: "up" })).status).toBe(200);
			const fresh = await answered(rotating);
			expect(fresh.token.split(".")[1]).not.toBe(token.split(".")[1]);
			expect((await rotating.vote({ ...fresh, feedback: "up" })).status).toBe(200);

			const rotated = createHarness(before.emulator, {
				FEEDBACK_SECRET: "new-feedback-secret-0123456789abcdef",
			});
			await expectInvalidToken(await rotated.vote({ logId, token, feedback: "down" }));
			expect(before.emulator.logs.peek(logId)?.feedback).toBe(1);
		});
	});

	it("ignores a FEEDBACK_SECRET too short to be safe, as if unset", async () => {
		const harness = createHarness({}, { FEEDBACK_SECRET: "change-me" });
		const answer = (await (await harness.ask("hi")).json()) as ChatJson;
		expect(answer.logId).toBeTruthy();
		expect(answer.feedbackToken).toBeNull();
		const forged = await signFeedbackToken(answer.logId ?? "", "change-me");
		const res = await harness.vote({ logId: answer.logId, token: forged, feedback: "up" });
		expect(res.status).toBe(404);
		expect(((await res.json()) as ErrorJson).error.code).toBe("feedback_disabled");
	});

	it("is disabled (404 feedback_disabled) when FEEDBACK_SECRET is not set", async () => {
		const harness = createHarness({}, { FEEDBACK_SECRET: undefined });
		const res = await harness.vote({ logId: "abc", token: "v1.x.1.y", feedback: "up" });
		expect(res.status).toBe(404);
		expect(((await res.json()) as ErrorJson).error.code).toBe("feedback_disabled");
	});
});

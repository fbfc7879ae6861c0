import { abortAllDurableObjects } from "cloudflare:test";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { signFeedbackToken } from "../../../src/core/feedback-token";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	type ErrorJson,
	freshRateLimitWindow,
	TEST_DEBUG_TOKEN,
	type VoteStatusJson,
} from "../../harness";

type Harness = Awaited<ReturnType<typeof createSharedHarness>>;

async function answered(harness: Harness, content = "Rate me") {
	const body = (await (await harness.ask(content)).json()) as ChatJson;
	if (!body.aiGatewayLogId || !body.feedbackToken)
		throw new Error("answer without log id or token");
	return { aiGatewayLogId: body.aiGatewayLogId, token: body.feedbackToken };
}

async function expectAccepted(res: Response) {
	expect(res.status).toBe(202);
	expect(await res.json()).toEqual({ status: "accepted" });
}

async function expectSuperseded(res: Response, kept: string) {
	expect(res.status).toBe(200);
	const body = (await res.json()) as { status: string; vote: VoteStatusJson };
	expect(body.status).toBe("superseded");
	expect(body.vote.feedback).toBe(kept);
}

const expectError = async (res: Response, status: number, code: string) => {
	expect(res.status).toBe(status);
	expect(((await res.json()) as ErrorJson).error.code).toBe(code);
};

describe("POST /api/feedback: durable delivery", () => {
	it("accepts a thumbs-down with score and comment, then delivers it to the answer's log", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await expectAccepted(
			await harness.vote({ aiGatewayLogId, token, feedback: "down", score: 10, comment: "Wrong" }),
		);
		const status = await harness.settled(aiGatewayLogId, token);
		expect(status).toMatchObject({
			aiGatewayLogId,
			feedback: "down",
			state: "delivered",
			attempts: 1,
			error: null,
		});
		const log = await harness.peek(aiGatewayLogId);
		expect(log?.feedback).toBe(-1);
		expect(log?.score).toBe(10);
		expect(log?.metadata).toMatchObject({ vote: "down", comment: "Wrong" });
	});

	it("ends with the user's last vote after changes of mind, and clears a vote", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		for (const feedback of ["down", "up", "down", "up"]) {
			await expectAccepted(await harness.vote({ aiGatewayLogId, token, feedback }));
		}
		expect((await harness.settled(aiGatewayLogId, token)).feedback).toBe("up");
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(1);
		await expectAccepted(await harness.vote({ aiGatewayLogId, token, feedback: "clear" }));
		expect(await harness.settled(aiGatewayLogId, token)).toMatchObject({
			feedback: "clear",
			state: "delivered",
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBeNull();
		expect((await harness.peek(aiGatewayLogId))?.metadata.vote).toBe("clear");
	});

	// Cloudflare does not document whether patchLog merges or replaces: hold for both.
	it.each(["merge", "replace"] as const)(
		"leaves no earlier score or comment on the log when the gateway's patchLog does %s",
		async (patchMode) => {
			const harness = await createSharedHarness({ patchMode });
			const { aiGatewayLogId, token } = await answered(harness);
			await harness.vote({
				aiGatewayLogId,
				token,
				feedback: "down",
				score: 20,
				comment: "Out of date",
			});
			expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
			expect(await harness.peek(aiGatewayLogId)).toMatchObject({
				score: 20,
				metadata: { comment: "Out of date" },
			});

			await harness.vote({ aiGatewayLogId, token, feedback: "up" });
			expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
			const up = await harness.peek(aiGatewayLogId);
			expect(up).toMatchObject({ feedback: 1, score: null, metadata: { comment: "" } });
			expect(JSON.stringify(up?.metadata)).not.toContain("Out of date");

			await harness.vote({
				aiGatewayLogId,
				token,
				feedback: "down",
				score: 5,
				comment: "Still wrong",
			});
			expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
			// A withdrawal carries no comment: one that brings one is refused, and changes nothing.
			const withComment = { aiGatewayLogId, token, feedback: "clear", comment: "ignored on clear" };
			await expectError(await harness.vote(withComment), 400, "invalid_request");
			expect(await harness.peek(aiGatewayLogId)).toMatchObject({ feedback: -1, score: 5 });
			await harness.vote({ aiGatewayLogId, token, feedback: "clear" });
			expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
			const cleared = await harness.peek(aiGatewayLogId);
			expect(cleared).toMatchObject({ feedback: null, score: null, metadata: { comment: "" } });
			expect(cleared?.metadata.vote).toBe("clear");
			expect(JSON.stringify(cleared?.metadata)).not.toMatch(/Still wrong|ignored on clear/);
		},
	);

	it("orders votes by sequence, so late or repeated deliveries cannot undo a newer vote", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await expectAccepted(
			await harness.vote({ aiGatewayLogId, token, feedback: "up", sequence: 3 }),
		);
		await expectSuperseded(
			await harness.vote({ aiGatewayLogId, token, feedback: "down", sequence: 2 }),
			"up",
		);
		await expectSuperseded(
			await harness.vote({ aiGatewayLogId, token, feedback: "down", sequence: 3 }),
			"up",
		);
		// The same vote sent again (a client's retry) is still accepted.
		await expectAccepted(
			await harness.vote({ aiGatewayLogId, token, feedback: "up", sequence: 3 }),
		);
		expect(await harness.settled(aiGatewayLogId, token)).toMatchObject({
			feedback: "up",
			state: "delivered",
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(1);
	});

	it("rejects a sequence far ahead of the clock, and never freezes a log at the largest one", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		for (const sequence of [Number.MAX_SAFE_INTEGER, Date.now() + 2 * 24 * 3600_000]) {
			const res = await harness.vote({ aiGatewayLogId, token, feedback: "up", sequence });
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({
				error: {
					code: "invalid_request",
					message:
						"sequence: must be a millisecond timestamp at most a day ahead of the server's clock",
				},
			});
		}
		// The largest accepted sequence still has successors: votes without one keep counting.
		const furthest = Date.now() + 23 * 3600_000;
		await expectAccepted(
			await harness.vote({ aiGatewayLogId, token, feedback: "up", sequence: furthest }),
		);
		for (const feedback of ["down", "up", "down"]) {
			await expectAccepted(await harness.vote({ aiGatewayLogId, token, feedback }));
		}
		expect(await harness.settled(aiGatewayLogId, token)).toMatchObject({
			feedback: "down",
			state: "delivered",
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
	});

	it("keeps the log's metadata within the gateway's 5-entry limit", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "up", comment: "Good" });
		await harness.settled(aiGatewayLogId, token);
		const metadata = (await harness.peek(aiGatewayLogId))?.metadata ?? {};
		expect(Object.keys(metadata).sort()).toEqual(["comment", "rated_at", "route", "vote"]);
	});

	it("answers at once when the gateway has not written the log yet, and delivers once it has", async () => {
		const harness = await createSharedHarness({ logVisibilityDelayMs: 300 });
		const { aiGatewayLogId, token } = await answered(harness);
		expect((await harness.peek(aiGatewayLogId))?.visible).toBe(false);
		await expectAccepted(await harness.vote({ aiGatewayLogId, token, feedback: "up" }));
		// Acknowledged before the gateway could take it: the log is still unwritten.
		expect((await harness.peek(aiGatewayLogId))?.visible).toBe(false);
		const status = await harness.settled(aiGatewayLogId, token);
		expect(status.state).toBe("delivered");
		expect(status.attempts).toBeGreaterThan(1);
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(1);
	});

	it("retries gateway 5xx and 429 answers with backoff", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.fail("patchLog", 500, 2);
		await harness.fail("patchLog", 429, 1);
		await harness.vote({ aiGatewayLogId, token, feedback: "down" });
		expect(await harness.settled(aiGatewayLogId, token)).toMatchObject({
			state: "delivered",
			attempts: 4,
		});
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
	});

	it("does not retry a 4xx other than not-found: the vote fails and goes to the dead letters", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.fail("patchLog", 400, 1);
		await harness.vote({ aiGatewayLogId, token, feedback: "down" });
		const status = await harness.settled(aiGatewayLogId, token);
		expect(status).toMatchObject({
			state: "failed",
			attempts: 1,
			error: "the gateway rejected the vote (400)",
		});
		const letters = await deadLetters(harness);
		expect(letters.find((letter) => letter.aiGatewayLogId === aiGatewayLogId)).toMatchObject({
			vote: "down",
			attempts: 1,
			reason: "the gateway rejected the vote (400)",
		});
	});

	it("gives up after the retry window, keeps the vote as a dead letter, and replays it", async () => {
		const harness = await createSharedHarness({ patchLogFailureRate: 1 });
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		await harness.closeRetryWindow(aiGatewayLogId, token, 4);
		const failed = await harness.settled(aiGatewayLogId, token);
		expect(failed.state).toBe("failed");
		expect(failed.attempts).toBeGreaterThan(4);
		const letter = (await deadLetters(harness)).find(
			(entry) => entry.aiGatewayLogId === aiGatewayLogId,
		);
		expect(letter?.reason).toMatch(/^gave up after \d+ attempts: the gateway failed \(500\)$/);

		await harness.configure({ patchLogFailureRate: 0 });
		const replay = await harness.postJson(
			"/api/dead-letters/replay",
			{ aiGatewayLogIds: [aiGatewayLogId] },
			{ headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` } },
		);
		expect(await replay.json()).toEqual({ replayed: [aiGatewayLogId] });
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(1);
		expect(
			(await deadLetters(harness)).some((entry) => entry.aiGatewayLogId === aiGatewayLogId),
		).toBe(false);
	}, 60_000);

	it("refuses a replay body that is not a JSON object, and replays nothing", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.fail("patchLog", 400, 1);
		await harness.vote({ aiGatewayLogId, token, feedback: "down" });
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("failed");
		for (const body of [[aiGatewayLogId], [], null, "all", 1]) {
			const res = await harness.postJson("/api/dead-letters/replay", body, {
				headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
			});
			expect(res.status, JSON.stringify(body)).toBe(400);
			expect(await res.json(), JSON.stringify(body)).toEqual({
				error: { code: "invalid_request", message: "body: must be a JSON object" },
			});
		}
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("failed");
		expect(
			(await deadLetters(harness)).some((entry) => entry.aiGatewayLogId === aiGatewayLogId),
		).toBe(true);
	});

	it("takes a new vote on a dead-lettered log and drops the dead letter", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.fail("patchLog", 400, 1);
		await harness.vote({ aiGatewayLogId, token, feedback: "down" });
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("failed");
		await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		expect((await harness.settled(aiGatewayLogId, token)).state).toBe("delivered");
		expect(
			(await deadLetters(harness)).some((entry) => entry.aiGatewayLogId === aiGatewayLogId),
		).toBe(false);
	});

	it("survives a restart of its Durable Object in the middle of retrying", async () => {
		const harness = await createSharedHarness({ logVisibilityDelayMs: 400 });
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "down" });
		const before = await vi.waitFor(async () => {
			const status = (await (
				await harness.voteStatus(aiGatewayLogId, token)
			).json()) as VoteStatusJson;
			expect(status.attempts).toBeGreaterThan(0);
			return status;
		});
		expect(before.state).toBe("pending");
		await abortAllDurableObjects();
		const after = await harness.settled(aiGatewayLogId, token);
		expect(after.state).toBe("delivered");
		expect(after.attempts).toBeGreaterThan(before.attempts);
		expect((await harness.peek(aiGatewayLogId))?.feedback).toBe(-1);
	});
});

describe("GET /api/feedback/:logId", () => {
	it("needs the answer's feedback token", async () => {
		const harness = await createSharedHarness();
		const first = await answered(harness, "first");
		const second = await answered(harness, "second");
		await harness.vote({ ...first, feedback: "up" });
		await expectError(
			await harness.call(`/api/feedback/${first.aiGatewayLogId}`),
			401,
			"unauthorized",
		);
		await expectError(
			await harness.voteStatus(first.aiGatewayLogId, second.token),
			403,
			"invalid_token",
		);
		await expectError(
			await harness.voteStatus(second.aiGatewayLogId, second.token),
			404,
			"not_found",
		);
		expect((await harness.voteStatus(first.aiGatewayLogId, first.token)).status).toBe(200);
		await expectError(await harness.voteStatus("bad!id", first.token), 400, "invalid_request");
	});
});

describe("POST /api/feedback: token checks", () => {
	it("rejects a token issued for another answer (no rating of arbitrary logs)", async () => {
		const harness = await createSharedHarness();
		const first = await answered(harness, "first");
		const second = await answered(harness, "second");
		await expectError(
			await harness.vote({
				aiGatewayLogId: second.aiGatewayLogId,
				token: first.token,
				feedback: "down",
			}),
			403,
			"invalid_token",
		);
		await expectError(
			await harness.voteStatus(second.aiGatewayLogId, second.token),
			404,
			"not_found",
		);
	});

	it("rejects a tampered signature or expiry", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		const [version, kid, expires, signature] = token.split(".") as [string, string, string, string];
		const flipped = `${signature.slice(0, -2)}${signature.endsWith("AA") ? "BB" : "AA"}`;
		const later = String(Number(expires) + 86_400);
		for (const forged of [
			[version, kid, expires, flipped],
			[version, kid, later, signature],
		]) {
			await expectError(
				await harness.vote({ aiGatewayLogId, token: forged.join("."), feedback: "up" }),
				403,
				"invalid_token",
			);
		}
		await expectError(
			await harness.vote({ aiGatewayLogId, token: "not-a-token", feedback: "up" }),
			403,
			"invalid_token",
		);
	});

	it("rejects a token forged with another secret, and an expired one", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId } = await answered(harness);
		const forged = await signFeedbackToken(aiGatewayLogId, "attacker-secret-0123456789abcdefghij");
		await expectError(
			await harness.vote({ aiGatewayLogId, token: forged, feedback: "up" }),
			403,
			"invalid_token",
		);
		const eightDaysAgo = Math.floor(Date.now() / 1000) - 8 * 86_400;
		const expired = await signFeedbackToken(
			aiGatewayLogId,
			"test-feedback-secret-0123456789abcdef",
			{
				now: eightDaysAgo,
			},
		);
		await expectError(
			await harness.vote({ aiGatewayLogId, token: expired, feedback: "up" }),
			403,
			"invalid_token",
		);
	});

	it("accepts tokens of the previous secret during a key rotation, and not after", async () => {
		const before = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(before);
		const rotating = {
			FEEDBACK_SECRET: "new-feedback-secret-0123456789abcdef",
			FEEDBACK_SECRET_PREVIOUS: "test-feedback-secret-0123456789abcdef",
		};
		const during = await createSharedHarness({}, { AI_GATEWAY_ID: before.gatewayId, ...rotating });
		await expectAccepted(await during.vote({ aiGatewayLogId, token, feedback: "up" }));
		const fresh = await answered(during);
		expect(fresh.token.split(".")[1]).not.toBe(token.split(".")[1]);
		await expectAccepted(await during.vote({ ...fresh, feedback: "up" }));
		const after = await createSharedHarness(
			{},
			{ AI_GATEWAY_ID: before.gatewayId, FEEDBACK_SECRET: rotating.FEEDBACK_SECRET },
		);
		await expectError(
			await after.vote({ aiGatewayLogId, token, feedback: "down" }),
			403,
			"invalid_token",
		);
		expect((await before.settled(aiGatewayLogId, token)).feedback).toBe("up");
	});

	it("ignores a FEEDBACK_SECRET too short to be safe, as if unset", async () => {
		const harness = createHarness({}, { FEEDBACK_SECRET: "change-me" });
		const answer = (await (await harness.ask("hi")).json()) as ChatJson;
		expect(answer.aiGatewayLogId).toBeTruthy();
		expect(answer.feedbackToken).toBeNull();
		const forged = await signFeedbackToken(answer.aiGatewayLogId ?? "", "change-me");
		await expectError(
			await harness.vote({ aiGatewayLogId: answer.aiGatewayLogId, token: forged, feedback: "up" }),
			404,
			"feedback_disabled",
		);
	});

	it("is disabled (404 feedback_disabled) when FEEDBACK_SECRET is not set", async () => {
		const harness = createHarness({}, { FEEDBACK_SECRET: undefined });
		await expectError(
			await harness.vote({ aiGatewayLogId: "abc", token: "v1.x.1.y", feedback: "up" }),
			404,
			"feedback_disabled",
		);
		await expectError(await harness.voteStatus("abc", "v1.x.1.y"), 404, "feedback_disabled");
	});
});

describe("rate limits", () => {
	// Each test fills a one-minute window, so it must not start near the window's end.
	beforeEach(() => freshRateLimitWindow(), 15_000);

	it("limits feedback per client with 429 rate_limited and Retry-After", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		const statuses: number[] = [];
		for (let i = 0; i < 61; i++)
			statuses.push((await harness.vote({ aiGatewayLogId, token, feedback: "up" })).status);
		expect(statuses.slice(0, 60).every((status) => status === 202)).toBe(true);
		const limited = await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		await expectError(limited, 429, "rate_limited");
		expect(limited.headers.get("retry-after")).toBe("60");
		// Another client is not affected.
		const other = await createSharedHarness({}, { AI_GATEWAY_ID: harness.gatewayId });
		expect((await other.vote({ aiGatewayLogId, token, feedback: "up" })).status).toBe(202);
	});

	it("limits status reads per client generously (300 a minute), for pages that poll", async () => {
		const harness = await createSharedHarness();
		const { aiGatewayLogId, token } = await answered(harness);
		await harness.vote({ aiGatewayLogId, token, feedback: "up" });
		const statuses = await Promise.all(
			Array.from(
				{ length: 300 },
				async () => (await harness.voteStatus(aiGatewayLogId, token)).status,
			),
		);
		expect(statuses.every((status) => status === 200)).toBe(true);
		const limited = await harness.voteStatus(aiGatewayLogId, token);
		await expectError(limited, 429, "rate_limited");
		expect(limited.headers.get("retry-after")).toBe("60");
	});

	it("limits chat per client", async () => {
		const harness = createHarness();
		const statuses: number[] = [];
		for (let i = 0; i < 21; i++) statuses.push((await harness.ask("hi")).status);
		expect(statuses.filter((status) => status === 200)).toHaveLength(20);
		expect(statuses[20]).toBe(429);
		expect(harness.emulator.runs).toHaveLength(20);
	});
});

async function deadLetters(harness: Harness) {
	const res = await harness.call("/api/dead-letters", {
		headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
	});
	expect(res.status).toBe(200);
	return (
		(await res.json()) as {
			deadLetters: { aiGatewayLogId: string; vote: string; attempts: number; reason: string }[];
		}
	).deadLetters;
}

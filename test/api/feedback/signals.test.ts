/**
 * POST /api/feedback/signal: implicit signals (regenerate, copy) on an answer, signed by its
 * feedback token like a vote, rate-limited with the votes, stored as a flag per answer and
 * signal, and counted by GET /api/admin/stats beside the thumbs, never in the up-rate.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { signFeedbackToken } from "../../../src/core/feedback-token";
import { DAY_MS } from "../../../src/core/time";
import { createHarness, type ErrorJson, freshRateLimitWindow } from "../../harness";
import { db, seed, TEST_ADMIN_TOKEN, testModel } from "../../store/helpers";

const SECRET = "test-feedback-secret-0123456789abcdef";

const signed = async (aiGatewayLogId: string) => ({
	aiGatewayLogId,
	token: await signFeedbackToken(aiGatewayLogId, SECRET),
});

function signals(overrides: Partial<Cloudflare.Env> = {}) {
	const harness = createHarness({}, overrides);
	const send = (body: unknown) => harness.postJson("/api/feedback/signal", body);
	return { ...harness, send };
}

const expectError = async (res: Response, status: number, code: string, message?: RegExp) => {
	expect(res.status).toBe(status);
	const { error } = (await res.json()) as ErrorJson;
	expect(error.code).toBe(code);
	if (message) expect(error.message).toMatch(message);
};

const flags = (aiGatewayLogId: string) =>
	db()
		.prepare("SELECT regenerated, copied FROM answer_signals WHERE ai_gateway_log_id = ?")
		.bind(aiGatewayLogId)
		.first();

describe("POST /api/feedback/signal", () => {
	it("records regenerate and copy once an answer, and the stats count them beside the thumbs", async () => {
		const model = testModel("signals");
		const id = (n: number) => `signals-${model.slice(-8)}-${n}`;
		const day = Date.UTC(2026, 10, 20, 12);
		await seed([
			{ id: id(1), model, createdAt: day, totalMs: 100, vote: "up" },
			{ id: id(2), model, createdAt: day + 1, totalMs: 100, vote: "down" },
			{ id: id(3), model, createdAt: day + DAY_MS, totalMs: 100 },
		]);
		const { send, call } = signals();
		const sent: [number, string][] = [
			[1, "copy"],
			[1, "copy"],
			[1, "regenerate"],
			[2, "copy"],
			[3, "regenerate"],
			[3, "regenerate"],
			[3, "regenerate"],
		];
		for (const [n, signal] of sent) {
			const res = await send({ ...(await signed(id(n))), signal });
			expect(res.status, await res.clone().text()).toBe(200);
			expect(await res.json()).toEqual({ status: "recorded" });
		}
		expect(await flags(id(1))).toEqual({ regenerated: 1, copied: 1 });
		expect(await flags(id(2))).toEqual({ regenerated: 0, copied: 1 });
		expect(await flags(id(3))).toEqual({ regenerated: 1, copied: 0 });

		const since = new Date(day).toISOString();
		const until = new Date(day + 2 * DAY_MS).toISOString();
		const res = await call(
			`/api/admin/stats?model=${encodeURIComponent(model)}&since=${since}&until=${until}`,
			{
				headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
			},
		);
		const stats = (await res.json()) as {
			models: Record<string, unknown>[];
			days: Record<string, unknown>[];
		};
		// The thumbs as they were: one up, one down, an up-rate of 0.5.
		expect(stats.models).toEqual([
			expect.objectContaining({
				model,
				answers: 3,
				up: 1,
				down: 1,
				upRate: 0.5,
				regenerated: 2,
				copied: 2,
			}),
		]);
		expect(stats.days.map((row) => [row.day, row.answers, row.regenerated, row.copied])).toEqual([
			["2026-11-20", 2, 1, 2],
			["2026-11-21", 1, 1, 0],
		]);
	});

	it("is signed by the answer's feedback token", async () => {
		const { send } = signals();
		const first = await signed(`signal-${crypto.randomUUID()}`);
		const second = await signed(`signal-${crypto.randomUUID()}`);
		await expectError(
			await send({ aiGatewayLogId: second.aiGatewayLogId, token: first.token, signal: "copy" }),
			403,
			"invalid_token",
		);
		await expectError(
			await send({ ...first, token: `${first.token.slice(0, -2)}AA`, signal: "copy" }),
			403,
			"invalid_token",
		);
		expect(await flags(second.aiGatewayLogId)).toBeNull();
		expect(await flags(first.aiGatewayLogId)).toBeNull();
	});

	it("says what is wrong with a body in words, with a stable code", async () => {
		const { send } = signals();
		const ok = await signed(`signal-${crypto.randomUUID()}`);
		await expectError(
			await send({ ...ok, signal: "share" }),
			400,
			"invalid_request",
			/^signal: must be 'regenerate' or 'copy'$/,
		);
		await expectError(
			await send({ ...ok }),
			400,
			"invalid_request",
			/^signal: is required; send 'regenerate' or 'copy'$/,
		);
		await expectError(
			await send({ ...ok, signal: "copy", feedback: "up" }),
			400,
			"invalid_request",
			/^feedback: unknown key/,
		);
		await expectError(
			await send({ token: ok.token, signal: "copy" }),
			400,
			"invalid_request",
			/^aiGatewayLogId: is required/,
		);
		expect(await flags(ok.aiGatewayLogId)).toBeNull();
	});

	it("is disabled (404 feedback_disabled) when FEEDBACK_SECRET is not set", async () => {
		const { send } = signals({ FEEDBACK_SECRET: undefined });
		await expectError(
			await send({ aiGatewayLogId: "abc", token: "v1.x.1.y", signal: "copy" }),
			404,
			"feedback_disabled",
		);
	});
});

describe("POST /api/feedback/signal: rate limit", () => {
	beforeEach(() => freshRateLimitWindow(), 15_000);

	it("counts against the votes' limit per client (60 a minute): 429 rate_limited for both", async () => {
		const { send, vote } = signals();
		const body = { ...(await signed(`signal-${crypto.randomUUID()}`)), signal: "copy" };
		const statuses: number[] = [];
		for (let i = 0; i < 60; i++) statuses.push((await send(body)).status);
		expect(statuses.every((status) => status === 200)).toBe(true);
		const limited = await send(body);
		await expectError(limited, 429, "rate_limited");
		expect(limited.headers.get("retry-after")).toBe("60");
		await expectError(
			await vote({ ...body, signal: undefined, feedback: "up" }),
			429,
			"rate_limited",
		);
	});
});

import { describe, expect, it, onTestFinished, vi } from "vitest";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	type ErrorJson,
	TEST_DEBUG_TOKEN,
} from "../../harness";

describe("GET /api/logs/:logId (debug)", () => {
	it("returns the gateway log, with the feedback a vote recorded", async () => {
		const harness = await createSharedHarness();
		const answer = (await (await harness.ask("Inspect me")).json()) as ChatJson;
		const aiGatewayLogId = answer.aiGatewayLogId ?? "";
		await harness.vote({ aiGatewayLogId, token: answer.feedbackToken, feedback: "down", score: 5 });
		await harness.settled(aiGatewayLogId, answer.feedbackToken);
		const res = await harness.debugLog(aiGatewayLogId);
		expect(res.status).toBe(200);
		const log = (await res.json()) as Record<string, unknown>;
		expect(log).toMatchObject({
			id: aiGatewayLogId,
			provider: "workers-ai",
			model: answer.model,
			status_code: 200,
			success: true,
			feedback: -1,
			score: 5,
			metadata: { route: "/api/chat", vote: "down" },
		});
		// getLog turns created_at into a Date; it travels as an ISO string.
		expect(new Date(String(log.created_at)).toISOString()).toBe(log.created_at);
	});

	it("is never cached on the way: every debug answer carries Cache-Control no-store", async () => {
		const harness = await createSharedHarness();
		const answer = (await (await harness.ask("Keep me private")).json()) as ChatJson;
		const auth = { authorization: `Bearer ${TEST_DEBUG_TOKEN}` };
		for (const path of [
			`/api/logs/${answer.aiGatewayLogId}`,
			"/api/dead-letters",
			"/api/dead-letters/answers",
		]) {
			const res = await harness.call(path, { headers: auth });
			expect(res.status, path).toBe(200);
			expect(res.headers.get("cache-control"), path).toBe("no-store");
		}
	});

	it("answers 404 log_not_found for an unknown log", async () => {
		const res = await createHarness().debugLog("01jxyz0000000000000000000a");
		expect(res.status).toBe(404);
		expect(((await res.json()) as ErrorJson).error.code).toBe("log_not_found");
	});

	it.each([
		["no header", undefined],
		["a wrong token", "Bearer wrong-token"],
		["a token that only shares a prefix", `Bearer ${TEST_DEBUG_TOKEN}x`],
		["a prefix of the token", `Bearer ${TEST_DEBUG_TOKEN.slice(0, -1)}`],
		["an empty bearer token", "Bearer "],
		["another scheme", `Basic ${TEST_DEBUG_TOKEN}`],
	])("answers 401 unauthorized with %s", async (_name, authorization) => {
		const { call } = createHarness();
		const res = await call("/api/logs/abc", { headers: authorization ? { authorization } : {} });
		expect(res.status).toBe(401);
		expect(res.headers.get("www-authenticate")).toMatch(/^Bearer/);
		expect(((await res.json()) as ErrorJson).error.code).toBe("unauthorized");
	});

	it("does not exist (404 not_found) when DEBUG_TOKEN is not set", async () => {
		const harness = createHarness({}, { DEBUG_TOKEN: undefined });
		for (const authorization of ["", "Bearer ", `Bearer ${TEST_DEBUG_TOKEN}`]) {
			const res = await harness.call("/api/logs/abc", { headers: { authorization } });
			expect(res.status).toBe(404);
			expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
		}
	});

	it("does not exist when DEBUG_TOKEN is too short to be safe", async () => {
		const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
		onTestFinished(() => warnings.mockRestore());
		const { call } = createHarness({}, { DEBUG_TOKEN: "debug" });
		const res = await call("/api/logs/abc", { headers: { authorization: "Bearer debug" } });
		expect(res.status).toBe(404);
		// Said once where the operator looks, so a placeholder token is not a mystery.
		expect(warnings).toHaveBeenCalledWith(
			JSON.stringify({
				message: "secret too short, ignored",
				setting: "DEBUG_TOKEN",
				minChars: 32,
			}),
		);
	});

	it("rejects a malformed log id", async () => {
		const res = await createHarness().debugLog("bad%20id!");
		expect(res.status).toBe(400);
		expect(((await res.json()) as ErrorJson).error).toEqual({
			code: "invalid_request",
			message: expect.stringMatching(/^logId: /),
		});
	});

	it("maps a gateway failure on getLog to 502 upstream_error", async () => {
		const harness = createHarness();
		harness.emulator.failNext("getLog", 500);
		const res = await harness.debugLog("abc");
		expect(res.status).toBe(502);
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_error");
	});
});

import { describe, expect, it, vi } from "vitest";
import { signFeedbackToken } from "../../src/core/feedback-token";
import { LIMITS } from "../../src/core/limits";
import { createHarness, type ErrorJson } from "../harness";

const user = (content: string) => ({ role: "user", content });

async function expectError(res: Response, status: number, code: string, message?: RegExp) {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const body = (await res.json()) as ErrorJson;
	expect(Object.keys(body)).toEqual(["error"]);
	expect(body.error.code).toBe(code);
	if (message) expect(body.error.message).toMatch(message);
	expect(body.error.message).not.toMatch(/\bat .*:\d+:\d+|test-feedback-secret|test-debug-token/);
	return body;
}

describe("request validation", () => {
	it("rejects malformed JSON with invalid_json", async () => {
		const { call } = createHarness();
		const res = await call("/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: '{"messages": [',
		});
		await expectError(res, 400, "invalid_json");
	});

	it.each([
		["a non-object body", [1, 2], /^body: /],
		["missing messages", {}, /^messages: /],
		["no messages", { messages: [] }, /^messages: must hold at least 1/],
		[
			"too many messages",
			{ messages: Array.from({ length: 51 }, () => user("x")) },
			/^messages: must hold at most 50/,
		],
		["a bad role", { messages: [{ role: "tool", content: "x" }] }, /^messages\[0\]\.role: /],
		[
			"a non-string content",
			{ messages: [{ role: "user", content: 42 }] },
			/^messages\[0\]\.content: must be a string/,
		],
		[
			"an over-long content",
			{ messages: [user("x"), user("y".repeat(16_001))] },
			/^messages\[1\]\.content: must be at most 16000/,
		],
		[
			"a string stream flag",
			{ messages: [user("x")], stream: "yes" },
			/^stream: must be a boolean/,
		],
		[
			"max_tokens of 0",
			{ messages: [user("x")], max_tokens: 0 },
			/^max_tokens: must be at least 1/,
		],
		[
			"max_tokens over 4096",
			{ messages: [user("x")], max_tokens: 4097 },
			/^max_tokens: must be at most 4096/,
		],
		[
			"fractional max_tokens",
			{ messages: [user("x")], max_tokens: 1.5 },
			/^max_tokens: must be an integer/,
		],
		[
			"temperature over 2",
			{ messages: [user("x")], temperature: 2.5 },
			/^temperature: must be at most 2/,
		],
		[
			"negative temperature",
			{ messages: [user("x")], temperature: -1 },
			/^temperature: must be at least 0/,
		],
		["a numeric model", { messages: [user("x")], model: 7 }, /^model: must be a string/],
	])(
		"rejects %s on /api/chat with invalid_request naming the field",
		async (_name, body, message) => {
			const { postJson, emulator } = createHarness();
			await expectError(await postJson("/api/chat", body), 400, "invalid_request", message);
			expect(emulator.runs).toHaveLength(0);
		},
	);

	it.each([
		["a bad vote", { feedback: "meh" }, /^feedback: must be 'up', 'down' or 'clear'/],
		["a score over 100", { feedback: "up", score: 101 }, /^score: must be at most 100/],
		["a negative score", { feedback: "up", score: -1 }, /^score: must be at least 0/],
		[
			"a long comment",
			{ feedback: "up", comment: "x".repeat(1001) },
			/^comment: must be at most 1000/,
		],
		["a bad log id", { feedback: "up", aiGatewayLogId: "../../etc" }, /^aiGatewayLogId: /],
		["a missing token", { feedback: "up", token: undefined }, /^token: /],
	])(
		"rejects %s on /api/feedback with invalid_request naming the field",
		async (_name, patch, message) => {
			const { vote } = createHarness();
			const body = { aiGatewayLogId: "01jabc", token: "v1.a.1.b", ...patch };
			await expectError(await vote(body), 400, "invalid_request", message);
		},
	);

	it("rejects a model outside ALLOWED_MODELS with model_not_allowed", async () => {
		const { ask, emulator } = createHarness();
		await expectError(
			await ask("hi", { model: "@cf/some/other-model" }),
			400,
			"model_not_allowed",
			/^model: /,
		);
		expect(emulator.runs).toHaveLength(0);
	});

	it("accepts every model of ALLOWED_MODELS", async () => {
		const { ask, env } = createHarness();
		for (const model of env.ALLOWED_MODELS.split(",")) {
			expect((await ask("hi", { model })).status).toBe(200);
		}
	});

	it.each([
		["no content type", undefined],
		["text/plain", "text/plain"],
		["form data", "application/x-www-form-urlencoded"],
	])("rejects %s with unsupported_media_type", async (_name, contentType) => {
		const { call } = createHarness();
		const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
		const res = await call("/api/chat", {
			method: "POST",
			headers,
			body: JSON.stringify({ messages: [user("x")] }),
		});
		await expectError(res, 415, "unsupported_media_type");
	});

	it("accepts JSON with a charset", async () => {
		const { call } = createHarness();
		const res = await call("/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json; charset=utf-8" },
			body: JSON.stringify({ messages: [user("x")] }),
		});
		expect(res.status).toBe(200);
	});

	it("rejects a body over 64 KiB with payload_too_large", async () => {
		const { postJson, emulator } = createHarness();
		const content = "x".repeat(15_000);
		const body = { messages: Array.from({ length: 5 }, () => user(content)) };
		expect(JSON.stringify(body).length).toBeGreaterThan(LIMITS.bodyBytes);
		await expectError(await postJson("/api/chat", body), 413, "payload_too_large");
		expect(emulator.runs).toHaveLength(0);
	});

	it("rejects an over-long streamed body without a Content-Length", async () => {
		const { call } = createHarness();
		const chunk = new TextEncoder().encode("x".repeat(16 * 1024));
		let sent = 0;
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				if (sent++ < 6) controller.enqueue(chunk);
				else controller.close();
			},
		});
		const res = await call("/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body,
			// @ts-expect-error `duplex` is required by the fetch spec for stream bodies
			duplex: "half",
		});
		await expectError(res, 413, "payload_too_large");
	});

	it.each(["/api/chat", "/v1/chat/completions"])(
		"answers a client that leaves mid-body on %s with 400 incomplete_body, logging no error",
		async (path) => {
			const { call, emulator } = createHarness();
			const errors = vi.spyOn(console, "error");
			let sent = false;
			// A chunked upload whose connection is lost after its first bytes.
			const body = new ReadableStream<Uint8Array>({
				pull(controller) {
					if (sent) return controller.error(new Error("Network connection lost."));
					sent = true;
					controller.enqueue(new TextEncoder().encode('{"mes'));
				},
			});
			const res = await call(path, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body,
				// @ts-expect-error `duplex` is required by the fetch spec for stream bodies
				duplex: "half",
			});
			expect(res.status).toBe(400);
			expect(((await res.json()) as ErrorJson).error.code).toBe("incomplete_body");
			expect(errors).not.toHaveBeenCalled();
			expect(emulator.runs).toHaveLength(0);
			errors.mockRestore();
		},
	);

	it.each(["gzip", "br", "deflate"])(
		"refuses a body sent with Content-Encoding: %s with 415 instead of reading it as text",
		async (encoding) => {
			const { call, emulator } = createHarness();
			const compressed = new Response(
				new Blob([JSON.stringify({ messages: [user("hi")] })])
					.stream()
					.pipeThrough(new CompressionStream("gzip")),
			);
			const res = await call("/api/chat", {
				method: "POST",
				headers: { "content-type": "application/json", "content-encoding": encoding },
				body: await compressed.arrayBuffer(),
			});
			await expectError(res, 415, "unsupported_media_type", /Content-Encoding/);
			expect(emulator.runs).toHaveLength(0);
		},
	);
});

describe("routing errors", () => {
	it("answers not_found for unknown paths", async () => {
		const { call } = createHarness();
		await expectError(await call("/api/nope"), 404, "not_found");
	});

	it.each([
		["GET", "/api/chat", "POST"],
		["PUT", "/api/feedback", "POST"],
		["DELETE", "/api/chat", "POST"],
	])("answers %s %s with method_not_allowed and Allow", async (method, path, allowed) => {
		const { call } = createHarness();
		const res = await call(path, { method });
		await expectError(res, 405, "method_not_allowed");
		expect(res.headers.get("allow")).toBe(allowed);
	});
});

describe("upstream failures", () => {
	it("passes on a 429 as rate_limited with Retry-After", async () => {
		const { ask, emulator } = createHarness();
		emulator.failNext("run", 429);
		const res = await ask("hi");
		await expectError(res, 429, "rate_limited");
		expect(res.headers.get("retry-after")).toBe("2");
	});

	it.each([500, 502, 503])("maps an upstream %i to 502 upstream_error", async (status) => {
		const { ask, emulator } = createHarness();
		emulator.failNext("run", status as 500 | 502 | 503);
		await expectError(await ask("hi"), 502, "upstream_error", /^The AI service failed to answer$/);
	});

	it("maps an upstream 400 to invalid_request", async () => {
		const { ask, emulator } = createHarness();
		emulator.failNext("run", 400);
		await expectError(await ask("hi"), 400, "invalid_request", /model rejected/);
	});

	it("maps the gateway's request timeout to 504 upstream_timeout", async () => {
		const { ask, emulator } = createHarness({ responseDelayMs: 1000 }, { AI_TIMEOUT_MS: "100" });
		await expectError(await ask("hi"), 504, "upstream_timeout");
		expect(emulator.runs[0]?.status).toBe(504);
	});

	it("gives up with 504 upstream_timeout when the binding itself does not answer in time", async () => {
		// Headers arrive at once, so the gateway's first-byte timeout never fires; the body never comes.
		const { ask, emulator } = createHarness({}, { AI_TIMEOUT_MS: "150" });
		emulator.holdNextResponse();
		const started = Date.now();
		await expectError(await ask("hi"), 504, "upstream_timeout");
		// The Worker's backstop is the gateway's timeout plus a one-second grace (a timer never
		// fires early; were there no backstop, the held body would outlast the test's timeout).
		expect(Date.now() - started).toBeGreaterThanOrEqual(1150);
		expect(emulator.runs[0]?.aborted).toBe(true);
	});

	it("counts a stream's timeout only until its first byte", async () => {
		const { ask } = createHarness({ tokenDelayMs: 60 }, { AI_TIMEOUT_MS: "100" });
		const res = await ask("hi", { stream: true, max_tokens: 4 });
		expect(res.status).toBe(200);
		const text = await res.text();
		expect(text).toContain("data: [DONE]");
		expect(text).not.toContain("event: error");
	});

	it("hides internal errors behind a generic internal_error", async () => {
		const brokenStorage = {
			getByName() {
				throw new TypeError("secret detail from inside");
			},
		} as unknown as Cloudflare.Env["FEEDBACK_DELIVERY"];
		const { vote } = createHarness({}, { FEEDBACK_DELIVERY: brokenStorage });
		const valid = await signFeedbackToken("abc", "test-feedback-secret-0123456789abcdef");
		const res = await vote({ aiGatewayLogId: "abc", token: valid, feedback: "up" });
		const body = await expectError(res, 500, "internal_error", /^Internal error$/);
		expect(JSON.stringify(body)).not.toContain("secret detail");
	});
});

describe("rate limiting without its binding", () => {
	it("lets requests through when the limiter is removed from wrangler.jsonc", async () => {
		const harness = createHarness({}, { CHAT_RATE_LIMITER: undefined });
		const statuses = [];
		for (let i = 0; i < 25; i++) statuses.push((await harness.ask("hi")).status);
		expect(statuses.every((status) => status === 200)).toBe(true);
	});
});

import { describe, expect, it, vi } from "vitest";
import { signFeedbackToken } from "../../src/core/feedback-token";
import { LIMITS } from "../../src/core/limits";
import { createHarness, type ErrorJson, VALIBOT_DEFAULT_WORDING } from "../harness";

const user = (content: string) => ({ role: "user", content });
const SECRET = "test-feedback-secret-0123456789abcdef";

async function expectError(res: Response, status: number, code: string, message?: RegExp) {
	expect(res.status).toBe(status);
	expect(res.headers.get("content-type")).toMatch(/^application\/json/);
	const body = (await res.json()) as ErrorJson;
	expect(Object.keys(body)).toEqual(["error"]);
	expect(body.error.code).toBe(code);
	if (message) expect(body.error.message).toMatch(message);
	expect(body.error.message).not.toMatch(/\bat .*:\d+:\d+|test-feedback-secret|test-debug-token/);
	// Words a client can act on, never the validator's own.
	expect(body.error.message).not.toMatch(VALIBOT_DEFAULT_WORDING);
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

	it("reads a streamed body without a Content-Length, in pieces, as the client sent it", async () => {
		const { call, emulator } = createHarness();
		const messages = [user("héllo, a body sent in pieces")];
		const text = JSON.stringify({ messages });
		const bytes = new TextEncoder().encode(text);
		// Split inside the two-byte "é", so the pieces only make sense put back in order.
		const cut = text.indexOf("é") + 1;
		const pieces = [bytes.slice(0, 5), bytes.slice(5, cut), bytes.slice(cut)];
		const body = new ReadableStream<Uint8Array>({
			pull(controller) {
				const piece = pieces.shift();
				if (piece) controller.enqueue(piece);
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
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.inputs).toMatchObject({ messages });
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

describe("messages a client can act on", () => {
	const feedback = { aiGatewayLogId: "01jabc", token: "v1.a.1.b", feedback: "up" };
	it.each([
		[
			"no messages field",
			"/api/chat",
			{},
			/^messages: is required; send an array of \{role, content\}/,
		],
		[
			"messages as a string",
			"/api/chat",
			{ messages: "hi" },
			/^messages: must be an array of \{role, content\}/,
		],
		[
			"a message that is a string",
			"/api/chat",
			{ messages: ["hi"] },
			/^messages\[0\]: must be an object \{role, content\}/,
		],
		[
			"a message without a role",
			"/api/chat",
			{ messages: [{ content: "x" }] },
			/^messages\[0\]\.role: is required; /,
		],
		[
			"a message without content",
			"/api/chat",
			{ messages: [{ role: "user" }] },
			/^messages\[0\]\.content: is required; /,
		],
		[
			"51 messages",
			"/api/chat",
			{ messages: Array.from({ length: 51 }, () => user("x")) },
			/^messages: must hold at most 50 messages; send the last 50$/,
		],
		["an array body", "/api/chat", [], /^body: must be a JSON object/],
		["a null body", "/api/chat", null, /^body: must be a JSON object/],
		[
			"an empty feedback body",
			"/api/feedback",
			{},
			/^aiGatewayLogId: is required; send the aiGatewayLogId of the answer/,
		],
		[
			"a vote without token",
			"/api/feedback",
			{ ...feedback, token: undefined },
			/^token: is required; send the feedbackToken/,
		],
		[
			"a vote without feedback",
			"/api/feedback",
			{ ...feedback, feedback: undefined },
			/^feedback: is required; send 'up', 'down' or 'clear'/,
		],
		[
			"an empty /v1 body",
			"/v1/chat/completions",
			{},
			/^messages: is required; send an array of \{role, content\}/,
		],
		[
			"a /v1 message that is a number",
			"/v1/chat/completions",
			{ messages: [7] },
			/^messages\[0\]: must be an object \{role, content\}/,
		],
		[
			"a /v1 text part without text",
			"/v1/chat/completions",
			{ messages: [{ role: "user", content: [{ type: "text" }] }] },
			/^messages\[0\]\.content: must be a string or an array of text parts/,
		],
	])(
		"says what is wrong with %s in words, never the validator's default",
		async (_name, path, body, message) => {
			const { postJson, emulator } = createHarness();
			const res = await postJson(path, body);
			expect(res.status).toBe(400);
			const { error } = (await res.json()) as ErrorJson;
			expect(error.message).toMatch(message);
			expect(error.message).not.toMatch(VALIBOT_DEFAULT_WORDING);
			expect(emulator.runs).toHaveLength(0);
		},
	);
});

describe("no validator wording anywhere", () => {
	const BAD = [
		undefined,
		null,
		0,
		-1,
		1.5,
		1e6,
		"",
		"x",
		"x".repeat(17_000),
		true,
		[],
		[1],
		{},
		[{}],
	];
	const bodies: [string, Record<string, unknown>, string[]][] = [
		[
			"/api/chat",
			{
				messages: [user("hi")],
				model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
				stream: false,
				max_tokens: 8,
				temperature: 1,
			},
			[
				"messages",
				"messages.0",
				"messages.0.role",
				"messages.0.content",
				"model",
				"stream",
				"max_tokens",
				"temperature",
			],
		],
		[
			"/api/feedback",
			{
				aiGatewayLogId: "01jabc",
				token: "v1.a.1.b",
				feedback: "up",
				score: 5,
				comment: "c",
				sequence: 1,
			},
			["aiGatewayLogId", "token", "feedback", "score", "comment", "sequence"],
		],
		[
			"/v1/chat/completions",
			{
				messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
				stop: ["x"],
				stream_options: { include_usage: true },
			},
			[
				"messages",
				"messages.0",
				"messages.0.role",
				"messages.0.content",
				"messages.0.content.0",
				"messages.0.content.0.type",
				"messages.0.content.0.text",
				"model",
				"stream",
				"stream_options",
				"stream_options.include_usage",
				"max_tokens",
				"max_completion_tokens",
				"temperature",
				"top_p",
				"stop",
				"stop.0",
				"n",
				"user",
			],
		],
	];

	/** `body` with the value at a dotted path replaced (undefined: removed). */
	function withValue(body: Record<string, unknown>, path: string, value: unknown) {
		const copy = structuredClone(body);
		const keys = path.split(".");
		const last = keys.pop() as string;
		let target = copy as Record<string, unknown>;
		for (const key of keys) target = target[key] as Record<string, unknown>;
		if (value === undefined) delete target[last];
		else target[last] = value;
		return copy;
	}

	it.each(bodies)("answers every wrong field of %s in words", async (path, body, fields) => {
		const seen: string[] = [];
		for (const field of fields) {
			for (const value of BAD) {
				// A client of its own each time: the rate limits count refused requests too.
				const res = await createHarness().postJson(path, withValue(body, field, value));
				if (res.status !== 400) continue;
				const { error } = (await res.json()) as ErrorJson;
				seen.push(error.message);
				expect(error.message, `${field} = ${JSON.stringify(value)?.slice(0, 40)}`).not.toMatch(
					VALIBOT_DEFAULT_WORDING,
				);
			}
		}
		expect(seen.length).toBeGreaterThan(fields.length * 3);
	});
});

describe("empty prompts", () => {
	it.each([
		["an empty content", [user("")]],
		["a whitespace-only content", [user(" \n\t ")]],
		["only an assistant message", [{ role: "assistant", content: "Hello" }]],
		[
			"a system and an assistant message",
			[
				{ role: "system", content: "Be brief." },
				{ role: "assistant", content: "Hello" },
			],
		],
		[
			"an empty last user message",
			[user("Hi"), { role: "assistant", content: "Hello" }, user("  ")],
		],
	])(
		"refuses %s on /api/chat with 400 empty_prompt before any model call",
		async (_name, messages) => {
			const { chat, emulator } = createHarness();
			for (const stream of [false, true]) {
				const res = await chat({ messages, stream });
				await expectError(res, 400, "empty_prompt", /^messages(\[\d+\]\.content)?: .*user message/);
			}
			expect(emulator.runs).toHaveLength(0);
		},
	);

	it("answers a conversation whose last user message has text", async () => {
		const { chat, emulator } = createHarness();
		const messages = [user(""), { role: "assistant", content: "Say more?" }, user("What is D1?")];
		expect((await chat({ messages })).status).toBe(200);
		// An assistant message after the prompt (a prefill) is fine too.
		expect(
			(await chat({ messages: [...messages, { role: "assistant", content: "D1" }] })).status,
		).toBe(200);
		expect(emulator.runs).toHaveLength(2);
	});
});

describe("optional fields", () => {
	const signed = async (aiGatewayLogId: string) => ({
		aiGatewayLogId,
		token: await signFeedbackToken(aiGatewayLogId, SECRET),
	});

	it.each([
		["score", { feedback: "up", score: null }],
		["comment", { feedback: "down", comment: null }],
		["sequence", { feedback: "up", sequence: null }],
		["score and comment with clear", { feedback: "clear", score: null, comment: null }],
		["an empty comment with clear", { feedback: "clear", comment: "" }],
	])("take null as absent: %s", async (_name, patch) => {
		const { vote } = createHarness();
		const res = await vote({ ...(await signed(`null-${crypto.randomUUID()}`)), ...patch });
		expect(res.status, await res.clone().text()).toBe(202);
	});

	it("take null as absent on /api/chat too", async () => {
		const { chat, emulator } = createHarness();
		const nulls = { model: null, stream: null, max_tokens: null, temperature: null };
		const res = await chat({ messages: [user("hi")], ...nulls });
		expect(res.status, await res.clone().text()).toBe(200);
		expect(((await res.json()) as { model: string }).model).toBe(emulator.runs[0]?.model);
	});

	it("counts a comment's characters as Unicode code points: 1,000 emoji fit, 1,001 do not", async () => {
		const { vote } = createHarness();
		const emoji = "\u{1F600}";
		expect(LIMITS.commentChars).toBe(1000);
		const fits = await vote({
			...(await signed("emoji-1000")),
			feedback: "up",
			comment: emoji.repeat(LIMITS.commentChars),
		});
		expect(fits.status, await fits.clone().text()).toBe(202);
		const over = await vote({
			...(await signed("emoji-1001")),
			feedback: "up",
			comment: emoji.repeat(LIMITS.commentChars + 1),
		});
		await expectError(over, 400, "invalid_request", /^comment: must be at most 1000 characters/);
	});

	it.each([
		["a score", { score: 77 }, /^score: /],
		["a score of 0", { score: 0 }, /^score: /],
		["a comment", { comment: "Changed my mind" }, /^comment: /],
	])(
		"refuses a withdrawal (clear) with %s: it carries no score or comment",
		async (_name, patch, field) => {
			const { vote } = createHarness();
			const res = await vote({
				...(await signed("clear-with-extras")),
				feedback: "clear",
				...patch,
			});
			const body = await expectError(res, 400, "invalid_request", field);
			expect(body.error.message).toMatch(
				/a withdrawal \(feedback 'clear'\) carries no score or comment/,
			);
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

	it("maps an upstream 400 to invalid_request with the model's own words, logged as a warning", async () => {
		const error = vi.spyOn(console, "error");
		const warn = vi.spyOn(console, "warn");
		const { ask, emulator } = createHarness();
		emulator.failNext("run", 400);
		await expectError(
			await ask("hi"),
			400,
			"invalid_request",
			/^The model rejected the request: AiError: emulated failure \(400\)$/,
		);
		expect(error).not.toHaveBeenCalled();
		expect(warn.mock.calls.flat().join("\n")).toMatch(/the AI service answered 400/);
		vi.restoreAllMocks();
	});

	it("still logs an outage as an error", async () => {
		const error = vi.spyOn(console, "error");
		const { ask, emulator } = createHarness();
		emulator.failNext("run", 500);
		await expectError(await ask("hi"), 502, "upstream_error");
		expect(error.mock.calls.flat().join("\n")).toMatch(/the AI service answered 500/);
		vi.restoreAllMocks();
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

describe("unknown keys", () => {
	const vote = { aiGatewayLogId: "01jabc", token: "v1.a.1.b", feedback: "up" };
	it.each([
		["/api/chat", { messages: [user("hi")], modle: "x" }, "modle", /this object takes messages, /],
		[
			"/api/chat",
			{ messages: [{ role: "user", content: "hi", name: "ann" }] },
			"messages[0].name",
			/this object takes role, content/,
		],
		["/api/feedback", { ...vote, commment: "too long" }, "commment", /takes aiGatewayLogId, /],
	])("%s refuses %j by the key's name", async (path, body, key, takes) => {
		const { postJson, emulator } = createHarness();
		const res = await postJson(path, body);
		const error = await expectError(res, 400, "invalid_request");
		expect(error.error.message).toMatch(
			new RegExp(
				`^${key.replace(/[[\]]/g, "\\$&")}: unknown key; check its spelling, or leave it out`,
			),
		);
		expect(error.error.message).toMatch(takes);
		expect(emulator.runs).toHaveLength(0);
	});
});

describe("ill-formed text", () => {
	// JSON.stringify writes a lone surrogate as its \u escape: the body itself is valid JSON.
	const LONE = "x\ud800y\udfffz";
	it.each([
		["/api/chat", { messages: [user(LONE)] }, "messages[0].content"],
		["/api/chat", { messages: [user("hi")], model: `\udc00${LONE}` }, "model"],
		[
			"/api/feedback",
			{ aiGatewayLogId: "01jabc", token: "v1.a.1.b", feedback: "down", comment: LONE },
			"comment",
		],
		["/v1/chat/completions", { messages: [user(LONE)] }, "messages[0].content"],
		[
			"/v1/chat/completions",
			{ messages: [{ role: "user", content: [{ type: "text", text: LONE }] }] },
			"messages[0].content[0].text",
		],
		["/api/chat", { messages: [user("hi")], [LONE]: 1 }, "body"],
	])("%s refuses a lone surrogate in %j by the field's name", async (path, body, param) => {
		const { postJson, emulator } = createHarness();
		const res = await postJson(path, body);
		expect(res.status).toBe(400);
		const { error } = (await res.json()) as { error: Record<string, unknown> };
		expect(error.code).toBe("invalid_text");
		expect(error.message).toMatch(
			new RegExp(`^${param.replace(/[[\]]/g, "\\$&")}: .*not well-formed Unicode`),
		);
		if (path.startsWith("/v1"))
			expect(error).toMatchObject({ param, type: "invalid_request_error" });
		expect(emulator.runs).toHaveLength(0);
	});

	it("refuses a lone surrogate escaped in upper case, as a client other than JSON.stringify may write it", async () => {
		const { call, emulator } = createHarness();
		const res = await call("/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: '{"messages":[{"role":"user","content":"x\\uDFFFy"}]}',
		});
		expect(res.status).toBe(400);
		const { error } = (await res.json()) as { error: Record<string, unknown> };
		expect(error.code).toBe("invalid_text");
		expect(emulator.runs).toHaveLength(0);
	});

	it("takes well-formed text, surrogate pairs (emoji) included", async () => {
		const res = await createHarness().ask("x\ud83d\ude00y");
		expect(res.status).toBe(200);
	});
});

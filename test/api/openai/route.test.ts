import { describe, expect, it, onTestFinished, vi } from "vitest";
import { createHarness, readEvents } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

interface OpenAiError {
	error: { message: string; type: string; code: string; param: string | null };
}

const completions = (harness: ReturnType<typeof createHarness>, body: unknown) =>
	harness.postJson("/v1/chat/completions", body);

describe("POST /v1/chat/completions (wire format)", () => {
	it("maps the OpenAI request onto the same AI call as /api/chat", async () => {
		const harness = createHarness();
		const res = await completions(harness, {
			model: LLAMA,
			messages: [
				{ role: "developer", content: "Be brief." },
				{
					role: "user",
					content: [
						{ type: "text", text: "Hello " },
						{ type: "text", text: "there" },
					],
				},
			],
			max_tokens: 100,
			max_completion_tokens: 50,
			temperature: 0.2,
			top_p: 0.9,
			stop: "END",
			user: "u-1",
			frequency_penalty: 0.5,
		});
		expect(res.status).toBe(200);
		const [run] = harness.emulator.runs;
		expect(run?.inputs).toEqual({
			messages: [
				{ role: "system", content: "Be brief." },
				{ role: "user", content: "Hello there" },
			],
			max_tokens: 50,
			temperature: 0.2,
			top_p: 0.9,
			stop: ["END"],
			stream: false,
		});
		expect(run?.options).toMatchObject({
			gateway: { metadata: { route: "/v1/chat/completions", user: "u-1" } },
		});
		expect(res.headers.get("access-control-expose-headers")).toContain("x-feedback-token");
		expect(res.headers.get("x-feedback-token")).toMatch(/^v1\./);
	});

	it("streams without a usage chunk unless asked", async () => {
		const harness = createHarness();
		const res = await completions(harness, {
			model: LLAMA,
			messages: [{ role: "user", content: "hi" }],
			stream: true,
		});
		const events = await readEvents(res);
		expect(events.at(-1)?.data).toBe("[DONE]");
		const chunks = events.slice(0, -1).map((event) => JSON.parse(event.data));
		expect(chunks.every((chunk) => chunk.choices.length === 1 && !("usage" in chunk))).toBe(true);
		expect(chunks[0].choices[0].delta).toEqual({ role: "assistant", content: "" });
		expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");
	});

	it("reports finish_reason length when max_tokens cut the answer", async () => {
		const harness = createHarness();
		const res = await completions(harness, {
			model: "@cf/openai/gpt-oss-120b",
			messages: [{ role: "user", content: "hi" }],
			max_tokens: 2,
		});
		const body = (await res.json()) as { choices: { finish_reason: string }[] };
		expect(body.choices[0]?.finish_reason).toBe("length");
	});

	it.each([
		["n of 2", { n: 2 }, "n"],
		[
			"an image part",
			{ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }] },
			"messages[0].content",
		],
		["an unknown role", { messages: [{ role: "function", content: "x" }] }, "messages[0].role"],
		[
			"a tool message without tool_call_id",
			{ messages: [{ role: "tool", content: "x" }] },
			"messages[0].tool_call_id",
		],
		["a top_p over 1", { top_p: 1.5 }, "top_p"],
		["five stop sequences", { stop: ["a", "b", "c", "d", "e"] }, "stop"],
		["max_completion_tokens over 4096", { max_completion_tokens: 5000 }, "max_completion_tokens"],
		["stream_options as an array", { stream: true, stream_options: [] }, "stream_options"],
	])("rejects %s with OpenAI's error shape naming the param", async (_name, patch, param) => {
		const harness = createHarness();
		const res = await completions(harness, {
			model: LLAMA,
			messages: [{ role: "user", content: "hi" }],
			...patch,
		});
		expect(res.status).toBe(400);
		const body = (await res.json()) as OpenAiError;
		expect(body.error).toMatchObject({
			type: "invalid_request_error",
			code: "invalid_request",
			param,
		});
		expect(body.error.message).toMatch(new RegExp(`^${param.replace(/[[\]]/g, "\\$&")}: `));
	});

	it("refuses an argument OpenAI does not know in OpenAI's own words", async () => {
		const harness = createHarness();
		for (const name of ["max_token", "temprature", "aiGatewayLogId"]) {
			const res = await completions(harness, {
				model: LLAMA,
				messages: [{ role: "user", content: "hi" }],
				[name]: 1,
			});
			expect(res.status, name).toBe(400);
			expect(((await res.json()) as OpenAiError).error, name).toEqual({
				type: "invalid_request_error",
				code: "invalid_request",
				param: name,
				message: `Unrecognized request argument supplied: ${name}`,
			});
		}
		expect(harness.emulator.runs).toHaveLength(0);
	});

	it("takes the arguments OpenAI knows that no model here uses, as OpenAI's clients send them", async () => {
		const res = await completions(createHarness(), {
			model: LLAMA,
			messages: [{ role: "user", content: "hi", name: "ann" }],
			seed: 7,
			presence_penalty: 0.1,
			frequency_penalty: 0.1,
			logit_bias: {},
			metadata: { team: "a" },
			store: false,
			service_tier: "auto",
			reasoning_effort: "low",
			modalities: ["text"],
			prediction: null,
			web_search_options: null,
			audio: null,
			verbosity: "low",
			prompt_cache_key: "k",
			safety_identifier: "s",
		});
		expect(res.status, await res.clone().text()).toBe(200);
	});

	it("names the body itself as param for every body that is not an object", async () => {
		const harness = createHarness();
		for (const body of [[], [{ role: "user", content: "hi" }], null, 42, "hi"]) {
			const res = await completions(harness, body);
			expect(res.status).toBe(400);
			expect(((await res.json()) as OpenAiError).error, JSON.stringify(body)).toEqual({
				type: "invalid_request_error",
				code: "invalid_request",
				param: "body",
				message: "body: must be a JSON object",
			});
		}
		expect(harness.emulator.runs).toHaveLength(0);
	});

	it("answers malformed JSON, wrong methods and unknown paths in OpenAI's shape", async () => {
		const harness = createHarness();
		const malformed = await harness.call("/v1/chat/completions", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: "{",
		});
		expect(malformed.status).toBe(400);
		expect(((await malformed.json()) as OpenAiError).error).toMatchObject({
			code: "invalid_json",
			type: "invalid_request_error",
			param: null,
		});
		const wrongMethod = await harness.call("/v1/chat/completions");
		expect(wrongMethod.status).toBe(405);
		expect(((await wrongMethod.json()) as OpenAiError).error.type).toBe("invalid_request_error");
		const unknown = await harness.call("/v1/embeddings", { method: "POST" });
		expect(unknown.status).toBe(404);
		expect(((await unknown.json()) as OpenAiError).error).toMatchObject({
			code: "not_found",
			type: "not_found_error",
		});
	});

	it("keeps /api errors in this API's own shape", async () => {
		const res = await createHarness().call("/api/nope");
		expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
	});

	it("requires one of API_KEYS when set, and locks rather than opens when every key is too short", async () => {
		const key = "key-0123456789abcdefghijklmnopqrstuvwxyz";
		const harness = createHarness(
			{},
			{ API_KEYS: `other-key-0123456789abcdefghijklmnopqr, ${key}` },
		);
		const withKey = (authorization?: string) =>
			harness.call("/v1/models", { headers: authorization ? { authorization } : {} });
		expect((await withKey(`Bearer ${key}`)).status).toBe(200);
		for (const authorization of [
			undefined,
			"Bearer wrong",
			`Bearer ${key.slice(0, -1)}`,
			`Basic ${key}`,
		]) {
			const res = await withKey(authorization);
			expect(res.status).toBe(401);
			expect(((await res.json()) as OpenAiError).error).toMatchObject({
				type: "authentication_error",
				code: "unauthorized",
			});
		}
		const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
		onTestFinished(() => warnings.mockRestore());
		const weak = createHarness({}, { API_KEYS: "short" });
		expect(
			(await weak.call("/v1/models", { headers: { authorization: "Bearer short" } })).status,
		).toBe(401);
		expect(warnings).toHaveBeenCalledWith(
			JSON.stringify({
				message: "secret too short, ignored",
				setting: "API_KEYS[0]",
				minChars: 32,
			}),
		);
		// /api/* is not behind API_KEYS.
		expect((await harness.ask("hi")).status).toBe(200);
	});
});

// GET /api/models: what the chat page's model picker offers.
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { FeedbackRequestSchema } from "../../../src/api/feedback/schemas";
import { createHarness } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

interface ModelsJson {
	default: string;
	models: Array<{ id: string; kind: string; default: boolean }>;
	limits: {
		bodyBytes: number;
		messages: number;
		contentChars: number;
		commentChars: number;
		correctionChars: number;
		score: { min: number; max: number };
	};
}

describe("GET /api/models", () => {
	it("lists DEFAULT_MODEL first, then ALLOWED_MODELS in order, dynamic routes included", async () => {
		const harness = createHarness(
			{},
			{
				DEFAULT_MODEL: "@cf/meta/llama-4-scout-17b-16e-instruct",
				ALLOWED_MODELS: `${LLAMA},dynamic/chat,openai/gpt-4.1-mini,@cf/meta/llama-4-scout-17b-16e-instruct`,
			},
		);
		const res = await harness.call("/api/models");
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		const body = (await res.json()) as ModelsJson;
		expect(body).toEqual({
			limits: expect.any(Object),
			turnstile: null,
			default: "@cf/meta/llama-4-scout-17b-16e-instruct",
			models: [
				{ id: "@cf/meta/llama-4-scout-17b-16e-instruct", kind: "workers-ai", default: true },
				{ id: LLAMA, kind: "workers-ai", default: false },
				{ id: "dynamic/chat", kind: "dynamic-route", default: false },
				{ id: "openai/gpt-4.1-mini", kind: "third-party", default: false },
			],
		});
	});

	it("offers only models that POST /api/chat accepts", async () => {
		const harness = createHarness({}, { ALLOWED_MODELS: "dynamic/chat,@cf/openai/gpt-oss-120b" });
		const { models } = (await (await harness.call("/api/models")).json()) as ModelsJson;
		expect(models.map((model) => model.id)).toEqual([
			LLAMA,
			"dynamic/chat",
			"@cf/openai/gpt-oss-120b",
		]);
		const chat = await harness.ask("hi", { model: "@cf/openai/gpt-oss-120b" });
		expect(chat.status).toBe(200);
		const refused = await harness.ask("hi", { model: "@cf/meta/llama-4-scout-17b-16e-instruct" });
		expect(refused.status).toBe(400);
	});

	it("lists @hf/ models as Workers AI, and any other author/model as third-party", async () => {
		const harness = createHarness(
			{},
			{ ALLOWED_MODELS: "@hf/mistral/mistral-7b-instruct-v0.2,xai/grok-4" },
		);
		const { models } = (await (await harness.call("/api/models")).json()) as ModelsJson;
		expect(models.slice(1)).toEqual([
			{ id: "@hf/mistral/mistral-7b-instruct-v0.2", kind: "workers-ai", default: false },
			{ id: "xai/grok-4", kind: "third-party", default: false },
		]);
		const v1 = (await (await harness.call("/v1/models")).json()) as {
			data: Array<{ id: string; owned_by: string }>;
		};
		expect(v1.data.map(({ id, owned_by }) => [id, owned_by])).toEqual([
			[LLAMA, "cloudflare"],
			["@hf/mistral/mistral-7b-instruct-v0.2", "cloudflare"],
			["xai/grok-4", "xai"],
		]);
	});

	it("serves the limits the API enforces, for the chat page to check and trim by", async () => {
		const harness = createHarness();
		const { limits } = (await (await harness.call("/api/models")).json()) as ModelsJson;
		expect(limits).toEqual({
			bodyBytes: 64 * 1024,
			messages: 50,
			contentChars: 16_000,
			maxTokens: 4096,
			commentChars: 1000,
			correctionChars: 8000,
			score: { min: 0, max: 100 },
		});
		// Each served figure is where the API starts refusing.
		const turns = (count: number) =>
			Array.from({ length: count }, (_, i) => ({
				role: i % 2 ? "assistant" : "user",
				content: "hi",
			}));
		expect((await harness.chat({ messages: turns(limits.messages - 1) })).status).toBe(200);
		expect((await harness.chat({ messages: turns(limits.messages + 1) })).status).toBe(400);
		expect((await harness.ask("x".repeat(limits.contentChars))).status).toBe(200);
		expect((await harness.ask("x".repeat(limits.contentChars + 1))).status).toBe(400);
		// A body of exactly `bytes`, its filler spread over five turns within the content limit.
		const padded = (bytes: number) => {
			const roles = ["user", "assistant", "user", "assistant", "user"];
			const messages = roles.map((role) => ({ role, content: "" }));
			let missing = bytes - JSON.stringify({ messages }).length;
			for (const message of messages) {
				const chars = Math.min(missing, limits.contentChars);
				message.content = "x".repeat(chars);
				missing -= chars;
			}
			return JSON.stringify({ messages });
		};
		const post = (body: string) =>
			harness.call("/api/chat", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body,
			});
		expect((await post(padded(limits.bodyBytes))).status).toBe(200);
		expect((await post(padded(limits.bodyBytes + 1))).status).toBe(413);
		const vote = { aiGatewayLogId: "a", token: "t", feedback: "up" };
		const { min, max } = limits.score;
		for (const score of [min, max])
			expect(v.is(FeedbackRequestSchema, { ...vote, score }), `score ${score}`).toBe(true);
		for (const score of [min - 1, max + 1])
			expect(v.is(FeedbackRequestSchema, { ...vote, score }), `score ${score}`).toBe(false);
		const comment = (chars: number) => ({ ...vote, comment: "\u{1F600}".repeat(chars) });
		expect(v.is(FeedbackRequestSchema, comment(limits.commentChars))).toBe(true);
		expect(v.is(FeedbackRequestSchema, comment(limits.commentChars + 1))).toBe(false);
		const correction = (chars: number) => ({
			...vote,
			feedback: "down",
			correction: "\u{1F600}".repeat(chars),
		});
		expect(v.is(FeedbackRequestSchema, correction(limits.correctionChars))).toBe(true);
		expect(v.is(FeedbackRequestSchema, correction(limits.correctionChars + 1))).toBe(false);
	});

	it("answers 405 to other methods", async () => {
		const res = await createHarness().call("/api/models", { method: "POST" });
		expect(res.status).toBe(405);
		expect(res.headers.get("allow")).toBe("GET, HEAD");
	});
});

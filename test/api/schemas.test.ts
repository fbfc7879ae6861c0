import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ChatRequestSchema } from "../../src/api/chat/schemas";
import { FeedbackRequestSchema } from "../../src/api/feedback/schemas";
import { issuePath, LogIdSchema } from "../../src/http/schemas";

describe("schemas", () => {
	it("accept a full chat request and refuse unknown fields", () => {
		const full = {
			messages: [{ role: "user", content: "hi" }],
			model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
			stream: true,
			max_tokens: 4096,
			temperature: 0,
		};
		expect(v.parse(ChatRequestSchema, full)).toEqual(full);
		for (const [body, path] of [
			[{ ...full, extra: 1 }, "extra"],
			[{ ...full, messages: [{ role: "user", content: "hi", name: "x" }] }, "messages[0].name"],
		] as const) {
			const result = v.safeParse(ChatRequestSchema, body);
			expect(result.success).toBe(false);
			const issue = result.issues?.[0] as v.BaseIssue<unknown>;
			expect(issuePath(issue)).toBe(path);
			expect(issue.message).toMatch(/^unknown key; /);
		}
	});

	it("accept the limits exactly", () => {
		const messages = Array.from({ length: 50 }, () => ({
			role: "assistant",
			content: "x".repeat(16_000),
		}));
		expect(v.is(ChatRequestSchema, { messages, max_tokens: 1, temperature: 2 })).toBe(true);
		expect(
			v.is(FeedbackRequestSchema, {
				aiGatewayLogId: "a",
				token: "t",
				feedback: "down",
				score: 0,
				comment: "x".repeat(1000),
			}),
		).toBe(true);
		expect(
			v.is(FeedbackRequestSchema, { aiGatewayLogId: "a", token: "t", feedback: "up", score: 100 }),
		).toBe(true);
	});

	it("read null in an optional field as absent", () => {
		const vote = { aiGatewayLogId: "a", token: "t", feedback: "clear" };
		const parsed = v.parse(FeedbackRequestSchema, {
			...vote,
			score: null,
			comment: null,
			sequence: null,
		});
		expect(parsed).toEqual(vote);
		expect(Object.values(parsed)).not.toContain(null);
	});

	it("accept both log id formats and nothing odd", () => {
		expect(v.is(LogIdSchema, "01977e5b-7a3c-7bb2-9c1e-2f4e8a1b0c3d")).toBe(true);
		expect(v.is(LogIdSchema, "01JXJ8Q5V3K2P9N8M7L6K5J4H3")).toBe(true);
		for (const bad of ["", "a".repeat(129), "a/b", "a b", "..", "a%2f"])
			expect(v.is(LogIdSchema, bad)).toBe(false);
	});

	it("name nested fields in issue paths", () => {
		const result = v.safeParse(ChatRequestSchema, {
			messages: [
				{ role: "user", content: "x" },
				{ role: "bot", content: "y" },
			],
		});
		expect(result.success).toBe(false);
		expect(issuePath(result.issues?.[0] as v.BaseIssue<unknown>)).toBe("messages[1].role");
	});
});

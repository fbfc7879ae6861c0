import { describe, expect, it } from "vitest";
import { answerText, chunkDelta, chunkError, usageOf } from "../../src/gateway/model-output";

describe("model output shapes", () => {
	it("read the answer in the Workers AI and the OpenAI shape", () => {
		expect(answerText({ response: "hi" })).toBe("hi");
		expect(answerText({ choices: [{ message: { role: "assistant", content: "hello" } }] })).toBe(
			"hello",
		);
		expect(answerText({ choices: [] })).toBe("");
		expect(answerText(null)).toBe("");
		expect(answerText({ response: { not: "text" } })).toBe("");
	});

	it("read stream deltas in both shapes", () => {
		expect(chunkDelta({ response: "a", p: "xyz" })).toBe("a");
		expect(chunkDelta({ choices: [{ delta: { content: "b" } }] })).toBe("b");
		expect(chunkDelta({ choices: [{ delta: { role: "assistant" } }] })).toBe("");
		expect(chunkDelta({ choices: [{ delta: {}, finish_reason: "stop" }], usage: {} })).toBe("");
	});

	it("keep only numeric usage fields", () => {
		expect(
			usageOf({ usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, extra: 4 } }),
		).toEqual({
			prompt_tokens: 1,
			completion_tokens: 2,
			total_tokens: 3,
		});
		expect(usageOf({ usage: { prompt_tokens: "1" } })).toEqual({});
		expect(usageOf({})).toBeUndefined();
	});

	it("spot in-band errors", () => {
		expect(chunkError({ error: "boom" })).toBe("boom");
		expect(chunkError({ error: { message: "bang" } })).toBe("bang");
		expect(chunkError({ errors: [{ code: 1, message: "x" }] })).toBe("x");
		expect(chunkError({ response: "fine" })).toBeUndefined();
	});
});

/** What a client is told of a request the model rejected: its words, bounded, with no secrets. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { upstreamStatusError } from "../../src/gateway/upstream-errors";

const rejected = (body: unknown, status = 400) =>
	upstreamStatusError(new Response(JSON.stringify(body), { status }));

describe("a model's rejection (400, 413, 422)", () => {
	afterEach(() => vi.restoreAllMocks());

	it.each([
		[
			"Workers AI's envelope",
			{ errors: [{ code: 5006, message: "Error: Type mismatch of '/response_format/type'" }] },
			"response_format.type",
		],
		[
			"the gateway's own error",
			{
				error: [
					{
						code: 7003,
						message:
							"Model execution failed (User Input Error): Invalid value at tools.2: expected object",
					},
				],
				internalCode: 7003,
				description: "User Input Error",
			},
			"tools[2]",
		],
		[
			"OpenAI's error object",
			{ error: { message: "Invalid 'max_tokens'", param: "max_tokens" } },
			"max_tokens",
		],
		[
			"words that name no field",
			{ errors: [{ code: 5006, message: "Error: something else" }] },
			null,
		],
	])("passes on %s, and the field it names", async (_name, body, param) => {
		vi.spyOn(console, "warn").mockImplementation(() => {});
		const error = await rejected(body);
		expect(error).toMatchObject({ status: 400, code: "invalid_request", param });
		expect(error.message).toMatch(
			param
				? new RegExp(`^${param.replace(/[[\].]/g, "\\$&")}: the model rejected the request: `)
				: /^The model rejected the request: /,
		);
		expect(error.message).not.toMatch(/User Input Error$/);
	});

	it("cuts long words short and keeps token-like strings out, of the answer and the log", async () => {
		const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
		const token = "AbCdEf0123456789GhIjKl0123456789xyzXYZ";
		const error = await rejected({
			errors: [
				{
					code: 5006,
					message: `Error: bad header Authorization: Bearer ${token} and ${token} ${"x ".repeat(1000)}`,
				},
			],
		});
		expect(error.message).not.toContain(token);
		expect(error.message).toContain("[redacted]");
		expect(error.message.length).toBeLessThanOrEqual(400);
		expect(warn.mock.calls.flat().join("\n")).toMatch(/answered 400.*\[redacted\]/);
		expect(warn.mock.calls.flat().join("\n")).not.toContain(token);
	});

	it("keeps 5xx errors generic", async () => {
		vi.spyOn(console, "error").mockImplementation(() => {});
		const error = await rejected({ errors: [{ code: 3043, message: "internal detail" }] }, 500);
		expect(error.message).toBe("The AI service failed to answer");
	});
});

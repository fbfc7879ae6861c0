/**
 * Third-party models through the binding (Unified Billing): OpenAI and Google answer in
 * OpenAI's chat shape, Anthropic in its Messages format; the Worker translates the request
 * where the format differs and normalises answers, streams and usage.
 */
import { describe, expect, it } from "vitest";
import { emulatedAnswer } from "../../emulator/src/index.ts";
import { type ChatJson, createHarness, deltasOf, readEvents } from "../harness";

const MODELS = [
	"openai/gpt-4.1-mini",
	"anthropic/claude-sonnet-4",
	"google/gemini-3-flash",
	// Any other `{author}/{model}` is a third-party model too.
	"xai/grok-4",
];
const allowed = { ALLOWED_MODELS: MODELS.join(",") };
const conversation = [
	{ role: "system", content: "Be brief." },
	{ role: "user", content: "Which provider?" },
];
type Answer = ChatJson & { provider: string };

describe.each(MODELS)("%s through the binding", (model) => {
	const provider = model.split("/")[0];

	it("answers as JSON with usage, naming its provider", async () => {
		const { chat, emulator } = createHarness({}, allowed);
		const res = await chat({ model, messages: conversation });
		expect(res.status).toBe(200);
		const body = (await res.json()) as Answer;
		expect(body.provider).toBe(provider);
		expect(body.response).toContain("Which provider?");
		expect(body.aiGatewayLogId).toBe(emulator.runs[0]?.logId);
		expect(body.usage).toEqual({
			prompt_tokens: expect.any(Number),
			completion_tokens: expect.any(Number),
			total_tokens: expect.any(Number),
		});
		const { prompt_tokens = 0, completion_tokens = 0, total_tokens } = body.usage ?? {};
		expect(total_tokens).toBe(prompt_tokens + completion_tokens);
	});

	it("streams every delta, then [DONE]", async () => {
		const { chat } = createHarness({}, allowed);
		const res = await chat({ model, messages: conversation, stream: true });
		const events = await readEvents(res);
		expect(JSON.parse(events[0]?.data ?? "")).toMatchObject({ provider });
		const text = deltasOf(events.slice(1)).join("");
		expect(text).toContain("Which provider?");
		expect(events.at(-1)?.data).toBe("[DONE]");
		expect(events.some((event) => event.event === "error")).toBe(false);
	});

	it("works on /v1, with usage at the end of a stream", async () => {
		const { postJson } = createHarness({}, allowed);
		const res = await postJson("/v1/chat/completions", {
			model,
			messages: conversation,
			stream: true,
			stream_options: { include_usage: true },
		});
		const chunks = (await readEvents(res))
			.filter((event) => event.data !== "[DONE]")
			.map(
				(event) =>
					JSON.parse(event.data) as { choices: { delta: { content?: string } }[]; usage?: unknown },
			);
		const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? "").join("");
		expect(text).toContain("Which provider?");
		expect(chunks.at(-1)?.usage).toMatchObject({
			prompt_tokens: expect.any(Number),
			completion_tokens: expect.any(Number),
		});
	});
});

describe("Anthropic's Messages format", () => {
	it("gets the system prompt top level and a max_tokens, which it requires", async () => {
		const { chat, emulator } = createHarness({}, allowed);
		const res = await chat({ model: "anthropic/claude-sonnet-4", messages: conversation });
		expect(res.status).toBe(200);
		expect(emulator.runs[0]?.inputs).toMatchObject({
			system: "Be brief.",
			messages: [{ role: "user", content: "Which provider?" }],
			max_tokens: 1024,
		});
		const body = (await res.json()) as Answer;
		expect(body.response).toBe(
			emulatedAnswer("claude-sonnet-4", [{ role: "user", content: "Which provider?" }]),
		);
	});

	it("passes the caller's max_tokens and reports a cut answer as length on /v1", async () => {
		const { postJson, emulator } = createHarness({}, allowed);
		const res = await postJson("/v1/chat/completions", {
			model: "anthropic/claude-sonnet-4",
			messages: conversation,
			max_tokens: 3,
		});
		expect(emulator.runs[0]?.inputs).toMatchObject({ max_tokens: 3 });
		const body = (await res.json()) as { choices: { finish_reason: string }[] };
		expect(body.choices[0]?.finish_reason).toBe("length");
	});
});

describe("a third-party model of any other provider (xai/grok-4)", () => {
	const model = "xai/grok-4";
	const options = { ALLOWED_MODELS: model };

	it("is answered and labelled with its own provider, in the answer and its stream", async () => {
		const { chat } = createHarness({}, options);
		const json = (await (await chat({ model, messages: conversation })).json()) as Answer;
		expect(json.provider).toBe("xai");
		const events = await readEvents(await chat({ model, messages: conversation, stream: true }));
		expect(JSON.parse(events[0]?.data ?? "")).toMatchObject({ provider: "xai" });
	});

	it("is asked for usage in its stream, as an OpenAI-shaped model", async () => {
		const { chat, emulator } = createHarness({}, options);
		await readEvents(await chat({ model, messages: conversation, stream: true }));
		expect(emulator.runs[0]?.inputs).toMatchObject({
			stream: true,
			stream_options: { include_usage: true },
		});
	});
});

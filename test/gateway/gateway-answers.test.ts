/**
 * What the gateway itself answers: Guardrails blocks (2016 prompt, 2017 answer), a stream
 * request answered with one JSON payload, an account out of credits, a gateway that is down,
 * and a gateway that takes no feedback on its logs.
 */
import { describe, expect, it } from "vitest";
import {
	type ChatJson,
	createHarness,
	createSharedHarness,
	deltasOf,
	type ErrorJson,
	readEvents,
	TEST_DEBUG_TOKEN,
} from "../harness";

const guardrails = { promptBlockWords: ["forbidden"], responseBlockWords: ["secret"] };
const user = (content: string) => [{ role: "user", content }];

describe("Guardrails", () => {
	it("answer a blocked prompt with 422 content_blocked, and its log id", async () => {
		const { chat, emulator } = createHarness({ guardrails });
		const res = await chat({ messages: user("a forbidden question") });
		expect(res.status).toBe(422);
		expect(await res.json()).toEqual({
			error: { code: "content_blocked", message: "The AI Gateway's guardrails blocked the prompt" },
		});
		expect(res.headers.get("cf-aig-log-id")).toBe(emulator.runs[0]?.logId);
	});

	it("say when it was the answer that was blocked", async () => {
		const { chat } = createHarness({ guardrails });
		// The emulated answer quotes the prompt, so the word reaches the answer.
		const res = await chat({ messages: user("tell me a secret") });
		expect(res.status).toBe(422);
		expect(((await res.json()) as ErrorJson).error.message).toBe(
			"The AI Gateway's guardrails blocked the answer",
		);
	});

	it("end a stream with its meta event and an error event", async () => {
		const { chat } = createHarness({ guardrails });
		const res = await chat({ messages: user("a forbidden question"), stream: true });
		expect(res.status).toBe(200);
		const events = await readEvents(res);
		expect(events.map((event) => event.event)).toEqual(["meta", "error"]);
		expect(JSON.parse(events[0]?.data ?? "")).toMatchObject({
			aiGatewayLogId: expect.any(String),
			feedbackToken: expect.stringMatching(/^v1\./),
		});
		expect(JSON.parse(events[1]?.data ?? "")).toEqual({
			error: { code: "content_blocked", message: "The AI Gateway's guardrails blocked the prompt" },
		});
	});

	it("follow OpenAI's conventions on /v1: a filtered prompt is a 400, a filtered answer finishes with content_filter", async () => {
		const { postJson } = createHarness({ guardrails });
		const prompt = await postJson("/v1/chat/completions", {
			messages: user("a forbidden question"),
		});
		expect(prompt.status).toBe(400);
		expect(((await prompt.json()) as { error: unknown }).error).toEqual({
			message: "The AI Gateway's guardrails blocked the prompt",
			type: "invalid_request_error",
			code: "content_filter",
			param: "messages",
		});
		const answer = await postJson("/v1/chat/completions", { messages: user("tell me a secret") });
		expect(answer.status).toBe(200);
		const completion = (await answer.json()) as {
			choices: { message: { content: string }; finish_reason: string }[];
		};
		expect(completion.choices[0]).toMatchObject({
			message: { content: "" },
			finish_reason: "content_filter",
		});
		const streamed = await postJson("/v1/chat/completions", {
			messages: user("tell me a secret"),
			stream: true,
		});
		const chunks = (await readEvents(streamed)).map((event) => event.data);
		expect(chunks.at(-1)).toBe("[DONE]");
		expect(JSON.parse(chunks.at(-2) ?? "").choices[0].finish_reason).toBe("content_filter");
	});

	it("stream an answer the gateway buffered into one JSON payload as one delta", async () => {
		// Answers are evaluated (responseBlockWords is set), so the gateway buffers streams.
		const { chat, emulator } = createHarness({ guardrails: { responseBlockWords: [] } });
		const res = await chat({ messages: user("stream me anyway"), stream: true });
		expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
		const events = await readEvents(res);
		const deltas = deltasOf(events.slice(1));
		expect(deltas).toHaveLength(1);
		expect(deltas[0]).toContain("stream me anyway");
		expect(events.at(-1)?.data).toBe("[DONE]");
		expect(JSON.parse(events[0]?.data ?? "").aiGatewayLogId).toBe(emulator.runs[0]?.logId);
	});
});

describe("the gateway's own failures", () => {
	it("map an account out of credits to 503 upstream_out_of_credits", async () => {
		const { chat } = createHarness(
			{ outOfCredits: true },
			{ ALLOWED_MODELS: "openai/gpt-4.1-mini" },
		);
		const res = await chat({ model: "openai/gpt-4.1-mini", messages: user("hi") });
		expect(res.status).toBe(503);
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_out_of_credits");
	});

	it("map a gateway that is down to 503 upstream_unavailable with Retry-After", async () => {
		const { chat } = createHarness({ serviceDown: true });
		const res = await chat({ messages: user("hi") });
		expect(res.status).toBe(503);
		expect(res.headers.get("retry-after")).toBe("30");
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_unavailable");
	});
});

describe("a gateway that takes no feedback on its logs", () => {
	it("keeps the vote, marks it refused with the likely cause, and does not dead-letter it", async () => {
		const harness = await createSharedHarness({ logsApi: "unsupported" });
		const body = (await (await harness.ask("Rate me")).json()) as ChatJson;
		const aiGatewayLogId = body.aiGatewayLogId as string;
		await harness.vote({ aiGatewayLogId, token: body.feedbackToken, feedback: "up" });
		const status = await harness.settled(aiGatewayLogId, body.feedbackToken);
		expect(status).toMatchObject({ state: "refused", feedback: "up", attempts: 1 });
		expect(status.error).toMatch(
			/^this gateway does not accept feedback on its logs: it answered 405/,
		);
		expect(status.error).toMatch(/Workers Observability/);
		const letters = await harness.call("/api/dead-letters", {
			headers: { authorization: `Bearer ${TEST_DEBUG_TOKEN}` },
		});
		const { deadLetters } = (await letters.json()) as { deadLetters: { aiGatewayLogId: string }[] };
		expect(deadLetters.some((letter) => letter.aiGatewayLogId === aiGatewayLogId)).toBe(false);
	});

	it("answers the debug route with 501 logs_unsupported", async () => {
		const harness = await createSharedHarness({ logsApi: "unsupported" });
		const body = (await (await harness.ask("Read me")).json()) as ChatJson;
		const res = await harness.debugLog(body.aiGatewayLogId as string);
		expect(res.status).toBe(501);
		expect(((await res.json()) as ErrorJson).error.code).toBe("logs_unsupported");
	});
});

describe("privacy settings", () => {
	it("ask the gateway to keep no log, and then offer no rating", async () => {
		const { ask, emulator } = createHarness({}, { AI_GATEWAY_COLLECT_LOG: "false" });
		const body = (await (await ask("Forget me")).json()) as ChatJson;
		expect(emulator.runs[0]?.options).toMatchObject({ gateway: { collectLog: false } });
		expect(body.feedbackToken).toBeNull();
	});

	it("keep logs without the prompts and answers", async () => {
		const { ask, emulator } = createHarness({}, { AI_GATEWAY_LOG_PAYLOADS: "false" });
		const body = (await (await ask("Private words")).json()) as ChatJson;
		const log = emulator.logs.peek(body.aiGatewayLogId as string);
		expect(log).toMatchObject({ request_head: "", response_head: "" });
		expect(body.feedbackToken).toMatch(/^v1\./);
	});
});

/**
 * Guardrails, Unified Billing credits and a service outage, through the real `Ai` and
 * `AiGateway` classes.
 */
import { describe, expect, it } from "vitest";
import { emulatedAnswer } from "../../emulator/src/index.ts";
import {
	type AiGatewayErrorBody,
	type ChatCompletion,
	compat,
	dataOf,
	LLAMA,
	rawRun,
	run,
	setup,
} from "./helpers.ts";

const GW = "guarded";
const gateway = { gateway: { id: GW } };
const ask = (content: string) => ({ messages: [{ role: "user", content }] });

describe("guardrails on env.AI.run", () => {
	const guardrails = { promptBlockWords: ["dynamite"], responseBlockWords: ["secret"] };

	it("blocks a prompt: 422, code 2016, thrown as AiGatewayError; the request is logged", async () => {
		const { emulator, ai } = setup({ guardrails });
		await expect(ai.run(LLAMA, ask("How is Dynamite made?"), gateway)).rejects.toMatchObject({
			name: "AiGatewayError",
			message: "2016: Prompt blocked due to security configurations",
		});
		const res = await rawRun(ai, LLAMA, ask("dynamite please"), gateway);
		expect(res.status).toBe(422);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(await res.json()).toEqual({
			success: false,
			result: [],
			messages: [],
			error: [{ code: 2016, message: "Prompt blocked due to security configurations" }],
			name: "AiGatewayError",
			httpCode: 422,
			internalCode: 2016,
			message: "Prompt blocked due to security configurations",
			description: "Prompt blocked due to security configurations",
		});
		expect(emulator.logs.peek(res.headers.get("cf-aig-log-id") ?? "")).toMatchObject({
			status_code: 422,
			success: false,
		});
	});

	it("can code a blocked prompt 2017 on /run, as the docs' error table lists it", async () => {
		const { ai } = setup({ guardrails: { ...guardrails, runPromptCode: 2017 } });
		await expect(ai.run(LLAMA, ask("dynamite"), gateway)).rejects.toMatchObject({
			message: "2017: Prompt blocked due to security configurations",
		});
	});

	it("blocks a response: 422, code 2017", async () => {
		const { ai } = setup({ guardrails });
		// The emulated answer quotes the prompt, so the word reaches the response.
		const res = await rawRun(ai, LLAMA, ask("tell me the secret"), gateway);
		expect(res.status).toBe(422);
		expect(((await res.json()) as AiGatewayErrorBody).error).toEqual([
			{ code: 2017, message: "Response blocked due to security configurations" },
		]);
	});

	it("answers a stream: true request with one JSON payload when responses are evaluated", async () => {
		const { ai } = setup({ guardrails });
		const res = await rawRun(ai, LLAMA, { ...ask("hello"), stream: true }, gateway);
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(await res.json()).toEqual({
			response: emulatedAnswer(LLAMA, ask("hello").messages),
			tool_calls: [],
			usage: expect.any(Object),
		});
		// So the binding hands back an object, not a stream.
		const result = await ai.run(LLAMA, { ...ask("hello"), stream: true }, gateway);
		expect(result).not.toBeInstanceOf(ReadableStream);
		expect(result).toHaveProperty("response");
		// Third-party shapes too.
		const openai = await run(ai, "openai/gpt-4.1-mini", { ...ask("hello"), stream: true }, gateway);
		expect((openai as ChatCompletion).object).toBe("chat.completion");
	});

	it("streams, unchecked, with runStreaming: unenforced, and when only prompts are evaluated", async () => {
		const unenforced = setup({ guardrails: { ...guardrails, runStreaming: "unenforced" } });
		const stream = await unenforced.ai.run(LLAMA, { ...ask("the secret"), stream: true }, gateway);
		expect(stream).toBeInstanceOf(ReadableStream);
		expect((await dataOf(stream as ReadableStream)).at(-1)).toBe("[DONE]");
		const promptsOnly = setup({ guardrails: { promptBlockWords: ["dynamite"] } });
		expect(
			await promptsOnly.ai.run(LLAMA, { ...ask("hello"), stream: true }, gateway),
		).toBeInstanceOf(ReadableStream);
	});
});

describe("guardrails on the gateway endpoint (gateway.run)", () => {
	const guardrails = { promptBlockWords: ["dynamite"], responseBlockWords: ["secret"] };
	const dynamicRoutes = { chat: { fallbacks: [`workers-ai/${LLAMA}`, "openai/gpt-4.1-mini"] } };

	it("blocks a prompt with 424 / 2016 and a response with 424 / 2017, without falling back", async () => {
		const { emulator, ai } = setup({ guardrails, dynamicRoutes });
		const prompt = await ai.gateway(GW).run(compat("dynamic/chat", ask("dynamite")));
		expect(prompt.status).toBe(424);
		expect(await prompt.json()).toMatchObject({ internalCode: 2016, httpCode: 424 });
		const response = await ai.gateway(GW).run(compat("dynamic/chat", ask("a secret")));
		expect(response.status).toBe(424);
		expect(await response.json()).toMatchObject({ internalCode: 2017 });
		expect(response.headers.get("cf-aig-step")).toBe("0");
		expect(emulator.runs.map((run) => run.status)).toEqual([424, 424]);
	});

	it("buffers a stream into one chat.completion when responses are evaluated", async () => {
		const { ai } = setup({ guardrails: { responseBlockWords: [] }, dynamicRoutes });
		const res = await ai.gateway(GW).run(compat("dynamic/chat", { stream: true }));
		expect(res.headers.get("content-type")).toBe("application/json");
		expect(((await res.json()) as ChatCompletion).object).toBe("chat.completion");
	});
});

describe("Unified Billing credits", () => {
	it("refuses third-party models with 402 / 2021 and no cf-aig-log-id, yet logs them", async () => {
		const { emulator, ai } = setup({ outOfCredits: true });
		const request = { max_tokens: 100, messages: [{ role: "user", content: "hi" }] };
		await expect(run(ai, "anthropic/claude-sonnet-4", request, gateway)).rejects.toMatchObject({
			name: "AiGatewayError",
			message: "2021: Insufficient AI Gateway credits",
		});
		expect(ai.aiGatewayLogId).toBeNull();
		const res = await rawRun(ai, "anthropic/claude-sonnet-4", request, gateway);
		expect(res.status).toBe(402);
		expect(res.headers.get("cf-aig-log-id")).toBeNull();
		expect(await res.json()).toMatchObject({
			error: [
				{ code: 2021, message: "Insufficient balance; add money to your gateway or use BYOK" },
			],
			httpCode: 402,
			internalCode: 2021,
		});
		expect(emulator.logs.peek(emulator.runs[0]?.logId ?? "")).toMatchObject({
			provider: "anthropic",
			status_code: 402,
		});
		// Workers AI models are billed through Workers AI, not Unified Billing.
		expect(await ai.run(LLAMA, ask("hi"), gateway)).toHaveProperty("response");
	});

	it("lets a dynamic route fall back from a third-party model to Workers AI", async () => {
		const { ai } = setup({
			outOfCredits: true,
			dynamicRoutes: { chat: { fallbacks: ["openai/gpt-4.1-mini", `workers-ai/${LLAMA}`] } },
		});
		const res = await ai.gateway(GW).run(compat("dynamic/chat"));
		expect(res.status).toBe(200);
		expect(res.headers.get("cf-aig-step")).toBe("1");
		expect(res.headers.get("cf-aig-model")).toBe(LLAMA);
	});

	it("answers 402 / 2021 from the fault queue for any model", async () => {
		const { emulator, ai } = setup();
		emulator.failNext("run", 402, 1, GW);
		await expect(ai.run(LLAMA, ask("hi"), gateway)).rejects.toMatchObject({
			message: "2021: Insufficient AI Gateway credits",
		});
		const res = await ai.gateway(GW).run(compat("openai/gpt-4.1-mini"));
		expect(res.status).toBe(200);
		emulator.failNext("run", 402, 1, GW);
		const refused = await ai.gateway(GW).run(compat("openai/gpt-4.1-mini"));
		expect(refused.status).toBe(402);
		// On the gateway endpoint the refusal carries its log id and step, as seen live.
		expect(refused.headers.get("cf-aig-log-id")).toBeTruthy();
		expect(refused.headers.get("cf-aig-step")).toBe("0");
	});
});

describe("service down", () => {
	it("answers every binding call 503 with an HTML page", async () => {
		const { emulator, ai } = setup();
		const res = await rawRun(ai, LLAMA, ask("hi"), gateway);
		await res.text();
		const logId = res.headers.get("cf-aig-log-id") ?? "";
		emulator.configure({ serviceDown: true }, GW);

		const down = await rawRun(ai, LLAMA, ask("hi"), gateway);
		expect(down.status).toBe(503);
		expect(down.headers.get("content-type")).toContain("text/html");
		await expect(ai.run(LLAMA, ask("hi"), gateway)).rejects.toMatchObject({
			name: "InferenceUpstreamError",
			message: expect.stringContaining("Service Temporarily Unavailable"),
		});
		expect((await ai.gateway(GW).run(compat(`workers-ai/${LLAMA}`))).status).toBe(503);
		await expect(ai.gateway(GW).getLog(logId)).rejects.toMatchObject({
			name: "AiGatewayInternalError",
		});
		await expect(ai.gateway(GW).patchLog(logId, { feedback: 1 })).rejects.toMatchObject({
			name: "AiGatewayInternalError",
		});
		await expect(ai.gateway(GW).getUrl()).rejects.toMatchObject({ name: "AiGatewayInternalError" });

		emulator.configure({ serviceDown: false }, GW);
		expect((await ai.gateway(GW).getLog(logId)).id).toBe(logId);
	});
});

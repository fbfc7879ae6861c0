import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AiGatewayEmulator } from "../../emulator/src/index.ts";
import { aiBinding } from "../../src/gateway/binding";
import worker from "../../src/index";

describe("the AI binding switch", () => {
	it("is off without an AI_EMULATOR binding (as deployed): the binding is env.AI itself", () => {
		expect(aiBinding({ ...env, AI_EMULATOR: undefined })).toBe(env.AI);
	});

	it("then uses the real binding, which offline fails cleanly with 502", async () => {
		const res = await worker.fetch(
			new Request("https://worker.test/api/chat", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
			}) as unknown as Request<unknown, IncomingRequestCfProperties>,
			{ ...env, AI_EMULATOR: undefined },
			createExecutionContext(),
		);
		expect(res.status).toBe(502);
		expect(res.headers.get("x-ai-backend")).toBeNull();
		expect(await res.json()).toEqual({
			error: { code: "upstream_error", message: "The AI service failed to answer" },
		});
	});

	it("routes the runtime's real Ai class to the emulator when AI_EMULATOR is bound", async () => {
		const emulator = new AiGatewayEmulator({ accountId: "switch-test" });
		const local = aiBinding({ ...env, AI_EMULATOR: emulator as unknown as Fetcher });
		expect(local).not.toBe(env.AI);
		expect(local).toBeInstanceOf(env.AI.constructor);
		expect(await local.gateway("default").getUrl("openai")).toBe(
			"https://gateway.ai.cloudflare.com/v1/switch-test/default/openai",
		);
	});

	it("builds one Ai per emulator, not one per request", () => {
		const emulator = new AiGatewayEmulator() as unknown as Fetcher;
		const first = aiBinding({ ...env, AI_EMULATOR: emulator });
		const second = aiBinding({ ...env, AI_EMULATOR: emulator });
		expect(first).toBe(second);
	});

	it("marks API answers that came from the emulator", async () => {
		const { createHarness } = await import("../harness");
		const res = await createHarness().ask("hi");
		expect(res.headers.get("x-ai-backend")).toBe("emulator");
		expect(res.headers.get("access-control-expose-headers")).toContain("x-ai-backend");
	});
});

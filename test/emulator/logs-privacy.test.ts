/**
 * Gateways without the legacy Logs API, and the privacy options: `collectLog: false` and
 * `cf-aig-collect-log-payload: false`, through the real `Ai` and `AiGateway` classes.
 */
import { describe, expect, it } from "vitest";
import { compat, LLAMA, messages, rawRun, setup } from "./helpers.ts";

const GW = "logs";
const gateway = { gateway: { id: GW } };

async function answer(ai: Ai, options: AiOptions = gateway) {
	const res = await rawRun(ai, LLAMA, { messages }, options);
	await res.text();
	return res.headers.get("cf-aig-log-id") ?? "";
}

describe("logsApi: unsupported (a gateway on Workers Observability logs)", () => {
	it("still answers with a log id, but refuses getLog and patchLog with 405 / 7001, every time", async () => {
		const { emulator, ai, sent } = setup({ logsApi: "unsupported" });
		const logId = await answer(ai);
		expect(logId).toMatch(/^[0-9a-f-]{36}$/);
		expect(emulator.logs.peek(logId)).toMatchObject({ status_code: 200 });

		for (let attempt = 0; attempt < 3; attempt++) {
			await expect(ai.gateway(GW).getLog(logId)).rejects.toMatchObject({
				name: "AiGatewayInternalError",
				message: "GET not supported for requested URI.",
			});
			await expect(ai.gateway(GW).patchLog(logId, { feedback: -1 })).rejects.toMatchObject({
				name: "AiGatewayInternalError",
				message: "PATCH not supported for requested URI.",
			});
		}
		const patch = sent.at(-1);
		expect(patch?.method).toBe("PATCH");
		expect(patch?.url).toBe(`https://workers-binding.ai/ai-gateway/gateways/${GW}/logs/${logId}`);
		const res = await emulator.fetch(patch as Request);
		expect(res.status).toBe(405);
		expect(await res.json()).toEqual({
			result: null,
			success: false,
			errors: [{ code: 7001, message: "PATCH not supported for requested URI." }],
			messages: [],
		});
		expect(emulator.logs.peek(logId)?.feedback).toBeNull();
	});

	it("applies per gateway: a legacy gateway beside it keeps its Logs API", async () => {
		const { emulator, ai } = setup();
		emulator.configure({ logsApi: "unsupported" }, "observability");
		const logId = await answer(ai);
		await ai.gateway(GW).patchLog(logId, { feedback: 1 });
		expect(emulator.logs.peek(logId)?.feedback).toBe(1);
	});
});

describe("logsApi: not-found", () => {
	it("answers 404 for every log, so the binding throws AiGatewayLogNotFound forever", async () => {
		const { emulator, ai } = setup({ logsApi: "not-found" });
		const logId = await answer(ai);
		expect(emulator.logs.peek(logId)?.visible).toBe(true);
		await expect(ai.gateway(GW).patchLog(logId, { feedback: 1 })).rejects.toMatchObject({
			name: "AiGatewayLogNotFound",
		});
		await expect(ai.gateway(GW).getLog(logId)).rejects.toMatchObject({
			name: "AiGatewayLogNotFound",
		});
	});
});

describe("collectLog: false", () => {
	it("is sent in options.gateway; the answer keeps a log id but no log is kept", async () => {
		const { emulator, ai, sent } = setup();
		const logId = await answer(ai, { gateway: { id: GW, collectLog: false } });
		expect(await sent[0]?.json()).toMatchObject({ options: { gateway: { collectLog: false } } });
		expect(logId).not.toBe("");
		expect(emulator.logs.peek(logId)).toBeUndefined();
		expect(emulator.runs[0]).toMatchObject({ logId, logged: false, status: 200 });
		await expect(ai.gateway(GW).getLog(logId)).rejects.toMatchObject({
			name: "AiGatewayLogNotFound",
		});
	});

	it("is sent as cf-aig-collect-log: false by gateway.run, with the same effect", async () => {
		const { emulator, ai, sent } = setup();
		const res = await ai
			.gateway(GW)
			.run(compat(`workers-ai/${LLAMA}`), { gateway: { id: GW, collectLog: false } });
		expect(sent[0]?.headers.get("cf-aig-collect-log")).toBe("false");
		expect(res.status).toBe(200);
		expect(emulator.logs.peek(res.headers.get("cf-aig-log-id") ?? "")).toBeUndefined();
	});
});

describe("cf-aig-collect-log-payload: false", () => {
	it("reaches the gateway through extraHeaders; the log keeps metadata but no bodies", async () => {
		const { emulator, ai, sent } = setup();
		const logId = await answer(ai, {
			gateway: { id: GW, metadata: { user: "u1" } },
			extraHeaders: { "cf-aig-collect-log-payload": "false" },
		});
		expect(sent[0]?.headers.get("cf-aig-collect-log-payload")).toBe("false");
		const log = await ai.gateway(GW).getLog(logId);
		expect(log).toMatchObject({
			status_code: 200,
			success: true,
			model: LLAMA,
			tokens_in: 2,
			metadata: { user: "u1" },
			request_head: "",
			response_head: "",
			request_head_complete: false,
			response_head_complete: false,
		});
		expect(log.tokens_out).toBeGreaterThan(0);
		// Feedback still works on such a log.
		await ai.gateway(GW).patchLog(logId, { feedback: 1 });
		expect(emulator.logs.peek(logId)?.feedback).toBe(1);
	});

	it("works on gateway.run through extraHeaders or the request's own headers", async () => {
		const { emulator, ai } = setup();
		const viaExtra = await ai.gateway(GW).run(compat(`workers-ai/${LLAMA}`), {
			extraHeaders: { "cf-aig-collect-log-payload": "false" },
		});
		const viaStep = await ai.gateway(GW).run({
			...compat(`workers-ai/${LLAMA}`),
			headers: { "cf-aig-collect-log-payload": "false" },
		});
		for (const res of [viaExtra, viaStep]) {
			await res.text();
			expect(emulator.logs.peek(res.headers.get("cf-aig-log-id") ?? "")).toMatchObject({
				request_head: "",
				response_head: "",
				status_code: 200,
			});
		}
	});
});

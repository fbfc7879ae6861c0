import { describe, expect, it } from "vitest";
import { emulatedAnswer } from "../../../emulator/src/index.ts";
import { createHarness, deltasOf, readEvents } from "../../harness";

const MODELS = [
	"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	"@cf/openai/gpt-oss-120b",
	"@cf/moonshotai/kimi-k2.6",
];

describe("POST /api/chat (stream)", () => {
	it.each(MODELS)("streams meta, the deltas of %s in order, then [DONE]", async (model) => {
		const { ask, emulator } = createHarness();
		const res = await ask("Stream please", { model, stream: true });
		expect(res.status).toBe(200);
		expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
		const aiGatewayLogId = emulator.runs[0]?.logId;
		expect(res.headers.get("cf-aig-log-id")).toBe(aiGatewayLogId);

		const events = await readEvents(res);
		const [meta, ...rest] = events;
		expect(meta?.event).toBe("meta");
		expect(JSON.parse(meta?.data ?? "")).toEqual({
			aiGatewayLogId,
			feedbackToken: expect.stringMatching(/^v1\./),
			model,
			provider: "workers-ai",
		});
		expect(rest.at(-1)?.data).toBe("[DONE]");
		const deltas = deltasOf(rest);
		expect(deltas.length).toBeGreaterThan(5);
		expect(deltas.every((delta) => delta.length > 0)).toBe(true);
		expect(deltas.join("")).toBe(
			emulatedAnswer(model, [{ role: "user", content: "Stream please" }]),
		);
		expect(rest.filter((event) => event.event === "error")).toEqual([]);
	});

	it("forwards each delta as it arrives instead of buffering the answer", async () => {
		const { ask, emulator } = createHarness({ tokenDelayMs: 40 });
		const res = await ask("Pace yourself", { stream: true, max_tokens: 6 });
		const reader = res.body?.pipeThrough(new TextDecoderStream()).getReader();
		let received = "";
		while (!received.includes('"response"')) {
			const { done, value } = await (reader as ReadableStreamDefaultReader<string>).read();
			if (done) break;
			received += value;
		}
		// The first delta is here while the model is still producing the rest: not buffered.
		expect(received).toContain('"response"');
		expect(emulator.runs[0]?.completed).toBe(false);
		await reader?.cancel();
	});

	it("ends with an error event when the upstream fails mid-stream", async () => {
		const { ask, emulator } = createHarness({ streamFailureAfterTokens: 3 });
		const events = await readEvents(await ask("Break please", { stream: true }));
		expect(events[0]?.event).toBe("meta");
		expect(deltasOf(events.slice(1, -1))).toHaveLength(3);
		const last = events.at(-1);
		expect(last?.event).toBe("error");
		expect(JSON.parse(last?.data ?? "")).toEqual({
			error: { code: "upstream_error", message: expect.any(String) },
		});
		expect(events.some((event) => event.data === "[DONE]")).toBe(false);
		expect(emulator.runs[0]?.status).toBe(500);
	});

	it("cancels the inference when the client stops reading", async () => {
		const { ask, emulator } = createHarness({ tokenDelayMs: 20 });
		const res = await ask("Long one", { stream: true });
		const reader = res.body?.getReader();
		await reader?.read();
		await reader?.cancel();
		await expect.poll(() => emulator.runs[0]?.aborted).toBe(true);
	});

	it("reports an upstream error before the first byte as a JSON error, not a stream", async () => {
		const { ask, emulator } = createHarness();
		emulator.failNext("run", 503);
		const res = await ask("Hello", { stream: true });
		expect(res.status).toBe(502);
		expect(res.headers.get("content-type")).toMatch(/^application\/json/);
		expect(await res.json()).toEqual({
			error: { code: "upstream_error", message: "The AI service failed to answer" },
		});
	});
});

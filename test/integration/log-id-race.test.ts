import { describe, expect, it } from "vitest";
import { aiThrough } from "../../src/ai/binding";
import { type ChatJson, createHarness, createSharedHarness, readEvents } from "../harness";

describe("the log id belongs to the answer", () => {
	it("gives overlapping requests their own log ids, and their feedback lands on their own logs", async () => {
		// Shared emulator: the votes are delivered by Durable Objects, which reach it too.
		const harness = await createSharedHarness();
		// A's headers (and log id) arrive first, then its body is held back while B runs to the end.
		const gate = await harness.hold();
		const first = harness.ask("first question");
		while ((await harness.runs()).length < 1) await scheduler.wait(5);
		const second = (await (await harness.ask("second question")).json()) as ChatJson;
		await gate.release();
		const firstBody = (await (await first).json()) as ChatJson;

		const [runA, runB] = await harness.runs();
		expect(firstBody.logId).toBe(runA?.logId);
		expect(second.logId).toBe(runB?.logId);
		expect(firstBody.logId).not.toBe(second.logId);
		expect(firstBody.response).toContain("first question");

		await harness.vote({
			logId: firstBody.logId,
			token: firstBody.feedbackToken,
			feedback: "down",
		});
		await harness.vote({ logId: second.logId, token: second.feedbackToken, feedback: "up" });
		await harness.settled(firstBody.logId ?? "", firstBody.feedbackToken);
		await harness.settled(second.logId ?? "", second.feedbackToken);
		expect((await harness.peek(runA?.logId ?? ""))?.feedback).toBe(-1);
		expect((await harness.peek(runB?.logId ?? ""))?.feedback).toBe(1);
	});

	it("keeps streams' ids apart too", async () => {
		const harness = createHarness();
		const gate = harness.emulator.holdNextResponse();
		const first = harness.ask("first", { stream: true });
		await waitFor(() => harness.emulator.runs.length === 1);
		const secondEvents = await readEvents(await harness.ask("second", { stream: true }));
		gate.release();
		const firstEvents = await readEvents(await first);
		const metaOf = (events: typeof firstEvents) =>
			JSON.parse(events[0]?.data ?? "") as { logId: string };
		expect(metaOf(firstEvents).logId).toBe(harness.emulator.runs[0]?.logId);
		expect(metaOf(secondEvents).logId).toBe(harness.emulator.runs[1]?.logId);
	});

	it("is needed: the binding's shared aiGatewayLogId hands the first caller the second one's id", async () => {
		// The pattern in Cloudflare's docs, shown failing against the same emulator.
		const { emulator } = createHarness();
		const { env } = createHarness();
		const ai = aiThrough(env.AI, emulator as unknown as Fetcher) as Ai<AiModelListType>;
		const ask = async (content: string) => {
			await ai.run(
				"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
				{ messages: [{ role: "user", content }] },
				{ gateway: { id: "default" } },
			);
			return ai.aiGatewayLogId;
		};
		const gate = emulator.holdNextResponse();
		const first = ask("first");
		await waitFor(() => emulator.runs.length === 1);
		const secondId = await ask("second");
		gate.release();
		const firstId = await first;
		expect(secondId).toBe(emulator.runs[1]?.logId);
		expect(firstId).toBe(secondId);
		expect(firstId).not.toBe(emulator.runs[0]?.logId);
	});
});

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!condition()) {
		if (Date.now() > deadline) throw new Error("condition not met in time");
		await scheduler.wait(5);
	}
}

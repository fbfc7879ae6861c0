// The same race as log-id-race.test.ts, on the OpenAI-compatible route: the log id travels
// in the cf-aig-log-id header and in each completion's id.
import { describe, expect, it, vi } from "vitest";
import { createHarness, createSharedHarness, readEvents } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

/** The log id an OpenAI-style stream carries in its chunks' ids. */
const chunkLogId = (events: Awaited<ReturnType<typeof readEvents>>) =>
	(JSON.parse(events[0]?.data ?? "") as { id: string }).id.replace(/^chatcmpl-/, "");

describe("the log id belongs to the answer on /v1/chat/completions", () => {
	it("gives overlapping /v1/chat/completions answers their own log ids", async () => {
		const harness = await createSharedHarness();
		const completion = (content: string) =>
			harness.postJson("/v1/chat/completions", {
				model: LLAMA,
				messages: [{ role: "user", content }],
			});
		const gate = await harness.hold();
		const first = completion("first question");
		await expect.poll(async () => (await harness.runs()).length).toBe(1);
		const second = await completion("second question");
		await gate.release();
		const firstRes = await first;

		const [runA, runB] = await harness.runs();
		expect(firstRes.headers.get("cf-aig-log-id")).toBe(runA?.logId);
		expect(second.headers.get("cf-aig-log-id")).toBe(runB?.logId);
		const firstBody = (await firstRes.json()) as { id: string };
		expect(firstBody.id).toBe(`chatcmpl-${runA?.logId}`);
		expect(((await second.json()) as { id: string }).id).toBe(`chatcmpl-${runB?.logId}`);
	});

	it("keeps /v1/chat/completions streams' ids apart when their headers land in the same turn", async () => {
		const harness = createHarness();
		const completion = (content: string) =>
			harness.postJson("/v1/chat/completions", {
				model: LLAMA,
				messages: [{ role: "user", content }],
				stream: true,
			});
		const gateA = harness.emulator.holdNextResponse(undefined, "response");
		const gateB = harness.emulator.holdNextResponse(undefined, "response");
		const first = completion("first");
		const second = completion("second");
		await vi.waitFor(() => expect(harness.emulator.runs).toHaveLength(2));
		gateA.release();
		gateB.release();
		const [firstRes, secondRes] = await Promise.all([first, second]);
		const [runA, runB] = harness.emulator.runs;
		expect(firstRes.headers.get("cf-aig-log-id")).toBe(runA?.logId);
		expect(secondRes.headers.get("cf-aig-log-id")).toBe(runB?.logId);
		expect(chunkLogId(await readEvents(firstRes))).toBe(runA?.logId);
		expect(chunkLogId(await readEvents(secondRes))).toBe(runB?.logId);
	});
});

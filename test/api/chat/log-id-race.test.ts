import { describe, expect, it, vi } from "vitest";
import { aiThrough } from "../../../src/gateway/binding";
import { type ChatJson, createHarness, createSharedHarness, readEvents } from "../../harness";

const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";

type SharedHarness = Awaited<ReturnType<typeof createSharedHarness>>;
type Events = Awaited<ReturnType<typeof readEvents>>;

/** The runtime's real `Ai` class on the shared emulator, through the AI_EMULATOR service binding. */
function sharedAi(harness: SharedHarness): Ai<AiModelListType> {
	const emulator = harness.env.AI_EMULATOR;
	if (!emulator) throw new Error("vitest.config.ts binds no AI_EMULATOR");
	return aiThrough(harness.env.AI, emulator) as Ai<AiModelListType>;
}

/** Whether a promise has settled, without waiting for it. */
function settledFlag(promise: Promise<unknown>): () => boolean {
	let settled = false;
	promise.then(
		() => {
			settled = true;
		},
		() => {
			settled = true;
		},
	);
	return () => settled;
}

const streamLogId = (events: Events) =>
	(JSON.parse(events[0]?.data ?? "") as { aiGatewayLogId: string }).aiGatewayLogId;

// The race: the binding stores each answer's log id on the one shared `env.AI` object as
// soon as that answer's headers arrive, then the body follows. Another answer whose
// headers arrive in between overwrites it. These tests make that happen for real: the
// emulator is a Worker of its own behind a service binding (vitest.config.ts), so the
// Worker gets an answer's headers while the emulator still holds its body back.
describe("the log id belongs to the answer", () => {
	it("the Worker gets an answer's headers, and its log id, while the body is still held", async () => {
		const harness = await createSharedHarness();
		const gate = await harness.hold();
		const res = await sharedAi(harness).run(
			LLAMA,
			{ messages: [{ role: "user", content: "held" }] },
			{ gateway: { id: harness.gatewayId }, returnRawResponse: true },
		);
		const [run] = await harness.runs();
		expect(res.status).toBe(200);
		expect(res.headers.get("cf-aig-log-id")).toBe(run?.logId);
		expect(run?.completed).toBe(false);
		const body = res.text();
		const bodyDone = settledFlag(body);
		// Another round trip to the emulator, and still no body.
		expect((await harness.runs())[0]?.completed).toBe(false);
		expect(bodyDone()).toBe(false);
		await gate.release();
		expect(JSON.parse(await body).response).toContain("held");
		expect((await harness.runs())[0]?.completed).toBe(true);
	});

	it("gives overlapping requests their own log ids, and their feedback lands on their own logs", async () => {
		// Shared emulator: the votes are delivered by Durable Objects, which reach it too.
		const harness = await createSharedHarness();
		// A's headers (and log id) arrive first, then its body is held back while B runs to the end.
		const gate = await harness.hold();
		const first = harness.ask("first question");
		await expect.poll(async () => (await harness.runs()).length).toBe(1);
		const second = (await (await harness.ask("second question")).json()) as ChatJson;
		await gate.release();
		const firstBody = (await (await first).json()) as ChatJson;

		const [runA, runB] = await harness.runs();
		expect(firstBody.aiGatewayLogId).toBe(runA?.logId);
		expect(second.aiGatewayLogId).toBe(runB?.logId);
		expect(firstBody.aiGatewayLogId).not.toBe(second.aiGatewayLogId);
		expect(firstBody.response).toContain("first question");

		await harness.vote({
			aiGatewayLogId: firstBody.aiGatewayLogId,
			token: firstBody.feedbackToken,
			feedback: "down",
		});
		await harness.vote({
			aiGatewayLogId: second.aiGatewayLogId,
			token: second.feedbackToken,
			feedback: "up",
		});
		await harness.settled(firstBody.aiGatewayLogId ?? "", firstBody.feedbackToken);
		await harness.settled(second.aiGatewayLogId ?? "", second.feedbackToken);
		expect((await harness.peek(runA?.logId ?? ""))?.feedback).toBe(-1);
		expect((await harness.peek(runB?.logId ?? ""))?.feedback).toBe(1);
	});

	it("keeps overlapping streams' ids apart", async () => {
		const harness = await createSharedHarness();
		const gate = await harness.hold();
		const first = harness.ask("first", { stream: true });
		await expect.poll(async () => (await harness.runs()).length).toBe(1);
		const secondEvents = await readEvents(await harness.ask("second", { stream: true }));
		await gate.release();
		const firstEvents = await readEvents(await first);
		const [runA, runB] = await harness.runs();
		expect(streamLogId(firstEvents)).toBe(runA?.logId);
		expect(streamLogId(secondEvents)).toBe(runB?.logId);
	});

	// A stream's id is read as soon as its headers are in, so another answer can only slip in
	// when both answers' headers land in the same turn of the isolate. Through the service
	// binding workerd hands the Worker each response in a turn of its own (two held answers
	// released together still arrive apart), so here the emulator runs in the test's isolate
	// and both held answers are released at once.
	it("keeps streams' ids apart when their headers land in the same turn", async () => {
		const harness = createHarness();
		const gateA = harness.emulator.holdNextResponse(undefined, "response");
		const gateB = harness.emulator.holdNextResponse(undefined, "response");
		const first = harness.ask("first", { stream: true });
		const second = harness.ask("second", { stream: true });
		await vi.waitFor(() => expect(harness.emulator.runs).toHaveLength(2));
		gateA.release();
		gateB.release();
		const [firstEvents, secondEvents] = await Promise.all([
			first.then(readEvents),
			second.then(readEvents),
		]);
		const [runA, runB] = harness.emulator.runs;
		expect(streamLogId(firstEvents)).toBe(runA?.logId);
		expect(streamLogId(secondEvents)).toBe(runB?.logId);
	});

	it("is needed: the binding's shared aiGatewayLogId hands the first caller the second one's id", async () => {
		// The pattern in Cloudflare's docs, shown failing against the same emulator and binding.
		const harness = await createSharedHarness();
		const ai = sharedAi(harness);
		const ask = async (content: string) => {
			await ai.run(
				LLAMA,
				{ messages: [{ role: "user", content }] },
				{ gateway: { id: harness.gatewayId } },
			);
			return ai.aiGatewayLogId;
		};
		const gate = await harness.hold();
		const first = ask("first");
		await expect.poll(async () => (await harness.runs()).length).toBe(1);
		const secondId = await ask("second");
		await gate.release();
		const firstId = await first;
		const [runA, runB] = await harness.runs();
		expect(secondId).toBe(runB?.logId);
		expect(firstId).toBe(secondId);
		expect(firstId).not.toBe(runA?.logId);
	});
});

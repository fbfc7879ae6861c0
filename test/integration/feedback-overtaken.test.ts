import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { resolveBindings } from "../../src/ai/binding";
import type { FeedbackDelivery } from "../../src/feedback/delivery";
import { type ChatJson, createSharedHarness } from "../harness";

// README, delivery guarantees: "A delivery overtaken by a newer vote is followed by one of
// the newer vote, so the gateway ends with the last vote cast." The overtaking has to happen
// while a patchLog call is in flight, so this test holds the log's Durable Object's patchLog
// calls at a gate: the first vote's delivery waits there while the second vote is cast.
it("follows a delivery overtaken by a newer vote with one of the newer vote", async () => {
	const harness = await createSharedHarness();
	const answer = (await (await harness.ask("Rate me")).json()) as ChatJson;
	const { logId, feedbackToken: token } = answer;
	if (!logId || !token) throw new Error("answer without log id or token");

	const gate = Promise.withResolvers<void>();
	const patches: string[] = [];
	await runInDurableObject(env.FEEDBACK_DELIVERY.getByName(logId), (instance: FeedbackDelivery) => {
		// The object's own bindings, with its calls to the emulator passing the gate.
		const object = instance as unknown as { env: Cloudflare.Env };
		const emulator = object.env.AI_EMULATOR;
		if (!emulator) throw new Error("the Durable Object has no AI_EMULATOR binding");
		const gated = {
			fetch: async (input: RequestInfo | URL, init?: RequestInit) => {
				const request = new Request(input, init);
				if (request.method === "PATCH") {
					const { metadata } = (await request.clone().json()) as { metadata: { vote: string } };
					patches.push(metadata.vote);
					await gate.promise;
				}
				return emulator.fetch(request);
			},
		};
		object.env = resolveBindings({ ...object.env, AI_EMULATOR: gated as unknown as Fetcher });
	});

	expect((await harness.vote({ logId, token, feedback: "up" })).status).toBe(202);
	const deadline = Date.now() + 5_000;
	while (patches.length === 0) {
		if (Date.now() > deadline) throw new Error("the first vote was never sent to patchLog");
		await scheduler.wait(5);
	}
	// The "up" delivery is in flight; the user changes their mind.
	expect((await harness.vote({ logId, token, feedback: "down" })).status).toBe(202);
	gate.resolve();

	const status = await harness.settled(logId, token);
	expect(status).toMatchObject({ feedback: "down", state: "delivered" });
	expect(patches).toEqual(["up", "down"]);
	expect((await harness.peek(logId))?.feedback).toBe(-1);
});

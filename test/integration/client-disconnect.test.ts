/**
 * A client that goes away cancels the inference. The requests go through the runtime
 * (`exports.default.fetch`), so the Worker learns of the disconnect the way a deployed
 * one does: from `Request.signal`, which fires only with the `enable_request_signal`
 * compatibility flag in wrangler.jsonc.
 */
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RunRecord } from "../../emulator/src/index.ts";

const emulator = env.AI_EMULATOR as Fetcher;
const control = (path: string, init?: RequestInit) =>
	emulator.fetch(`https://emulator.test/__emulator${path}`, init);

/** The configured gateway (`exports.default` runs with wrangler.jsonc's own vars). */
const gatewayId = env.AI_GATEWAY_ID;

async function runsAbout(marker: string): Promise<RunRecord[]> {
	const runs = (await (await control(`/gateways/${gatewayId}/runs`)).json()) as RunRecord[];
	return runs.filter((run) => JSON.stringify(run.inputs).includes(marker));
}

async function leaveMidAnswer(path: string, body: Record<string, unknown>, marker: string) {
	const client = new AbortController();
	const answer = exports.default
		.fetch(`https://worker.test${path}`, {
			method: "POST",
			headers: { "content-type": "application/json", "cf-connecting-ip": marker },
			body: JSON.stringify(body),
			signal: client.signal,
		})
		.catch((err: unknown) => err);
	// The model is working on it (the emulator holds the answer back) when the client leaves.
	await vi.waitFor(async () => expect(await runsAbout(marker)).toHaveLength(1));
	client.abort();
	expect(await answer).toBeInstanceOf(Error);
	await expect
		.poll(async () => (await runsAbout(marker))[0]?.aborted, { timeout: 5000 })
		.toBe(true);
	expect((await runsAbout(marker))[0]).toMatchObject({ completed: true, status: 499 });
}

const slowModel = (responseDelayMs: number) =>
	control(`/gateways/${gatewayId}/settings`, {
		method: "PUT",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ responseDelayMs }),
	});

describe("a client that disconnects", () => {
	// The configured gateway is shared with other test files: leave it fast.
	afterEach(() => slowModel(0));

	it.each([
		["a JSON answer", "/api/chat", false],
		["a stream whose model has not answered yet", "/api/chat", true],
		["an OpenAI-compatible JSON answer", "/v1/chat/completions", false],
	])("cancels %s (%s)", async (_name, path, stream) => {
		// A slow model: nothing comes back for a minute.
		await slowModel(60_000);
		const marker = `disconnect-${crypto.randomUUID()}`;
		await leaveMidAnswer(path, { messages: [{ role: "user", content: marker }], stream }, marker);
	});
});

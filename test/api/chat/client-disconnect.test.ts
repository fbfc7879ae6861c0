/**
 * A client that goes away cancels the inference. The requests go through the runtime
 * (`exports.default.fetch`), so the Worker learns of the disconnect the way a deployed
 * one does: from `Request.signal`, which fires only with the `enable_request_signal`
 * compatibility flag in wrangler.jsonc.
 */
import { env, exports } from "cloudflare:workers";
import OpenAI from "openai";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import type { RunRecord } from "../../../emulator/src/index.ts";
import { toChatEventStream } from "../../../src/api/chat/format";
import { readEvents } from "../../harness";

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

const configure = (settings: { responseDelayMs?: number; tokenDelayMs?: number }) =>
	control(`/gateways/${gatewayId}/settings`, {
		method: "PUT",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(settings),
	});
const slowModel = (responseDelayMs: number) => configure({ responseDelayMs });

/** Every line the Worker logged at error level, and the stream failures it logged at all. */
function consoleLines(spies: Record<"error" | "warn" | "info" | "log", MockInstance>) {
	const lines = (spy: MockInstance) => spy.mock.calls.map((call) => call.map(String).join(" "));
	return {
		errors: lines(spies.error),
		streamLines: [spies.error, spies.warn, spies.info, spies.log]
			.flatMap(lines)
			.filter((line) => line.includes("model stream")),
	};
}

function spyOnConsole() {
	return {
		error: vi.spyOn(console, "error"),
		warn: vi.spyOn(console, "warn"),
		info: vi.spyOn(console, "info"),
		log: vi.spyOn(console, "log"),
	};
}

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

describe("a client that leaves mid-stream", () => {
	// The first token takes a minute: the client has the stream's first event when it leaves.
	afterEach(async () => {
		vi.restoreAllMocks();
		await configure({ tokenDelayMs: 0 });
	});

	/**
	 * Waits until the emulator saw the client leave and the Worker logged the aborted stream:
	 * the upstream read the cancel broke off has settled by then (it settles before the
	 * cancel reaches the emulator), so whatever the Worker logs about it is logged.
	 */
	async function untilAborted(marker: string, spies: ReturnType<typeof spyOnConsole>) {
		await expect
			.poll(async () => (await runsAbout(marker))[0]?.aborted, { timeout: 15_000 })
			.toBe(true);
		await expect
			.poll(() => consoleLines(spies).streamLines.join("\n"), { timeout: 15_000 })
			.toContain("model stream aborted");
	}

	it.each([
		["this API's stream", "/api/chat"],
		["an OpenAI-compatible stream", "/v1/chat/completions"],
	])("is not logged as an error (%s)", async (_name, path) => {
		await configure({ tokenDelayMs: 60_000 });
		const spies = spyOnConsole();
		const marker = `leave-mid-stream-${crypto.randomUUID()}`;
		const client = new AbortController();
		const res = await exports.default.fetch(`https://worker.test${path}`, {
			method: "POST",
			headers: { "content-type": "application/json", "cf-connecting-ip": marker },
			body: JSON.stringify({ messages: [{ role: "user", content: marker }], stream: true }),
			signal: client.signal,
		});
		const reader = res.body?.getReader();
		expect((await reader?.read())?.done).toBe(false);
		client.abort();
		await reader?.cancel().catch(() => {});
		await untilAborted(marker, spies);
		const { errors, streamLines } = consoleLines(spies);
		expect(errors).toEqual([]);
		expect(streamLines.join("\n")).toContain("model stream aborted");
	});

	it("is not logged as an error when the openai SDK aborts", async () => {
		await configure({ tokenDelayMs: 60_000 });
		const spies = spyOnConsole();
		const marker = `sdk-leaves-${crypto.randomUUID()}`;
		const openai = new OpenAI({
			apiKey: "unused",
			baseURL: "https://worker.test/v1",
			maxRetries: 0,
			fetch: (input, init) => exports.default.fetch(input as RequestInfo, init as RequestInit),
			defaultHeaders: { "cf-connecting-ip": marker },
		});
		const stream = await openai.chat.completions.create({
			model: env.DEFAULT_MODEL,
			messages: [{ role: "user", content: marker }],
			stream: true,
		});
		let chunks = 0;
		// The SDK ends the iteration quietly when its own controller aborts.
		for await (const _chunk of stream) {
			chunks++;
			stream.controller.abort();
		}
		expect(chunks).toBe(1);
		await untilAborted(marker, spies);
		const { errors, streamLines } = consoleLines(spies);
		expect(errors).toEqual([]);
		expect(streamLines.join("\n")).toContain("model stream aborted");
	});

	it("leaves a stream the model breaks logged as an error", async () => {
		const spies = spyOnConsole();
		const malformed = new Response('data: {"response":"a"}\n\ndata: {oops\n\n').body;
		const meta = { aiGatewayLogId: "log-malformed", feedbackToken: "", model: "m", provider: "" };
		const events = await readEvents(
			new Response(toChatEventStream(malformed as ReadableStream<Uint8Array>, meta)),
		);
		expect(events.at(-1)?.event).toBe("error");
		expect(consoleLines(spies).errors).toEqual([
			expect.stringMatching(/"model stream failed".*"malformed chunk".*"log-malformed"/),
		]);
	});
});

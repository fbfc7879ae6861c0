import { createExecutionContext, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { vi } from "vitest";
import { AiGatewayEmulator, type EmulatorSettings, type HoldPart } from "../emulator/src/index.ts";
import worker from "../src";
import { readConfig } from "../src/core/config";
import type { DeliveryState, Vote, VoteRecord } from "../src/core/votes";
import type { FeedbackDelivery } from "../src/feedback/delivery";

type IncomingRequest = Request<unknown, IncomingRequestCfProperties>;

export const TEST_DEBUG_TOKEN = "test-debug-token-0123456789abcdefghij";

/** Requests to the production Worker's own fetch handler with `testEnv`, as one client. */
function workerClient(testEnv: Cloudflare.Env) {
	// Each harness is its own client for the per-client rate limits.
	const clientIp = `198.51.100.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
	const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
		// An incoming request, as the runtime hands it to the Worker.
		const request = new Request(new URL(path, "https://worker.test"), init);
		if (!request.headers.has("cf-connecting-ip")) request.headers.set("cf-connecting-ip", clientIp);
		return worker.fetch(request as unknown as IncomingRequest, testEnv, createExecutionContext());
	};
	const postJson = (path: string, body: unknown, init: RequestInit = {}) =>
		call(path, {
			method: "POST",
			...init,
			headers: { "content-type": "application/json", ...init.headers },
			body: JSON.stringify(body),
		});
	const chat = (body: Record<string, unknown>, init?: RequestInit) =>
		postJson("/api/chat", body, init);
	const ask = (content: string, extra: Record<string, unknown> = {}) =>
		chat({ messages: [{ role: "user", content }], ...extra });
	const vote = (body: Record<string, unknown>, init?: RequestInit) =>
		postJson("/api/feedback", body, init);
	const voteStatus = (aiGatewayLogId: string, token: string | null) =>
		call(`/api/feedback/${aiGatewayLogId}`, { headers: { authorization: `Bearer ${token}` } });
	const debugLog = (aiGatewayLogId: string, token = TEST_DEBUG_TOKEN) =>
		call(`/api/logs/${aiGatewayLogId}`, { headers: { authorization: `Bearer ${token}` } });
	return { env: testEnv, call, postJson, chat, ask, vote, voteStatus, debugLog };
}

/**
 * Waits, when needed, until the current rate-limit window has `neededMs` left. The local
 * Rate Limiting binding counts in windows aligned to the wall clock, so a test that fills
 * a window would see it reset under it if it started near the window's end.
 */
export async function freshRateLimitWindow(periodSeconds = 60, neededMs = 10_000) {
	const periodMs = periodSeconds * 1000;
	const left = periodMs - (Date.now() % periodMs);
	if (left < neededMs) await scheduler.wait(left + 50);
}

/**
 * The production Worker wired to a fresh in-memory emulator the way
 * `npm run dev` wires it: an `AI_EMULATOR` binding, which the Worker's own
 * switch turns into the runtime's real `Ai` and `AiGateway` classes.
 * Feedback delivery runs in Durable Objects, which reach the shared emulator
 * instead: use `createSharedHarness` for tests that follow a vote.
 */
export function createHarness(
	settings: Partial<EmulatorSettings> | AiGatewayEmulator = {},
	overrides: Partial<Cloudflare.Env> = {},
) {
	const emulator =
		settings instanceof AiGatewayEmulator ? settings : new AiGatewayEmulator(settings);
	const client = workerClient({
		...env,
		AI_EMULATOR: emulator as unknown as Fetcher,
		...overrides,
	});
	return { ...client, emulator };
}

export interface PeekedLog {
	id: string;
	visible: boolean;
	feedback: -1 | 0 | 1 | null;
	score: number | null;
	metadata: Record<string, unknown>;
	status_code: number;
	patches: number;
}

export interface RunJson {
	logId: string;
	aborted: boolean;
	completed: boolean;
	status: number | null;
}

/**
 * The Worker, its Durable Objects and the test run's one shared emulator
 * (vitest.config.ts), on a gateway id of the test's own so tests stay apart.
 * The emulator's switches are set over its HTTP control API.
 */
export async function createSharedHarness(
	settings: Partial<EmulatorSettings> = {},
	overrides: Partial<Cloudflare.Env> = {},
) {
	const gatewayId = `test-${crypto.randomUUID()}`;
	const emulator = env.AI_EMULATOR;
	if (!emulator) throw new Error("vitest.config.ts binds no AI_EMULATOR");
	const control = (path: string, init?: RequestInit) =>
		emulator.fetch(`https://emulator.test/__emulator${path}`, init);
	const sendJson = (method: string, path: string, body: unknown) =>
		control(path, {
			method,
			headers: { "content-type": "application/json" },
			body: JSON.stringify(body),
		});
	const configure = async (next: Partial<EmulatorSettings>) => {
		await sendJson("PUT", `/gateways/${gatewayId}/settings`, next);
	};
	await configure(settings);
	const client = workerClient({ ...env, AI_GATEWAY_ID: gatewayId, ...overrides });
	return {
		...client,
		gatewayId,
		configure,
		fail: async (target: string, status: number, count = 1) => {
			await sendJson("POST", `/gateways/${gatewayId}/faults`, { target, status, count });
		},
		/**
		 * Holds the next answer's body back (its headers, with the log id, go out at
		 * once), or with "response" the whole answer, until released.
		 */
		hold: async (part: HoldPart = "body") => {
			const res = await sendJson("POST", `/gateways/${gatewayId}/holds`, { part });
			const { id } = (await res.json()) as { id: string };
			return {
				id,
				release: async () => {
					await control(`/holds/${id}/release`, { method: "POST" });
				},
			};
		},
		runs: async () => (await (await control(`/gateways/${gatewayId}/runs`)).json()) as RunJson[],
		peek: async (aiGatewayLogId: string) => {
			const res = await control(`/gateways/${gatewayId}/logs/${aiGatewayLogId}`);
			return res.ok ? ((await res.json()) as PeekedLog) : undefined;
		},
		/**
		 * Once the vote has been tried `attempts` times, closes its retry window: its next
		 * failure is final, as once the window (wrangler.jsonc's, minutes) has passed, without
		 * a test waiting it out or racing a short one.
		 */
		closeRetryWindow: async (aiGatewayLogId: string, token: string | null, attempts = 1) => {
			await vi.waitFor(
				async () => {
					const res = await client.voteStatus(aiGatewayLogId, token);
					const status = (await res.json()) as VoteStatusJson;
					if (status.attempts < attempts)
						throw new Error(`vote on ${aiGatewayLogId} tried ${status.attempts} times`);
				},
				{ timeout: 60_000, interval: 100 },
			);
			const { windowMs } = readConfig(env).retry;
			const stub = env.FEEDBACK_DELIVERY.getByName(aiGatewayLogId);
			await runInDurableObject(stub, (_instance: FeedbackDelivery, state) => {
				const vote = state.storage.kv.get<VoteRecord>("vote");
				if (vote) state.storage.kv.put("vote", { ...vote, windowStart: Date.now() - windowMs });
			});
		},
		/** Polls the vote's status route until delivery is no longer pending. */
		settled: (aiGatewayLogId: string, token: string | null, timeout = 15_000) =>
			vi.waitFor(
				async () => {
					const res = await client.voteStatus(aiGatewayLogId, token);
					const status = (await res.json()) as VoteStatusJson;
					if (status.state === "pending")
						throw new Error(`vote on ${aiGatewayLogId} still pending`);
					return status;
				},
				// Within the status route's rate limit (300 a minute per client), even for a few logs at once.
				{ timeout, interval: 100 },
			),
	};
}

export interface VoteStatusJson {
	aiGatewayLogId: string;
	feedback: Vote;
	state: DeliveryState;
	attempts: number;
	castAt: string;
	deliveredAt: string | null;
	nextAttemptAt: string | null;
	error: string | null;
}

export interface ChatJson {
	response: string;
	aiGatewayLogId: string | null;
	feedbackToken: string | null;
	model: string;
	cached: boolean;
	usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

/** Valibot's default issue messages ("Invalid key: Expected ..."): no client should see them. */
export const VALIBOT_DEFAULT_WORDING = /\bInvalid \w+:|\bExpected\b/;

export interface ErrorJson {
	error: { code: string; message: string };
}

/** Reads a whole SSE response into events, noting when each one arrived. */
export async function readEvents(
	response: Response,
): Promise<(EventSourceMessage & { at: number })[]> {
	const events: (EventSourceMessage & { at: number })[] = [];
	const parser = createParser({ onEvent: (event) => events.push({ ...event, at: Date.now() }) });
	const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
	if (!reader) throw new Error("no body");
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		parser.feed(value);
	}
	return events;
}

/** The `response` deltas of a chat stream, in order. */
export function deltasOf(events: EventSourceMessage[]): string[] {
	return events
		.filter((event) => !event.event && event.data !== "[DONE]")
		.map((event) => (JSON.parse(event.data) as { response: string }).response);
}

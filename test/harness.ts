import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { AiGatewayEmulator, type EmulatorSettings } from "../emulator/src/index.ts";
import worker from "../src";

type IncomingRequest = Request<unknown, IncomingRequestCfProperties>;

export const TEST_DEBUG_TOKEN = "test-debug-token-0123456789abcdefghij";

/**
 * The production Worker wired to a fresh emulator the way `npm run dev` wires
 * it: an `AI_EMULATOR` binding, which the Worker's own switch turns into the
 * runtime's real `Ai` and `AiGateway` classes talking to the emulator.
 */
export function createHarness(
	settings: Partial<EmulatorSettings> | AiGatewayEmulator = {},
	overrides: Partial<Cloudflare.Env> = {},
) {
	const emulator =
		settings instanceof AiGatewayEmulator ? settings : new AiGatewayEmulator(settings);
	const testEnv: Cloudflare.Env = {
		...env,
		AI_EMULATOR: emulator as unknown as Fetcher,
		...overrides,
	};
	const call = async (path: string, init?: RequestInit): Promise<Response> =>
		worker.fetch(
			// An incoming request, as the runtime hands it to the Worker.
			new Request(new URL(path, "https://worker.test"), init) as unknown as IncomingRequest,
			testEnv,
			createExecutionContext(),
		);
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
	const vote = (body: Record<string, unknown>) => postJson("/api/feedback", body);
	const debugLog = (logId: string, token = TEST_DEBUG_TOKEN) =>
		call(`/api/logs/${logId}`, { headers: { authorization: `Bearer ${token}` } });
	return { emulator, env: testEnv, call, postJson, chat, ask, vote, debugLog };
}

export interface ChatJson {
	response: string;
	logId: string | null;
	feedbackToken: string | null;
	model: string;
	cached: boolean;
	usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

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

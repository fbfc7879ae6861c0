/** Shared by the emulator's tests: the runtime's real `Ai` class driven against a fresh emulator. */
import { env } from "cloudflare:workers";
import { AiGatewayEmulator, type EmulatorSettings } from "../../emulator/src/index.ts";
import { aiThrough } from "../../src/gateway/binding";
import { readEvents } from "../harness";

export const LLAMA = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
export const GPT_OSS = "@cf/openai/gpt-oss-120b";
export const messages = [{ role: "user", content: "Hello emulator" }];

/**
 * A fresh emulator behind a genuine `Ai` binding. `sent` keeps a copy of every request the
 * binding made, so tests can show the wire format as well as the answer.
 */
export function setup(settings: Partial<EmulatorSettings> = {}) {
	const emulator = new AiGatewayEmulator(settings);
	const sent: Request[] = [];
	const fetcher = {
		fetch: (input: RequestInfo | URL, init?: RequestInit) => {
			const request = new Request(input, init);
			sent.push(request.clone());
			return emulator.fetch(request);
		},
	};
	const ai = aiThrough(env.AI, fetcher as unknown as Fetcher);
	return { emulator, ai, sent };
}

/** `env.AI.run` for a model outside the types' catalogue (third-party models). */
export function run(
	ai: Ai,
	model: string,
	inputs: Record<string, unknown>,
	options: AiOptions = {},
): Promise<unknown> {
	return (ai.run as (m: string, i: unknown, o: AiOptions) => Promise<unknown>)(
		model,
		inputs,
		options,
	);
}

/** `env.AI.run` with `returnRawResponse: true`: the Response, whatever its status. */
export function rawRun(
	ai: Ai,
	model: string,
	inputs: Record<string, unknown>,
	options: AiOptions = {},
): Promise<Response> {
	return run(ai, model, inputs, { ...options, returnRawResponse: true }) as Promise<Response>;
}

/** A `compat` request as the dynamic-routing docs call it through the binding. */
export function compat(model: string, query: Record<string, unknown> = {}) {
	return {
		provider: "compat",
		endpoint: "chat/completions",
		headers: {},
		query: { model, messages, ...query },
	};
}

/** The SSE events of a streamed answer (a Response, or the stream `env.AI.run` returns). */
export function eventsOf(body: Response | ReadableStream) {
	return readEvents(body instanceof Response ? body : new Response(body));
}

/** The data of each event, parsed, `[DONE]` kept as a string. */
export async function dataOf(body: Response | ReadableStream): Promise<unknown[]> {
	return (await eventsOf(body)).map((event) =>
		event.data === "[DONE]" ? event.data : JSON.parse(event.data),
	);
}

export interface ChatCompletion {
	id: string;
	object: string;
	model: string;
	choices: { index: number; message: { role: string; content: string }; finish_reason: string }[];
	usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
}

export interface AiGatewayErrorBody {
	success: false;
	name: "AiGatewayError";
	httpCode: number;
	internalCode: number;
	message: string;
	description: string;
	error: { code: number; message: string }[];
}

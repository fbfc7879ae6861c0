/**
 * One inference, whichever endpoint asked for it: its run record and log, Guardrails,
 * credits, faults, latency and holds, and the answer in its shape as JSON or SSE.
 */

import {
	type Answer,
	type ChatMessage,
	composeAnswer,
	countTokens,
	type OutputShape,
} from "./answers.ts";
import { inferenceFault } from "./faults.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { buffersStream, promptRefusal, responseRefusal, type Surface } from "./guardrails.ts";
import { jsonAnswer } from "./json-answers.ts";
import { isJudgeCall } from "./judge.ts";
import { responseDelay, sleep, untilReleased } from "./latency.ts";
import type { ChatRequest } from "./providers.ts";
import { type BodyEnd, eventStream, heldJson } from "./response-bodies.ts";
import type { EmulatorSettings } from "./settings.ts";
import type { EmulatorState, RunRecord } from "./state.ts";
import { streamEvents } from "./stream-events.ts";
import { replyTo } from "./tools.ts";
import { uuidv7 } from "./uuid.ts";

export interface Inference {
	model: {
		/** As the run record names it. */
		name: string;
		/** As the answer names it. */
		answerName: string;
		shape: OutputShape;
		/** Billed through Unified Billing, so `outOfCredits` applies. */
		thirdParty: boolean;
		/** Names `failingModels` is matched against. */
		failureNames: string[];
	};
	request: {
		/** Parsed, or the error its validation gave (logged, not served). */
		chat: ChatRequest | Response;
		inputs: Record<string, unknown>;
		options: Record<string, unknown>;
		/** As the gateway's log keeps it. */
		body: string;
		signal: AbortSignal;
	};
	gateway: GatewayContext | null;
	surface: Surface;
	/** Answer JSON in the REST API's `{ result }` envelope (universal workers-ai requests). */
	restEnvelope: boolean;
	log: { provider: string; model: string; path: string; requestType: string; step: number };
}

export interface Attempt {
	response: Response;
	/** A failure the next step of a route or universal request may stand in for. */
	fallback: boolean;
}

/** An inference under way: its record, log and headers, and how it ends. */
interface Run {
	logId: string;
	gatewayId: string;
	settings: EmulatorSettings;
	messages: ChatMessage[];
	/** The gateway's headers, on every answer of this run. */
	headers: Headers;
	end: BodyEnd;
}

/**
 * One inference: its log, Guardrails, credits, faults, latency, and the answer as JSON
 * or SSE. `fallback` says whether a route or universal request may try its next step.
 */
export async function infer(state: EmulatorState, inference: Inference): Promise<Attempt> {
	const run = startRun(state, inference);
	const refused = refusalBeforeModel(state, inference, run);
	if (refused) return refuse(run, refused.error, refused.fallback);
	const request = inference.request.chat as ChatRequest;
	const { signal } = inference.request;

	let timedOut: Response | undefined;
	try {
		timedOut = await responseDelay(
			run.settings.responseDelayMs,
			inference.gateway?.requestTimeoutMs,
			signal,
		);
	} catch {
		return aborted(run);
	}
	if (timedOut) return refuse(run, timedOut, true);

	const answer = composeAnswer(
		{
			id: run.logId,
			model: inference.model.answerName,
			reply: isJudgeCall(inference.gateway?.metadata)
				? { kind: "judge" }
				: replyTo(request.toolRequest, run.messages),
		},
		request,
	);
	// A hold on the whole response is waited out here; one on the body goes with the body.
	let hold = state.holds.take(run.gatewayId);
	if (hold?.part === "response") {
		try {
			await untilReleased(hold.promise, signal);
		} catch {
			return aborted(run);
		}
		hold = undefined;
	}
	if (request.stream && !buffersStream(run.settings.guardrails, inference.surface, request.stream))
		return streamedAnswer(inference, run, answer, hold?.promise);
	return jsonAnswerOf(inference, run, answer, hold?.promise);
}

/** Records the run, opens its gateway log, and sets the gateway's headers. */
function startRun(state: EmulatorState, inference: Inference): Run {
	const { gateway } = inference;
	const logId = uuidv7();
	const gatewayId = gateway?.id ?? "";
	const { maxRecords } = state.settings.global;
	const logged = gateway?.collectLog === true;
	const record: RunRecord = {
		logId,
		gatewayId: gateway?.id ?? null,
		model: inference.model.name,
		inputs: inference.request.inputs,
		options: inference.request.options,
		status: null,
		aborted: false,
		completed: false,
		logged,
	};
	state.runs.push(record);
	if (state.runs.length > maxRecords) state.runs.shift();
	state.logs.trim(maxRecords);
	const { chat } = inference.request;
	const messages: ChatMessage[] = chat instanceof Response ? [] : chat.messages;
	const headers = new Headers({ "cf-ai-req-id": crypto.randomUUID() });
	if (gateway) {
		headers.set("cf-aig-log-id", logId);
		headers.set("cf-aig-cache-status", "MISS");
	}
	if (gateway && logged) {
		state.logs.create({
			id: logId,
			gatewayId,
			model: inference.log.model,
			requestBody: inference.request.body,
			metadata: gateway.metadata ?? {},
			tokensIn: countTokens(messages),
			startedAt: Date.now(),
			provider: inference.log.provider,
			path: inference.log.path,
			requestType: inference.log.requestType,
			step: inference.log.step,
			collectPayload: gateway.collectPayload,
		});
	}
	const settings = state.settings.for(gatewayId);
	const end: BodyEnd = {
		finish(statusCode, responseBody, contentType, tokensOut = 0) {
			if (record.completed) return;
			record.status = statusCode;
			record.completed = true;
			if (!logged) return;
			state.logs.complete(
				logId,
				{
					statusCode,
					responseBody,
					responseContentType: contentType,
					tokensOut,
					finishedAt: Date.now(),
				},
				settings.logVisibilityDelayMs,
			);
		},
		abort(sent, contentType, tokensOut) {
			record.aborted = true;
			end.finish(499, sent, contentType, tokensOut);
		},
	};
	return { logId, gatewayId, settings, messages, headers, end };
}

/**
 * What refuses the inference before any model is asked, in the gateway's order: Guardrails on
 * the prompt, the model's schema, then credits (third-party models) and queued faults.
 */
function refusalBeforeModel(
	state: EmulatorState,
	inference: Inference,
	run: Run,
): { error: Response; fallback: boolean } | undefined {
	const { settings } = run;
	const blocked = promptRefusal(settings.guardrails, inference.surface, run.messages);
	if (blocked) return { error: blocked, fallback: false };
	// The gateway checks a third-party request against the model's schema before billing.
	if (inference.request.chat instanceof Response)
		return { error: inference.request.chat, fallback: false };
	// Out of credits, third-party models are refused before any queued fault is taken.
	const fault =
		inference.model.thirdParty && settings.outOfCredits
			? 402
			: (state.faults.take("run", run.gatewayId) ??
				(inference.model.failureNames.some((name) => settings.failingModels.includes(name))
					? 500
					: undefined));
	if (!fault) return undefined;
	// Seen live on env.AI.run: no cf-aig-log-id header on the credits refusal, although it is logged.
	if (fault === 402 && inference.surface === "run") run.headers.delete("cf-aig-log-id");
	return { error: inferenceFault(fault), fallback: true };
}

/** The answer as Server-Sent Events, token by token (a body hold pauses it). */
function streamedAnswer(
	inference: Inference,
	run: Run,
	answer: Answer,
	hold: Promise<void> | undefined,
): Attempt {
	run.headers.set("content-type", "text/event-stream");
	const body = eventStream(streamEvents(inference.model.shape, answer), {
		tokenDelayMs: run.settings.tokenDelayMs,
		streamFailureAfterTokens: run.settings.streamFailureAfterTokens,
		hold,
		signal: inference.request.signal,
		end: run.end,
	});
	return { response: new Response(body, { status: 200, headers: run.headers }), fallback: false };
}

/**
 * The answer as one JSON body once all its tokens are generated, unless Guardrails block
 * it (a buffered stream is answered this way too); a body hold keeps the body back.
 */
async function jsonAnswerOf(
	inference: Inference,
	run: Run,
	answer: Answer,
	hold: Promise<void> | undefined,
): Promise<Attempt> {
	const { tokens } = answer;
	try {
		await sleep(run.settings.tokenDelayMs * tokens.length, inference.request.signal);
	} catch {
		return aborted(run);
	}
	const blocked = responseRefusal(run.settings.guardrails, inference.surface, answer.text);
	if (blocked) return refuse(run, blocked, false);
	const result = jsonAnswer(inference.model.shape, answer);
	const json = JSON.stringify(
		inference.restEnvelope ? { result, success: true, errors: [], messages: [] } : result,
	);
	run.headers.set("content-type", "application/json");
	if (!hold) {
		run.end.finish(200, json, "application/json", tokens.length);
		return { response: new Response(json, { status: 200, headers: run.headers }), fallback: false };
	}
	const body = heldJson(json, tokens.length, hold, inference.request.signal, run.end);
	return { response: new Response(body, { status: 200, headers: run.headers }), fallback: false };
}

/** Ends the inference with an error answer, keeping the gateway's headers on it. */
async function refuse(run: Run, error: Response, fallback: boolean): Promise<Attempt> {
	const body = await error.text();
	const headers = new Headers(run.headers);
	for (const [name, value] of error.headers) headers.set(name, value);
	run.end.finish(error.status, body, "application/json");
	return { response: new Response(body, { status: error.status, headers }), fallback };
}

/** Ends the inference the caller left. */
function aborted(run: Run): Attempt {
	run.end.abort("client closed request", "text/plain");
	return { response: new Response(null, { status: 499 }), fallback: false };
}

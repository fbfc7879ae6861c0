/**
 * One inference, whichever endpoint asked for it: its run record and log, Guardrails,
 * credits, faults, latency and holds, and the answer in its shape as JSON or SSE.
 */

import { type ChatMessage, composeAnswer, countTokens, type OutputShape } from "./answers.ts";
import { inferenceFault } from "./faults.ts";
import type { GatewayContext } from "./gateway-context.ts";
import { buffersStream, promptRefusal, responseRefusal, type Surface } from "./guardrails.ts";
import { jsonAnswer } from "./json-answers.ts";
import { responseDelay, sleep, untilReleased } from "./latency.ts";
import type { ChatRequest } from "./providers.ts";
import { type BodyEnd, eventStream, heldJson } from "./response-bodies.ts";
import type { EmulatorState, RunRecord } from "./state.ts";
import { streamEvents } from "./stream-events.ts";
import { replyTo } from "./tools.ts";
import { uuidv7 } from "./uuid.ts";

export interface Inference {
	/** The model as the run record names it. */
	model: string;
	/** The model as the answer names it. */
	answerModel: string;
	shape: OutputShape;
	/** The parsed request, or the error its validation gave (logged, not served). */
	request: ChatRequest | Response;
	inputs: Record<string, unknown>;
	options: Record<string, unknown>;
	gateway: GatewayContext | null;
	requestBody: string;
	signal: AbortSignal;
	/** Answer JSON in the REST API's `{ result }` envelope (universal workers-ai requests). */
	restEnvelope: boolean;
	surface: Surface;
	/** Billed through Unified Billing, so `outOfCredits` applies. */
	thirdParty: boolean;
	/** Names `failingModels` is matched against. */
	failureNames: string[];
	log: { provider: string; model: string; path: string; requestType: string; step: number };
}

export interface Attempt {
	response: Response;
	/** A failure the next step of a route or universal request may stand in for. */
	fallback: boolean;
}

/**
 * One inference: its log, Guardrails, credits, faults, latency, and the answer as JSON
 * or SSE. `fallback` says whether a route or universal request may try its next step.
 */
export async function infer(state: EmulatorState, inference: Inference): Promise<Attempt> {
	const { model, shape, request, inputs, options, gateway, signal, surface } = inference;
	const logId = uuidv7();
	const gatewayId = gateway?.id ?? "";
	const settings = state.settings.for(gatewayId);
	const { maxRecords } = state.settings.global;
	const logged = gateway?.collectLog === true;
	const record: RunRecord = {
		logId,
		gatewayId: gateway?.id ?? null,
		model,
		inputs,
		options,
		status: null,
		aborted: false,
		completed: false,
		logged,
	};
	state.runs.push(record);
	if (state.runs.length > maxRecords) state.runs.shift();
	state.logs.trim(maxRecords);
	const headers = new Headers({ "cf-ai-req-id": crypto.randomUUID() });
	const messages: ChatMessage[] = request instanceof Response ? [] : request.messages;
	if (gateway) {
		headers.set("cf-aig-log-id", logId);
		headers.set("cf-aig-cache-status", "MISS");
	}
	if (gateway && logged) {
		state.logs.create({
			id: logId,
			gatewayId,
			model: inference.log.model,
			requestBody: inference.requestBody,
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
	const end: BodyEnd = {
		finish(statusCode, responseBody, contentType, tokensOut = 0) {
			if (record.completed) return;
			record.status = statusCode;
			record.completed = true;
			if (logged) {
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
			}
		},
		abort(sent, contentType, tokensOut) {
			record.aborted = true;
			end.finish(499, sent, contentType, tokensOut);
		},
	};
	/** Ends the inference with an error answer, keeping the gateway's headers on it. */
	const refuse = async (error: Response, fallback: boolean): Promise<Attempt> => {
		const body = await error.text();
		const merged = new Headers(headers);
		for (const [name, value] of error.headers) merged.set(name, value);
		end.finish(error.status, body, "application/json");
		return { response: new Response(body, { status: error.status, headers: merged }), fallback };
	};
	const aborted = (): Attempt => {
		end.abort("client closed request", "text/plain");
		return { response: new Response(null, { status: 499 }), fallback: false };
	};

	// Guardrails look at the prompt before anything reaches a provider.
	const { guardrails } = settings;
	const blocked = promptRefusal(guardrails, surface, messages);
	if (blocked) return refuse(blocked, false);
	// The gateway checks a third-party request against the model's schema before billing.
	if (request instanceof Response) return refuse(request, false);
	// Out of credits, third-party models are refused before any queued fault is taken.
	const fault =
		inference.thirdParty && settings.outOfCredits
			? 402
			: (state.faults.take("run", gatewayId) ??
				(inference.failureNames.some((name) => settings.failingModels.includes(name))
					? 500
					: undefined));
	if (fault) {
		// Seen live on env.AI.run: no cf-aig-log-id header on the credits refusal, although it is logged.
		if (fault === 402 && surface === "run") headers.delete("cf-aig-log-id");
		return refuse(inferenceFault(fault), true);
	}

	let timedOut: Response | undefined;
	try {
		timedOut = await responseDelay(settings.responseDelayMs, gateway?.requestTimeoutMs, signal);
	} catch {
		return aborted();
	}
	if (timedOut) return refuse(timedOut, true);

	const answer = composeAnswer(
		{
			id: logId,
			model: inference.answerModel,
			reply: replyTo(request.toolRequest, messages),
		},
		request,
	);
	const { tokens } = answer;
	const buffered = buffersStream(guardrails, surface, request.stream);
	let hold = state.holds.take(gatewayId);
	if (hold?.part === "response") {
		try {
			await untilReleased(hold.promise, signal);
		} catch {
			return aborted();
		}
		hold = undefined;
	}

	if (request.stream && !buffered) {
		headers.set("content-type", "text/event-stream");
		const body = eventStream(streamEvents(shape, answer), {
			tokenDelayMs: settings.tokenDelayMs,
			streamFailureAfterTokens: settings.streamFailureAfterTokens,
			hold: hold?.promise,
			signal,
			end,
		});
		return { response: new Response(body, { status: 200, headers }), fallback: false };
	}

	try {
		await sleep(settings.tokenDelayMs * tokens.length, signal);
	} catch {
		return aborted();
	}
	const blockedAnswer = responseRefusal(guardrails, surface, answer.text);
	if (blockedAnswer) return refuse(blockedAnswer, false);
	const result = jsonAnswer(shape, answer);
	const json = JSON.stringify(
		inference.restEnvelope ? { result, success: true, errors: [], messages: [] } : result,
	);
	headers.set("content-type", "application/json");
	if (!hold) {
		end.finish(200, json, "application/json", tokens.length);
		return { response: new Response(json, { status: 200, headers }), fallback: false };
	}
	const body = heldJson(json, tokens.length, hold.promise, signal, end);
	return { response: new Response(body, { status: 200, headers }), fallback: false };
}

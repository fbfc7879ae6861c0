/**
 * AI Gateway's universal endpoint (`gateway.run(request | [requests])`) with the `workers-ai`
 * provider and the `compat` endpoint, whose models may come from a dynamic route, the Auto
 * Router or a model alias.
 */

import type { Context } from "hono";
import { outputShapeOf } from "./answers.ts";
import { isRouterModel, type RoutedPick, routeRequest } from "./auto-router.ts";
import {
	AIG,
	aiGatewayError,
	gatewayError,
	modelNotFound,
	serviceDownPage,
	userInputError,
} from "./errors.ts";
import { type GatewayContext, gatewayContext } from "./gateway-context.ts";
import { type Attempt, type Inference, infer } from "./inference.ts";
import { type ModelRef, parseChat, parseModelRef } from "./providers.ts";
import { pickChain } from "./routes.ts";
import type { EmulatorState } from "./state.ts";

interface UniversalRequest {
	provider: string;
	endpoint: string;
	headers?: Record<string, unknown>;
	query?: unknown;
}

interface CompatPlan {
	/** The dynamic route's name, if the request named one. */
	route?: string;
	/** The split branch taken (index), or null when the route has no split. */
	branch?: number | null;
	/** The models as named in the route or request, in order. */
	names: string[];
	models: ModelRef[];
	/** The Auto Router's or a model alias's pick, and why. */
	routed?: RoutedPick;
}

/**
 * AI Gateway's universal endpoint (`gateway.run(request | [requests])`): tries each
 * request in order and answers with the first that succeeds. `workers-ai` requests need
 * an API token and answer in the REST API's `{ result }` envelope; `compat` requests
 * (`chat/completions`, no token) take a `provider/model` or a `dynamic/<route>`, whose
 * models are tried in turn. Every model tried is one step with its own log, numbered
 * across the whole call; the answer's `cf-aig-step` names the one that answered.
 */
export async function universal(state: EmulatorState, c: Context): Promise<Response> {
	const gatewayId = c.req.param("gateway") ?? "";
	if (state.settings.for(gatewayId).serviceDown) return serviceDownPage();
	let entries: UniversalRequest[];
	try {
		const parsed = JSON.parse(await c.req.text()) as UniversalRequest | UniversalRequest[];
		entries = Array.isArray(parsed) ? parsed : [parsed];
	} catch {
		return gatewayError(400, 2001, "the request body is not JSON");
	}
	const call: UniversalCall = {
		state,
		gatewayId,
		signal: c.req.raw.signal,
		nextStep: 0,
		failures: [],
		last: { status: 502 },
	};
	for (const request of entries) {
		const answered =
			request.provider === "compat"
				? await compatRequest(call, request, c.req.raw.headers, entries.length === 1)
				: await workersAiRequest(call, request, c.req.raw.headers);
		if (answered) return answered;
	}
	return allFailed(call);
}

/** What the requests of one universal call share: the step count and their failures. */
interface UniversalCall {
	state: EmulatorState;
	gatewayId: string;
	signal: AbortSignal;
	/** Steps are numbered across the whole call. */
	nextStep: number;
	failures: string[];
	/** The last failure's status and headers, which the call's own failure repeats. */
	last: { status: number; headers?: Headers };
}

/** One model tried as a step of the call: an inference of the universal endpoint. */
interface Step {
	step: number;
	gateway: GatewayContext;
	model: Inference["model"];
	request: Omit<Inference["request"], "signal">;
	restEnvelope: boolean;
	log: Pick<Inference["log"], "provider" | "model" | "path">;
}

/** Runs a step, its answer marked with its number; `fallback` says whether to go on. */
async function tryStep(call: UniversalCall, step: Step): Promise<Attempt> {
	const attempt = await infer(call.state, {
		model: step.model,
		request: { ...step.request, signal: call.signal },
		gateway: step.gateway,
		surface: "gateway",
		restEnvelope: step.restEnvelope,
		log: { ...step.log, requestType: "universal", step: step.step },
	});
	attempt.response.headers.set("cf-aig-step", String(step.step));
	return attempt;
}

/** Notes a failed step; the next request or step is tried. */
async function stepFailed(call: UniversalCall, response: Response, label: string): Promise<void> {
	call.last = { status: response.status, headers: response.headers };
	const failure = (await response.json().catch(() => ({}))) as {
		errors?: { message?: string }[];
		error?: { message?: string }[] | { message?: string };
	};
	const detail = Array.isArray(failure.error) ? failure.error[0] : failure.error;
	const reason = failure.errors?.[0]?.message ?? detail?.message ?? "";
	call.failures.push(`step ${label}: ${response.status} ${reason}`);
}

/** The call's headers with the request's own `cf-aig-*`. */
function requestHeaders(request: UniversalRequest, callHeaders: Headers): Headers {
	const headers = new Headers(callHeaders);
	for (const [key, value] of Object.entries(request.headers ?? {})) {
		if (key.toLowerCase().startsWith("cf-aig-")) headers.set(key, String(value));
	}
	return headers;
}

/** The gateway's context for a request: the call's headers with the request's own `cf-aig-*`. */
function requestGateway(call: UniversalCall, request: UniversalRequest, callHeaders: Headers) {
	return gatewayContext(call.gatewayId, requestHeaders(request, callHeaders));
}

/**
 * A `compat` request: its model, or each model of its dynamic route in turn. Answers with
 * the first success or a failure no later step may stand in for; undefined to go on.
 */
async function compatRequest(
	call: UniversalCall,
	request: UniversalRequest,
	callHeaders: Headers,
	only: boolean,
): Promise<Response | undefined> {
	const inputs = (request.query ?? {}) as Record<string, unknown>;
	const plan = compatPlan(
		call.state,
		call.gatewayId,
		request.endpoint,
		inputs,
		requestHeaders(request, callHeaders),
	);
	if (plan instanceof Response) {
		if (only) return plan;
		await stepFailed(call, plan, `${call.nextStep} (compat ${String(inputs.model)})`);
		return undefined;
	}
	const gateway = requestGateway(call, request, callHeaders);
	for (const [index, ref] of plan.models.entries()) {
		const step = call.nextStep++;
		const name = plan.names[index];
		const { response, fallback } = await tryStep(call, {
			step,
			gateway,
			model: {
				name: ref.model,
				answerName: ref.model,
				shape: "openai-chat",
				thirdParty: ref.thirdParty,
				failureNames: [name ?? "", ref.model, `${ref.provider}/${ref.model}`],
			},
			request: {
				chat: parseChat("openai-chat", inputs),
				inputs,
				options: {
					universal: true,
					step,
					provider: "compat",
					endpoint: request.endpoint,
					...(plan.route === undefined ? {} : { route: plan.route, branch: plan.branch }),
				},
				body: JSON.stringify({ ...inputs, model: name }),
			},
			restEnvelope: false,
			log: { provider: ref.provider, model: ref.model, path: "chat/completions" },
		});
		response.headers.set("cf-aig-model", ref.model);
		response.headers.set("cf-aig-provider", ref.provider);
		if (plan.routed) {
			response.headers.set("cf-aig-routed-model", plan.routed.name);
			response.headers.set("cf-aig-routing-reason", plan.routed.reason);
			response.headers.set("cf-aig-routing-decision-id", plan.routed.decisionId);
		}
		if (response.ok || !fallback) return response;
		await stepFailed(call, response, `${step} (${name})`);
	}
	return undefined;
}

/**
 * A `workers-ai` request (one step, which needs an API token), answered in the REST API's
 * envelope. Answers with a success or a failure no later step may stand in for.
 */
async function workersAiRequest(
	call: UniversalCall,
	request: UniversalRequest,
	callHeaders: Headers,
): Promise<Response | undefined> {
	const step = call.nextStep++;
	const label = `${step} (${request.endpoint})`;
	if (request.provider !== "workers-ai") {
		await stepFailed(
			call,
			gatewayError(400, 2008, `provider ${request.provider} is not emulated`),
			label,
		);
		return undefined;
	}
	// The request's own headers, by lower-case name (the last spelling wins).
	const own = Object.fromEntries(
		Object.entries(request.headers ?? {}).map(([key, value]) => [key.toLowerCase(), String(value)]),
	);
	if (!/^Bearer \S+$/.test(own.authorization ?? "")) {
		await stepFailed(
			call,
			gatewayError(401, 10000, "Authentication error: Workers AI needs an API token"),
			label,
		);
		return undefined;
	}
	const inputs = (request.query ?? {}) as Record<string, unknown>;
	const shape = outputShapeOf(request.endpoint);
	const chat = parseChat(shape, inputs);
	if (chat instanceof Response) {
		await stepFailed(call, chat, label);
		return undefined;
	}
	const { response, fallback } = await tryStep(call, {
		step,
		gateway: requestGateway(call, request, callHeaders),
		model: {
			name: request.endpoint,
			answerName: request.endpoint,
			shape,
			thirdParty: false,
			failureNames: [request.endpoint],
		},
		request: {
			chat,
			inputs,
			options: { universal: true, step },
			body: JSON.stringify(inputs),
		},
		restEnvelope: true,
		log: { provider: "workers-ai", model: request.endpoint, path: request.endpoint },
	});
	if (response.ok || !fallback) return response;
	await stepFailed(call, response, label);
	return undefined;
}

/** Every request failed: the gateway's error lists each step's reason. */
function allFailed(call: UniversalCall): Response {
	const headers = new Headers();
	for (const name of ["cf-aig-log-id", "cf-aig-step"]) {
		const value = call.last.headers?.get(name);
		if (value) headers.set(name, value);
	}
	return Response.json(
		{
			success: false,
			errors: call.failures.map((message) => ({ code: AIG.providerFailed, message })),
		},
		{ status: call.last.status, headers },
	);
}

/**
 * The models a `compat` request tries: one named model, the Auto Router's or a model alias's
 * pick (auto-router.ts), or a dynamic route's chain.
 */
function compatPlan(
	state: EmulatorState,
	gatewayId: string,
	endpoint: string,
	inputs: Record<string, unknown>,
	headers: Headers,
): CompatPlan | Response {
	if (!/^chat\/completions?$/.test(endpoint))
		return aiGatewayError(
			404,
			AIG.notFoundOrInput,
			`compat endpoint ${endpoint} is not emulated: use chat/completions`,
		);
	const name = inputs.model;
	if (typeof name !== "string" || name === "")
		return userInputError("Required value missing: model");
	if (isRouterModel(name)) {
		const routed = routeRequest(state, gatewayId, name, inputs, headers);
		if (routed instanceof Response) return routed;
		return { names: [routed.name], models: [routed.ref], routed };
	}
	if (name.startsWith("dynamic/")) {
		const routeName = name.slice("dynamic/".length);
		const routes = state.settings.for(gatewayId).dynamicRoutes;
		// `dynamic/<route>@<version>` names a version; the emulator keeps one per name.
		const key = Object.hasOwn(routes, routeName) ? routeName : routeName.replace(/@[^@]*$/, "");
		const route = Object.hasOwn(routes, key) ? routes[key] : undefined;
		if (!route) return modelNotFound(name);
		const { branch, models } = pickChain(route, state.settings.random(gatewayId, "split"));
		return {
			route: key,
			branch,
			names: models,
			models: models.map((model) => parseModelRef(model, true) as ModelRef),
		};
	}
	const ref = parseModelRef(name);
	if (ref === "unknown-provider")
		return aiGatewayError(400, AIG.invalidProvider, "Invalid provider");
	if (ref === "no-provider")
		return aiGatewayError(
			400,
			AIG.providerFailed,
			"Failed to get response from provider: name the model as provider/model, e.g. workers-ai/@cf/...",
		);
	return { names: [name], models: [ref] };
}

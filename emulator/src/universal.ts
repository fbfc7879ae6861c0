/**
 * AI Gateway's universal endpoint (`gateway.run(request | [requests])`) with the `workers-ai`
 * provider and the `compat` endpoint, whose models may come from a dynamic route.
 */

import type { Context } from "hono";
import { outputShapeOf } from "./answers.ts";
import {
	AIG,
	aiGatewayError,
	gatewayError,
	modelNotFound,
	serviceDownPage,
	userInputError,
} from "./errors.ts";
import { gatewayContext } from "./gateway-context.ts";
import { infer } from "./inference.ts";
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
	const reasons: string[] = [];
	let lastStatus = 502;
	let lastHeaders: Headers | undefined;
	let step = 0;
	const failed = async (response: Response, label: string) => {
		lastStatus = response.status;
		lastHeaders = response.headers;
		const failure = (await response.json().catch(() => ({}))) as {
			errors?: { message?: string }[];
			error?: { message?: string }[] | { message?: string };
		};
		const detail = Array.isArray(failure.error) ? failure.error[0] : failure.error;
		const reason = failure.errors?.[0]?.message ?? detail?.message ?? "";
		reasons.push(`step ${label}: ${response.status} ${reason}`);
	};
	for (const request of entries) {
		const headers = new Headers(c.req.raw.headers);
		for (const [key, value] of Object.entries(request.headers ?? {})) {
			if (key.toLowerCase().startsWith("cf-aig-")) headers.set(key, String(value));
		}
		const stepHeaders = Object.fromEntries(
			Object.entries(request.headers ?? {}).map(([key, value]) => [
				key.toLowerCase(),
				String(value),
			]),
		);
		const gateway = gatewayContext(gatewayId, headers);
		const inputs = (request.query ?? {}) as Record<string, unknown>;
		if (request.provider === "compat") {
			const plan = compatPlan(state, gatewayId, request.endpoint, inputs);
			if (plan instanceof Response) {
				if (entries.length === 1) return plan;
				await failed(plan, `${step} (compat ${String(inputs.model)})`);
				continue;
			}
			for (const [index, ref] of plan.models.entries()) {
				const current = step++;
				const { response, fallback } = await infer(state, {
					model: ref.model,
					answerModel: ref.model,
					shape: "openai-chat",
					request: parseChat("openai-chat", inputs),
					inputs,
					options: {
						universal: true,
						step: current,
						provider: "compat",
						endpoint: request.endpoint,
						...(plan.route === undefined ? {} : { route: plan.route, branch: plan.branch }),
					},
					gateway,
					requestBody: JSON.stringify({ ...inputs, model: plan.names[index] }),
					signal: c.req.raw.signal,
					restEnvelope: false,
					surface: "gateway",
					thirdParty: ref.thirdParty,
					failureNames: [plan.names[index] ?? "", ref.model, `${ref.provider}/${ref.model}`],
					log: {
						provider: ref.provider,
						model: ref.model,
						path: "chat/completions",
						requestType: "universal",
						step: current,
					},
				});
				response.headers.set("cf-aig-step", String(current));
				response.headers.set("cf-aig-model", ref.model);
				response.headers.set("cf-aig-provider", ref.provider);
				if (response.ok || !fallback) return response;
				await failed(response, `${current} (${plan.names[index]})`);
			}
			continue;
		}
		const current = step++;
		const label = `${current} (${request.endpoint})`;
		if (request.provider !== "workers-ai") {
			await failed(gatewayError(400, 2008, `provider ${request.provider} is not emulated`), label);
			continue;
		}
		if (!/^Bearer \S+$/.test(stepHeaders.authorization ?? "")) {
			await failed(
				gatewayError(401, 10000, "Authentication error: Workers AI needs an API token"),
				label,
			);
			continue;
		}
		const parsed = parseChat(outputShapeOf(request.endpoint), inputs);
		if (parsed instanceof Response) {
			await failed(parsed, label);
			continue;
		}
		const { response, fallback } = await infer(state, {
			model: request.endpoint,
			answerModel: request.endpoint,
			shape: outputShapeOf(request.endpoint),
			request: parsed,
			inputs,
			options: { universal: true, step: current },
			gateway,
			requestBody: JSON.stringify(inputs),
			signal: c.req.raw.signal,
			restEnvelope: true,
			surface: "gateway",
			thirdParty: false,
			failureNames: [request.endpoint],
			log: {
				provider: "workers-ai",
				model: request.endpoint,
				path: request.endpoint,
				requestType: "universal",
				step: current,
			},
		});
		response.headers.set("cf-aig-step", String(current));
		if (response.ok || !fallback) return response;
		await failed(response, label);
	}
	const headers = new Headers();
	for (const name of ["cf-aig-log-id", "cf-aig-step"]) {
		const value = lastHeaders?.get(name);
		if (value) headers.set(name, value);
	}
	return Response.json(
		{
			success: false,
			errors: reasons.map((message) => ({ code: AIG.providerFailed, message })),
		},
		{ status: lastStatus, headers },
	);
}

/** The models a `compat` request tries: one named model, or a dynamic route's chain. */
function compatPlan(
	state: EmulatorState,
	gatewayId: string,
	endpoint: string,
	inputs: Record<string, unknown>,
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

/** The gateway's Logs API: getLog and patchLog, or their refusals where the gateway has none. */

import type { Context } from "hono";
import { gatewayError, serviceDownPage } from "./errors.ts";
import type { EmulatorState } from "./state.ts";

/** The Logs API's refusals for this gateway, if it has no legacy Logs API. */
function logsRefusal(state: EmulatorState, c: Context, gatewayId: string): Response | undefined {
	const { serviceDown, logsApi } = state.settings.for(gatewayId);
	if (serviceDown) return serviceDownPage();
	if (logsApi === "unsupported")
		// The Cloudflare API's answer to a method on a URI it does not serve (seen verbatim elsewhere in the API).
		return Response.json(
			{
				result: null,
				success: false,
				errors: [{ code: 7001, message: `${c.req.method} not supported for requested URI.` }],
				messages: [],
			},
			{ status: 405 },
		);
	if (logsApi === "not-found") return gatewayError(404, 7002, "Not Found");
	return undefined;
}

export function getLog(state: EmulatorState, c: Context): Response {
	const gatewayId = c.req.param("gateway") ?? "";
	const refusal = logsRefusal(state, c, gatewayId);
	if (refusal) return refusal;
	const fault = state.faults.take("getLog", gatewayId);
	if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
	const log = state.logs.find(gatewayId, c.req.param("logId") ?? "");
	if (!log) return gatewayError(404, 7002, "Not Found");
	return Response.json({ success: true, result: log });
}

export async function patchLog(state: EmulatorState, c: Context): Promise<Response> {
	const gatewayId = c.req.param("gateway") ?? "";
	const refusal = logsRefusal(state, c, gatewayId);
	if (refusal) return refusal;
	const fault = state.faults.take("patchLog", gatewayId);
	if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
	let patch: unknown;
	try {
		patch = await c.req.json();
	} catch {
		return gatewayError(400, 7001, "Invalid JSON body");
	}
	const problem = patchProblem(patch);
	if (problem) return gatewayError(400, 7001, problem);
	const found = state.logs.patch(
		gatewayId,
		c.req.param("logId") ?? "",
		patch as never,
		state.settings.for(gatewayId).patchMode,
	);
	if (!found) return gatewayError(404, 7002, "Not Found");
	return Response.json({ success: true, result: null });
}

/** Checks a patchLog body the way the gateway documents it. */
function patchProblem(patch: unknown): string | undefined {
	if (typeof patch !== "object" || patch === null || Array.isArray(patch))
		return "body must be an object";
	const { feedback, score, metadata } = patch as Record<string, unknown>;
	if (
		feedback !== undefined &&
		feedback !== null &&
		feedback !== -1 &&
		feedback !== 0 &&
		feedback !== 1
	) {
		return "feedback must be -1, 0, 1 or null";
	}
	if (
		score !== undefined &&
		score !== null &&
		!(typeof score === "number" && score >= 0 && score <= 100)
	) {
		return "score must be between 0 and 100";
	}
	if (metadata !== undefined && metadata !== null) {
		if (typeof metadata !== "object" || Array.isArray(metadata))
			return "metadata must be an object";
		for (const value of Object.values(metadata)) {
			if (value !== null && !["string", "number", "boolean"].includes(typeof value)) {
				return "metadata values must be strings, numbers or booleans";
			}
		}
	}
	return undefined;
}

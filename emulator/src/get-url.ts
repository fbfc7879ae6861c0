/** `gateway.getUrl(provider)`: the gateway's URL on Cloudflare, for a provider or universal. */

import type { Context } from "hono";
import { gatewayError, serviceDownPage } from "./errors.ts";
import type { EmulatorState } from "./state.ts";

export function getUrl(state: EmulatorState, c: Context): Response {
	const gatewayId = c.req.param("gateway") ?? "";
	const settings = state.settings.for(gatewayId);
	if (settings.serviceDown) return serviceDownPage();
	const fault = state.faults.take("getUrl", gatewayId);
	if (fault) return gatewayError(fault, 7001, `emulated failure (${fault})`);
	const provider = c.req.param("provider") ?? "universal";
	const base = `https://gateway.ai.cloudflare.com/v1/${settings.accountId}/${gatewayId}`;
	return Response.json({
		success: true,
		result: { url: provider === "universal" ? base : `${base}/${provider}` },
	});
}

import type { Config } from "../core/config";
import { ApiError } from "../core/errors";
import { aiBinding, gatewayWithStatus } from "./binding";
import { LOGS_API_MISSING } from "./log-feedback";
import { gatewayFailure, isLogNotFound } from "./upstream-errors";

/** Providers whose gateway URL GET /api/gateway always lists. */
const URL_PROVIDERS = ["workers-ai", "openai", "anthropic"];

export interface GatewayUrls {
	gatewayId: string;
	universalUrl: string;
	providers: Record<string, string>;
}

/** The gateway's universal URL and its provider URLs, from `gateway.getUrl`. */
export async function gatewayUrls(env: Cloudflare.Env, config: Config): Promise<GatewayUrls> {
	const providers = [...new Set([...URL_PROVIDERS, ...config.gatewayUrlProviders])];
	const gateway = aiBinding(env).gateway(config.gatewayId);
	try {
		const [universalUrl, ...urls] = await Promise.all([
			gateway.getUrl(),
			...providers.map((provider) => gateway.getUrl(provider)),
		]);
		return {
			gatewayId: config.gatewayId,
			universalUrl: universalUrl ?? "",
			providers: Object.fromEntries(providers.map((provider, i) => [provider, urls[i] ?? ""])),
		};
	} catch (err) {
		throw gatewayFailure(err);
	}
}

/** The gateway's record of one answer, feedback included. */
export async function readLog(
	env: Cloudflare.Env,
	config: Config,
	aiGatewayLogId: string,
): Promise<AiGatewayLog> {
	const { gateway, lastStatus } = gatewayWithStatus(env, config.gatewayId);
	try {
		return await gateway.getLog(aiGatewayLogId);
	} catch (err) {
		if (isLogNotFound(err)) throw new ApiError(404, "log_not_found", "No gateway log has this id");
		const status = lastStatus();
		if (status !== undefined && LOGS_API_MISSING.has(status)) {
			throw new ApiError(
				501,
				"logs_unsupported",
				"This gateway does not serve its logs to the binding (likely an account whose AI Gateway logs are powered by Workers Observability): read them in the dashboard",
			);
		}
		throw gatewayFailure(err);
	}
}

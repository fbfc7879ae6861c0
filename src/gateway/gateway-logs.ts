import type { Config } from "../core/config";
import { ApiError } from "../core/errors";
import { gatewayWithStatus } from "./binding";
import { LOGS_API_MISSING } from "./log-feedback";
import { gatewayFailure, isLogNotFound } from "./upstream-errors";

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

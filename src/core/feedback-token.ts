import type { Config } from "./config";
import { checkToken, signToken, unixNow } from "./signed-token";

/**
 * Feedback tokens: proof that the holder received the answer logged under a log id. A signed
 * token (src/core/signed-token.ts) of kind `v1` bound to the log id:
 * `v1.<kid>.<expires>.<signature>`.
 */

const KIND = "v1";
export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

export interface TokenOptions {
	/** Unix time in seconds; defaults to now. */
	now?: number;
	ttlSeconds?: number;
}

export function signFeedbackToken(
	aiGatewayLogId: string,
	secret: string,
	{ now = unixNow(), ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS }: TokenOptions = {},
): Promise<string> {
	return signToken(KIND, aiGatewayLogId, secret, now + ttlSeconds);
}

/** True when `token` was signed by one of `secrets` for `aiGatewayLogId` and has not expired. */
export async function verifyFeedbackToken(
	token: string,
	aiGatewayLogId: string,
	secrets: readonly string[],
	now = unixNow(),
): Promise<boolean> {
	return (await checkToken(token, KIND, aiGatewayLogId, secrets, now)) === "valid";
}

/** A token for the answer logged as `aiGatewayLogId`, or null when feedback is not configured. */
export async function issueFeedbackToken(
	config: Config,
	aiGatewayLogId: string | null,
): Promise<string | null> {
	const [secret] = config.feedbackSecrets;
	// Without a log kept by the gateway (collectLog off) there is nothing to put a vote on.
	if (!aiGatewayLogId || !secret || !config.collectLog) return null;
	return signFeedbackToken(aiGatewayLogId, secret);
}

import type { FeedbackPatch } from "../core/votes";
import { gatewayWithStatus } from "./binding";
import { isLogNotFound, logUpstream } from "./upstream-errors";

/**
 * What one delivery attempt came to; `retry` says whether trying again can help, and
 * `refused` that the gateway takes no feedback on its logs at all.
 */
export type DeliveryOutcome =
	| { ok: true }
	| { ok: false; retry: boolean; refused?: boolean; reason: string };

/**
 * Statuses of a gateway that has no Logs API for the binding: gateways of accounts created
 * from 2026-09-24 log to Workers Observability, where Cloudflare documents no patchLog.
 */
export const LOGS_API_MISSING = new Set([405, 501]);

export const LOGS_UNSUPPORTED_REASON =
	"this gateway does not accept feedback on its logs: it answered %s, which retrying cannot fix (likely an account whose AI Gateway logs are powered by Workers Observability, created on or after 2026-09-24)";

/**
 * One attempt to put a vote on its gateway log with `patchLog`. Never throws: the
 * caller decides on retries from the outcome.
 */
export async function patchFeedback(
	env: Cloudflare.Env,
	gatewayId: string,
	aiGatewayLogId: string,
	{ vote, score, comment }: FeedbackPatch,
): Promise<DeliveryOutcome> {
	// Every field is sent, even when empty: whether the gateway merges a patch into the log or
	// replaces it is undocumented, and an earlier vote's score or comment must not survive.
	const cleared = vote === "clear";
	const patch: AiGatewayPatchLog = {
		feedback: cleared ? null : vote === "up" ? 1 : -1,
		score: cleared ? null : (score ?? null),
		metadata: { vote, rated_at: new Date().toISOString(), comment: cleared ? "" : (comment ?? "") },
	};
	const { gateway, lastStatus } = gatewayWithStatus(env, gatewayId);
	try {
		await gateway.patchLog(aiGatewayLogId, patch);
		return { ok: true };
	} catch (err) {
		if (isLogNotFound(err))
			return { ok: false, retry: true, reason: "the gateway has not written the log yet" };
		logUpstream("patchLog failed", err);
		const status = lastStatus();
		if (status !== undefined && LOGS_API_MISSING.has(status)) {
			return {
				ok: false,
				retry: false,
				refused: true,
				reason: LOGS_UNSUPPORTED_REASON.replace("%s", String(status)),
			};
		}
		if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
			return { ok: false, retry: false, reason: `the gateway rejected the vote (${status})` };
		}
		return { ok: false, retry: true, reason: `the gateway failed (${status ?? "no answer"})` };
	}
}

import type { FeedbackPatch } from "../feedback/vote";
import { gatewayWithStatus } from "./binding";
import { isLogNotFound, logUpstream } from "./upstream-errors";

/** What one delivery attempt came to; `retry` says whether trying again can help. */
export type DeliveryOutcome = { ok: true } | { ok: false; retry: boolean; reason: string };

/**
 * One attempt to put a vote on its gateway log with `patchLog`. Never throws: the
 * caller decides on retries from the outcome.
 */
export async function patchFeedback(
	env: Cloudflare.Env,
	gatewayId: string,
	logId: string,
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
		await gateway.patchLog(logId, patch);
		return { ok: true };
	} catch (err) {
		if (isLogNotFound(err))
			return { ok: false, retry: true, reason: "the gateway has not written the log yet" };
		logUpstream("patchLog failed", err);
		const status = lastStatus();
		if (status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429) {
			return { ok: false, retry: false, reason: `the gateway rejected the vote (${status})` };
		}
		return { ok: false, retry: true, reason: `the gateway failed (${status ?? "no answer"})` };
	}
}

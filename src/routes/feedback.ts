import { Hono } from "hono";
import { deliveryFor } from "../feedback/delivery";
import { ApiError, notFound } from "../lib/errors";
import { feedbackSecrets, verifyFeedbackToken } from "../lib/feedback-token";
import { readJsonBody } from "../lib/json-body";
import { rateLimit } from "../lib/rate-limit";
import { bearerToken, logIdParam } from "../lib/request";
import { FeedbackRequestSchema } from "../lib/schemas";
import type { AppEnv } from "../types";

/** The feedback secrets, or 404 feedback_disabled when none is configured. */
function requireSecrets(env: Cloudflare.Env): string[] {
	const secrets = feedbackSecrets(env);
	if (secrets.length === 0) {
		throw new ApiError(
			404,
			"feedback_disabled",
			"Feedback is not enabled: FEEDBACK_SECRET is not set",
		);
	}
	return secrets;
}

async function requireToken(env: Cloudflare.Env, token: string, logId: string): Promise<void> {
	if (!(await verifyFeedbackToken(token, logId, requireSecrets(env)))) {
		throw new ApiError(
			403,
			"invalid_token",
			"The feedback token is not valid for this log id, or has expired",
		);
	}
}

export const feedback = new Hono<AppEnv>()
	.post("/", rateLimit("FEEDBACK_RATE_LIMITER"), async (c) => {
		requireSecrets(c.env);
		const body = await readJsonBody(c, FeedbackRequestSchema);
		await requireToken(c.env, body.token, body.logId);
		// Stored durably before the answer; delivery to the gateway happens after it.
		const { outcome, status } = await deliveryFor(c.env, body.logId).cast({
			logId: body.logId,
			gatewayId: c.env.AI_GATEWAY_ID,
			vote: body.feedback,
			score: body.score,
			comment: body.comment,
			sequence: body.sequence,
		});
		// A vote older than the one kept changes nothing: say so, so the client shows the truth.
		if (outcome === "superseded") return c.json({ status: "superseded", vote: status }, 200);
		return c.json({ status: "accepted" }, 202);
	})
	.get("/:logId", rateLimit("FEEDBACK_STATUS_RATE_LIMITER"), async (c) => {
		requireSecrets(c.env);
		const logId = logIdParam(c);
		const token = bearerToken(c);
		if (!token)
			throw new ApiError(401, "unauthorized", "Send Authorization: Bearer <feedbackToken>");
		await requireToken(c.env, token, logId);
		const status = await deliveryFor(c.env, logId).status();
		if (!status) throw notFound("No vote has been cast on this answer");
		return c.json(status);
	});

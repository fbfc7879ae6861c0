import { Hono } from "hono/tiny";
import type { Config } from "../../core/config";
import { ApiError, notFound } from "../../core/errors";
import { verifyFeedbackToken } from "../../core/feedback-token";
import { deliveryFor } from "../../feedback/delivery";
import type { AppEnv } from "../../http/app-env";
import { rateLimit } from "../../http/rate-limit";
import { bearerToken, logIdParam } from "../../http/request";
import { jsonBody } from "../../http/validate";
import { FeedbackRequestSchema } from "./schemas";

/** The feedback secrets, or 404 feedback_disabled when none is configured. */
function requireSecrets(config: Config): readonly string[] {
	if (config.feedbackSecrets.length === 0) {
		throw new ApiError(
			404,
			"feedback_disabled",
			"Feedback is not enabled: FEEDBACK_SECRET is not set",
		);
	}
	return config.feedbackSecrets;
}

async function requireToken(config: Config, token: string, aiGatewayLogId: string): Promise<void> {
	if (!(await verifyFeedbackToken(token, aiGatewayLogId, requireSecrets(config)))) {
		throw new ApiError(
			403,
			"invalid_token",
			"The feedback token is not valid for this log id, or has expired",
		);
	}
}

export const feedback = () =>
	new Hono<AppEnv>()
		.post(
			"/",
			rateLimit("FEEDBACK_RATE_LIMITER"),
			async (c, next) => {
				// Before the body is read: with feedback off, nothing about the request matters.
				requireSecrets(c.var.config);
				await next();
			},
			jsonBody(FeedbackRequestSchema),
			async (c) => {
				const body = c.req.valid("json");
				await requireToken(c.var.config, body.token, body.aiGatewayLogId);
				// Stored durably before the answer; delivery to the gateway happens after it.
				const { outcome, status } = await deliveryFor(c.env, body.aiGatewayLogId).cast({
					aiGatewayLogId: body.aiGatewayLogId,
					gatewayId: c.var.config.gatewayId,
					vote: body.feedback,
					score: body.score,
					comment: body.comment,
					correction: body.correction,
					sequence: body.sequence,
				});
				// A vote older than the one kept changes nothing: say so, so the client shows the truth.
				if (outcome === "superseded") return c.json({ status: "superseded", vote: status }, 200);
				return c.json({ status: "accepted" }, 202);
			},
		)
		.get("/:logId", rateLimit("FEEDBACK_STATUS_RATE_LIMITER"), async (c) => {
			requireSecrets(c.var.config);
			const aiGatewayLogId = logIdParam(c);
			const token = bearerToken(c);
			if (!token)
				throw new ApiError(401, "unauthorized", "Send Authorization: Bearer <feedbackToken>");
			await requireToken(c.var.config, token, aiGatewayLogId);
			const status = await deliveryFor(c.env, aiGatewayLogId).status();
			if (!status) throw notFound("No vote has been cast on this answer");
			return c.json(status);
		});

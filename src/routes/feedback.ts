import { Hono } from "hono";
import { recordFeedback } from "../ai/gateway";
import { ApiError } from "../lib/errors";
import { feedbackSecrets, verifyFeedbackToken } from "../lib/feedback-token";
import { readJsonBody } from "../lib/json-body";
import { FeedbackRequestSchema } from "../lib/schemas";
import type { AppEnv } from "../types";

export const feedback = new Hono<AppEnv>().post("/", async (c) => {
	const secrets = feedbackSecrets(c.env);
	if (secrets.length === 0) {
		throw new ApiError(
			404,
			"feedback_disabled",
			"Feedback is not enabled: FEEDBACK_SECRET is not set",
		);
	}
	const body = await readJsonBody(c, FeedbackRequestSchema);
	if (!(await verifyFeedbackToken(body.token, body.logId, secrets))) {
		throw new ApiError(
			403,
			"invalid_token",
			"The feedback token is not valid for this log id, or has expired",
		);
	}
	await recordFeedback(c.env, body.logId, {
		vote: body.feedback,
		score: body.score,
		comment: body.comment,
	});
	return c.json({ status: "recorded" });
});

import type { Context } from "hono";
import { cors } from "hono/cors";
import { Hono } from "hono/tiny";
import { answerQueue } from "./answers/answer-queue";
import { admin } from "./api/admin/route";
import { chat } from "./api/chat/route";
import { deadLetters } from "./api/debug/dead-letters";
import { gateway } from "./api/debug/gateway";
import { logs } from "./api/debug/logs";
import { feedback } from "./api/feedback/route";
import { models } from "./api/models/route";
import { openai } from "./api/openai/route";
import { readConfig } from "./core/config";
import { type ApiError, notFound, toApiError } from "./core/errors";
import { describeError, log } from "./core/log";
import { usesEmulator } from "./gateway/binding";
import type { AppEnv } from "./http/app-env";
import { errorResponse, openAiErrorResponse } from "./http/error-response";
import { methodNotAllowed } from "./http/method-not-allowed";
import { requestBody } from "./http/request-body";
import { applyRetention } from "./store/retention";

const app = new Hono<AppEnv>();

/** Everything the Worker answers itself: its own API, and the OpenAI-compatible one. */
const API_PATHS = ["/api/*", "/v1/*"];
const isOpenAiPath = (path: string) => path === "/v1" || path.startsWith("/v1/");

/**
 * The routes a page of any origin may call: chat, feedback, models and /v1. The rest of
 * /api (admin and debug: the store, gateway logs with their prompts, dead letters) is
 * same-origin only, so a page elsewhere cannot read it with a token it got hold of, and
 * never cached on the way.
 */
const PUBLIC_PATHS = /^\/(?:api\/(?:chat|feedback|models)|v1)(?:\/|$)/;
const publicCors = cors({
	origin: "*",
	allowMethods: ["GET", "POST", "OPTIONS"],
	exposeHeaders: ["cf-aig-log-id", "x-feedback-token", "Retry-After", "x-ai-backend"],
	maxAge: 86400,
});
for (const path of API_PATHS) {
	app.use(path, async (c, next) => {
		if (PUBLIC_PATHS.test(c.req.path)) return publicCors(c, next);
		await next();
		c.header("cache-control", "no-store");
	});
}
for (const path of API_PATHS) {
	app.use(path, requestBody);
	// Marks answers of the local emulator so no one mistakes them for a model's.
	app.use(path, async (c, next) => {
		await next();
		if (usesEmulator(c.env)) c.header("x-ai-backend", "emulator");
	});
}

app.use(async (c, next) => {
	c.set("config", readConfig(c.env));
	await next();
});

app.route("/api/chat", chat);
app.route("/api/feedback", feedback);
app.route("/api/logs", logs);
app.route("/api/dead-letters", deadLetters);
app.route("/api/gateway", gateway);
app.route("/api/admin", admin);
app.route("/api/models", models);
app.route("/v1", openai);

/** OpenAI clients get errors in OpenAI's shape; everyone else in this API's. */
const respondWith = (c: Context, error: ApiError) =>
	isOpenAiPath(c.req.path) ? openAiErrorResponse(c, error) : errorResponse(c, error);

app.notFound((c) => respondWith(c, methodNotAllowed(app, c) ?? notFound()));

app.onError((err, c) => {
	const apiError = toApiError(err);
	if (apiError.code === "internal_error") {
		log.error("unhandled error", { path: c.req.path, detail: describeError(err, 1000) });
	}
	return respondWith(c, apiError);
});

export { AnswerDeadLetters } from "./answers/dead-letters";
export { FeedbackDeadLetters } from "./feedback/dead-letters";
export { FeedbackDelivery } from "./feedback/delivery";

export default {
	fetch: app.fetch,
	/** The answers' queue and its dead-letter queue (src/answers/answer-queue.ts). */
	queue: (batch, env) => answerQueue(batch, env),
	/**
	 * The daily Cron Trigger: the feedback store forgets what RETENTION_DAYS no longer keeps,
	 * then its oldest days while it is larger than STORE_MAX_MB.
	 */
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(
			applyRetention(env.FEEDBACK_DB, readConfig(env), env.TRANSCRIPTS, controller.scheduledTime),
		),
} satisfies ExportedHandler<Cloudflare.Env>;

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import { Hono } from "hono/tiny";
import { answerQueue } from "./answers/answer-queue";
import { admin } from "./api/admin/route";
import { chat } from "./api/chat/route";
import { deadLetters } from "./api/debug/dead-letters";
import { logs } from "./api/debug/logs";
import { feedback } from "./api/feedback/route";
import { models } from "./api/models/route";
import { openai } from "./api/openai/route";
import { readConfig } from "./core/config";
import { usesEmulator } from "./gateway/binding";
import type { AppEnv } from "./http/app-env";
import { answerErrors } from "./http/app-errors";
import { lazySurfaces, owns, type SurfaceTable } from "./http/lazy-surface";
import { requestBody } from "./http/request-body";
import { applyRetention } from "./store/retention";

const app = answerErrors(new Hono<AppEnv>());

/** Everything the Worker answers itself: its own API, and the OpenAI-compatible one. */
const API_PATHS = ["/api/*", "/v1/*"];

/**
 * The surfaces a page of any origin may call, each built on its first request
 * (src/http/lazy-surface.ts).
 */
const PUBLIC_SURFACES: SurfaceTable = {
	"/api/chat": chat,
	"/api/feedback": feedback,
	"/api/models": models,
	"/v1": openai,
};
/**
 * The team's surfaces, admin and debug (the store, gateway logs with their prompts, dead
 * letters): same-origin only, so a page elsewhere cannot read them with a token it got hold
 * of, and never cached on the way.
 */
const TEAM_SURFACES: SurfaceTable = {
	"/api/logs": logs,
	"/api/dead-letters": deadLetters,
	"/api/admin": admin,
};
const publicPrefixes = Object.keys(PUBLIC_SURFACES);
const publicCors = cors({
	origin: "*",
	allowMethods: ["GET", "POST", "OPTIONS"],
	exposeHeaders: [
		"cf-aig-log-id",
		"x-feedback-token",
		"x-turnstile-pass",
		"Retry-After",
		"x-ai-backend",
	],
	maxAge: 86400,
});
const API_HANDLERS: MiddlewareHandler<AppEnv>[] = [
	async (c, next) => {
		if (publicPrefixes.some((prefix) => owns(prefix, c.req.path))) return publicCors(c, next);
		await next();
		c.header("cache-control", "no-store");
	},
	requestBody,
	// Marks answers of the local emulator so no one mistakes them for a model's.
	async (c, next) => {
		await next();
		if (usesEmulator(c.env)) c.header("x-ai-backend", "emulator");
	},
	lazySurfaces({ ...PUBLIC_SURFACES, ...TEAM_SURFACES }),
];
for (const path of API_PATHS) app.use(path, ...API_HANDLERS);

export { AnswerDeadLetters } from "./answers/dead-letters";
export { FeedbackDeadLetters } from "./feedback/dead-letters";
export { FeedbackDelivery } from "./feedback/delivery";

export default {
	fetch: app.fetch,
	/** The answers' and the judge's queues, with their dead-letter queues (src/answers/answer-queue.ts). */
	queue: answerQueue,
	/**
	 * The daily Cron Trigger: the feedback store forgets what RETENTION_DAYS no longer keeps,
	 * then its oldest days while it is larger than STORE_MAX_MB.
	 */
	scheduled: (controller, env, ctx) =>
		ctx.waitUntil(
			applyRetention(env.FEEDBACK_DB, readConfig(env), env.TRANSCRIPTS, controller.scheduledTime),
		),
} satisfies ExportedHandler<Cloudflare.Env>;

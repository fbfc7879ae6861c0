import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { methodNotAllowed } from "hono/method-not-allowed";
import { resolveBindings, usesEmulator } from "./ai/binding";
import { LIMITS } from "./lib/config";
import { ApiError, errorResponse, notFound, payloadTooLarge, toApiError } from "./lib/errors";
import { rateLimit } from "./lib/rate-limit";
import { chat } from "./routes/chat";
import { deadLetters } from "./routes/dead-letters";
import { feedback } from "./routes/feedback";
import { logs } from "./routes/logs";
import type { AppEnv } from "./types";

const app = new Hono<AppEnv>();

app.use(
	"/api/*",
	cors({
		origin: "*",
		allowMethods: ["GET", "POST", "OPTIONS"],
		allowHeaders: ["Content-Type", "Authorization"],
		exposeHeaders: ["cf-aig-log-id", "Retry-After", "x-ai-backend"],
		maxAge: 86400,
	}),
);
app.use(
	methodNotAllowed({
		app,
		onMethodNotAllowed: (_c, methods) => {
			throw new ApiError(405, "method_not_allowed", `Use ${methods.join(", ")} on this path`, {
				headers: { Allow: methods.join(", ") },
			});
		},
	}),
);
app.use(
	"/api/*",
	bodyLimit({
		maxSize: LIMITS.bodyBytes,
		onError: () => {
			throw payloadTooLarge();
		},
	}),
);

// Marks answers of the local emulator so no one mistakes them for a model's.
app.use("/api/*", async (c, next) => {
	await next();
	if (usesEmulator(c.env)) c.header("x-ai-backend", "emulator");
});

app.post("/api/chat", rateLimit("CHAT_RATE_LIMITER"));
app.route("/api/chat", chat);
app.route("/api/feedback", feedback);
app.route("/api/logs", logs);
app.route("/api/dead-letters", deadLetters);

app.notFound((c) => errorResponse(c, notFound()));

app.onError((err, c) => {
	const apiError = toApiError(err);
	if (apiError.code === "internal_error") {
		const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
		console.error(JSON.stringify({ message: "unhandled error", path: c.req.path, detail }));
	}
	return errorResponse(c, apiError);
});

export { FeedbackDeadLetters } from "./feedback/dead-letters";
export { FeedbackDelivery } from "./feedback/delivery";

export default {
	fetch: (request, env, ctx) => app.fetch(request, resolveBindings(env), ctx),
} satisfies ExportedHandler<Cloudflare.Env>;

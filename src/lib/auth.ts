import type { Context, MiddlewareHandler } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../types";
import { ApiError, notFound } from "./errors";

/** Hono's bearerAuth, answering every refusal with this API's 401 and its WWW-Authenticate. */
function bearer(
	realm: string,
	message: string,
	verifyToken: (token: string, c: Context<AppEnv>) => Promise<boolean>,
): MiddlewareHandler<AppEnv> {
	const refuse = () => {
		throw new ApiError(401, "unauthorized", message, {
			headers: { "WWW-Authenticate": `Bearer realm="${realm}"` },
		});
	};
	return bearerAuth({
		verifyToken,
		noAuthenticationHeader: { message: refuse },
		invalidAuthenticationHeader: { message: refuse },
		invalidToken: { message: refuse },
	});
}

const debugBearer = bearer("debug", "Send Authorization: Bearer <DEBUG_TOKEN>", (token, c) =>
	timingSafeEqual(token, c.var.config.debugToken ?? ""),
);

/**
 * Guards the debug routes: 404 when DEBUG_TOKEN is unset or too short (the routes do not
 * exist), 401 unless `Authorization: Bearer <DEBUG_TOKEN>`, compared in constant time.
 */
export const debugAuth = createMiddleware<AppEnv>(async (c, next) => {
	if (!c.var.config.debugToken) throw notFound();
	return debugBearer(c, next);
});

const adminBearer = bearer("admin", "Send Authorization: Bearer <ADMIN_TOKEN>", (token, c) =>
	timingSafeEqual(token, c.var.config.adminToken ?? ""),
);

/** Guards the admin routes like debugAuth, with ADMIN_TOKEN: 404 while it is unset. */
export const adminAuth = createMiddleware<AppEnv>(async (c, next) => {
	if (!c.var.config.adminToken) throw notFound();
	return adminBearer(c, next);
});

const apiKeyBearer = bearer(
	"api",
	"Send a valid API key: Authorization: Bearer <key>",
	async (token, c) => {
		let matched = false;
		for (const key of c.var.config.apiKeys ?? []) {
			// Compare with every key, so the time taken does not tell which one matched.
			if (await timingSafeEqual(token, key)) matched = true;
		}
		return matched;
	},
);

/**
 * When the secret API_KEYS (comma-separated) is set, requires `Authorization: Bearer <one
 * of them>`. Unset: open, like /api/chat. Keys shorter than 32 characters never match, so
 * a set but unusable API_KEYS locks the routes rather than opening them.
 */
export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
	if (c.var.config.apiKeys === null) return next();
	return apiKeyBearer(c, next);
});

import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError, notFound } from "../core/errors";
import type { AppEnv } from "./app-env";
import { bearerToken } from "./request";

const encoder = new TextEncoder();
const sha256 = (text: string) => crypto.subtle.digest("SHA-256", encoder.encode(text));

/**
 * Whether two secrets are equal, in a time that tells nothing of where they differ: both
 * are hashed first, so even their lengths do not change the comparison.
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
	const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
	return crypto.subtle.timingSafeEqual(a, b);
}

/**
 * Requires `Authorization: Bearer <token>` that `verifyToken` accepts. Every refusal is this
 * API's 401 with a WWW-Authenticate challenge, in this API's error shape (Hono's bearerAuth
 * answers its own).
 */
function bearer(
	realm: string,
	message: string,
	verifyToken: (token: string, c: Context<AppEnv>) => Promise<boolean>,
): MiddlewareHandler<AppEnv> {
	return async (c, next) => {
		const token = bearerToken(c);
		if (!token || !(await verifyToken(token, c))) {
			throw new ApiError(401, "unauthorized", message, {
				headers: { "WWW-Authenticate": `Bearer realm="${realm}"` },
			});
		}
		await next();
	};
}

const debugBearer = bearer("debug", "Send Authorization: Bearer <DEBUG_TOKEN>", (token, c) =>
	sameSecret(token, c.var.config.debugToken ?? ""),
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
	sameSecret(token, c.var.config.adminToken ?? ""),
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
			if (await sameSecret(token, key)) matched = true;
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

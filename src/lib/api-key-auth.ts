import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../types";
import { MIN_SECRET_CHARS } from "./config";
import { ApiError } from "./errors";
import { bearerToken } from "./request";

const warned = { short: false };

/**
 * When the secret API_KEYS (comma-separated) is set, requires
 * `Authorization: Bearer <one of them>`, compared in constant time against
 * every key. Unset: open, like /api/chat. Keys shorter than 32 characters
 * never match, so a set but unusable API_KEYS locks the routes rather than
 * opening them.
 */
export const apiKeyAuth = createMiddleware<AppEnv>(async (c, next) => {
	const configured = (c.env.API_KEYS ?? "")
		.split(",")
		.map((key) => key.trim())
		.filter(Boolean);
	if (configured.length === 0) return next();
	const keys = configured.filter((key) => key.length >= MIN_SECRET_CHARS);
	if (keys.length < configured.length && !warned.short) {
		warned.short = true;
		console.warn(
			`API_KEYS holds keys shorter than ${MIN_SECRET_CHARS} characters; they are ignored`,
		);
	}
	const presented = bearerToken(c) ?? "";
	let matched = false;
	for (const key of keys) {
		// Compare with every key, so the time taken does not tell which one matched.
		if (await timingSafeEqual(presented, key)) matched = true;
	}
	if (!matched) {
		throw new ApiError(401, "unauthorized", "Send a valid API key: Authorization: Bearer <key>", {
			headers: { "WWW-Authenticate": 'Bearer realm="api"' },
		});
	}
	await next();
});

import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import type { AppEnv } from "../types";
import { usableSecret } from "./config";
import { ApiError, notFound } from "./errors";
import { bearerToken } from "./request";

/**
 * Guards the debug routes: 404 when DEBUG_TOKEN is unset or too short (the routes do not
 * exist), 401 unless `Authorization: Bearer <DEBUG_TOKEN>`, compared in
 * constant time.
 */
export const debugAuth = createMiddleware<AppEnv>(async (c, next) => {
	const expected = usableSecret(c.env, "DEBUG_TOKEN");
	if (!expected) throw notFound();
	const token = bearerToken(c);
	if (!token || !(await timingSafeEqual(token, expected))) {
		throw new ApiError(401, "unauthorized", "Send Authorization: Bearer <DEBUG_TOKEN>", {
			headers: { "WWW-Authenticate": 'Bearer realm="debug"' },
		});
	}
	await next();
});

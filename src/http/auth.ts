import type { Context, MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { ApiError, notFound } from "../core/errors";
import { log } from "../core/log";
import { verifyAccessAssertion } from "./access";
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

/** The header Cloudflare Access adds to each request it lets through (src/http/access.ts). */
export const ACCESS_ASSERTION_HEADER = "cf-access-jwt-assertion";

/**
 * Whether a request came through Cloudflare Access: Access is configured and the request
 * carries its assertion (checked by the guard, not here: this only says which way it came).
 */
export const throughAccess = (c: Context<AppEnv>): boolean =>
	c.var.config.access !== null && c.req.header(ACCESS_ASSERTION_HEADER) !== undefined;

/**
 * A guard of the team's routes: the admin API (with /insights) and the debug routes. They
 * exist when their bearer token is set or Cloudflare Access is configured (404 otherwise).
 * With Access configured, a request carrying a Cf-Access-Jwt-Assertion is decided by it
 * alone: valid, it passes whatever its Authorization; otherwise 403 access_denied. A request
 * without one needs `Authorization: Bearer <token>` (401 unauthorized), or, with no token
 * set, is 401 unauthorized too. Each request let in is logged with who made it.
 */
function teamGuard(
	surface: "admin" | "debug",
	tokenOf: (config: AppEnv["Variables"]["config"]) => string | undefined,
	tokenName: string,
): MiddlewareHandler<AppEnv> {
	const tokenBearer = bearer(surface, `Send Authorization: Bearer <${tokenName}>`, (token, c) =>
		sameSecret(token, tokenOf(c.var.config) ?? ""),
	);
	return createMiddleware<AppEnv>(async (c, next) => {
		const { access } = c.var.config;
		const token = tokenOf(c.var.config);
		if (!token && !access) throw notFound();
		const assertion = access ? c.req.header(ACCESS_ASSERTION_HEADER) : undefined;
		let who: { via: "access" | "token"; email?: string | null; serviceToken?: string | null };
		if (access && assertion !== undefined) {
			who = {
				via: "access",
				...(await verifyAccessAssertion(assertion, access, c.env.ACCESS_EMULATOR)),
			};
		} else if (token) {
			await tokenBearer(c, async () => {});
			who = { via: "token" };
		} else {
			throw new ApiError(
				401,
				"unauthorized",
				"Sign in through Cloudflare Access: this request carries no Cf-Access-Jwt-Assertion",
			);
		}
		await next();
		// Who read or changed what: a person's email, never a token.
		log.info("team route used", {
			surface,
			method: c.req.method,
			path: c.req.path,
			status: c.res.status,
			...who,
		});
	});
}

/**
 * Guards the debug routes with DEBUG_TOKEN (compared in constant time) or Cloudflare Access:
 * 404 while neither is set (the routes do not exist). See teamGuard.
 */
export const debugAuth = teamGuard("debug", (config) => config.debugToken, "DEBUG_TOKEN");

/** Guards the admin routes like debugAuth, with ADMIN_TOKEN. */
export const adminAuth = teamGuard("admin", (config) => config.adminToken, "ADMIN_TOKEN");

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

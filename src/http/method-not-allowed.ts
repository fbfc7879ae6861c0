import type { Context, Hono } from "hono";
import { ApiError } from "../core/errors";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/**
 * For a request no route answered: 405 with `Allow` when some route answers its path with
 * another method, else null. It asks the app's own router, so it costs nothing until a
 * request misses (Hono's methodNotAllowed builds a second router, and ships its code).
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its environment
export function methodNotAllowed(app: Hono<any>, c: Context): ApiError | null {
	const allowed = METHODS.filter((method) =>
		app.router.match(method, c.req.path)[0].some(([[, route]]) => route.method === method),
	);
	// Hono answers HEAD with the GET route.
	if (allowed[0] === "GET") allowed.splice(1, 0, "HEAD");
	if (allowed.length === 0 || allowed.includes(c.req.method)) return null;
	const allow = allowed.join(", ");
	return new ApiError(405, "method_not_allowed", `Use ${allow} on this path`, {
		headers: { Allow: allow },
	});
}

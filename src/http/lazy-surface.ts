import type { Hono, MiddlewareHandler } from "hono";
import { Hono as TinyHono } from "hono/tiny";
import type { AppEnv } from "./app-env";
import { answerErrors } from "./app-errors";
import { withConfig } from "./config";

/** Whether the surface mounted at `prefix` owns `path`. */
export const owns = (prefix: string, path: string) =>
	path === prefix || path.startsWith(`${prefix}/`);

/** Where each surface is mounted, and the function that builds its routes. */
export type SurfaceTable = Record<string, () => Hono<AppEnv>>;

/**
 * Serves each surface of `table`, built on the surface's first request: until then the
 * Worker builds none of its routes, so start-up pays for this one handler. (A surface is a
 * function rather than a module loaded with `import()`: in the Worker's one bundle, a
 * dynamically imported module costs esbuild's lazy-initialisation wrappers around every
 * module it reaches, about 2 KiB gzipped, for a start-up saving measured in tenths of a
 * millisecond.) A surface's requests get the same configuration and error answers as the
 * root app's; a path no surface owns falls through.
 */
export function lazySurfaces(table: SurfaceTable): MiddlewareHandler<AppEnv> {
	const built = new Map<string, Hono<AppEnv>>();
	const entries = Object.entries(table);
	const surface = ([prefix, build]: [string, SurfaceTable[string]]) => {
		let routes = built.get(prefix);
		if (!routes) {
			routes = answerErrors(new TinyHono<AppEnv>().use(withConfig).route(prefix, build()));
			built.set(prefix, routes);
		}
		return routes;
	};
	return async (c, next) => {
		const { path } = c.req;
		const entry = entries.find(([prefix]) => owns(prefix, path));
		if (!entry) return next();
		return surface(entry).fetch(c.req.raw, c.env, c.executionCtx);
	};
}

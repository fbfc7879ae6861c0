import type { Hono, MiddlewareHandler } from "hono";
import { Hono as TinyHono } from "hono/tiny";
import type { AppEnv } from "./app-env";
import { answerErrors } from "./app-errors";
import { withConfig } from "./config";

/** Whether the surface mounted at `prefix` owns `path`. */
export const owns = (prefix: string, path: string) =>
	path === prefix || path.startsWith(`${prefix}/`);

/** Where each surface is mounted, and how to load its routes. */
export type SurfaceTable = Record<string, () => Promise<Hono<AppEnv>>>;

/**
 * Serves each surface of `table` from the module that declares it, loaded on the surface's
 * first request: until then the Worker builds none of its routes, schemas or libraries, so
 * start-up pays for this one handler. (The bundler keeps a dynamically imported module in
 * the one bundle and evaluates it when first imported.) A surface's requests get the same
 * configuration and error answers as the root app's; a path no surface owns falls through.
 */
export function lazySurfaces(table: SurfaceTable): MiddlewareHandler<AppEnv> {
	const loaded = new Map<string, Promise<Hono<AppEnv>>>();
	const entries = Object.entries(table);
	const mount = ([prefix, load]: [string, SurfaceTable[string]]) => {
		let surface = loaded.get(prefix);
		if (!surface) {
			surface = load().then((routes) =>
				answerErrors(new TinyHono<AppEnv>().use(withConfig).route(prefix, routes)),
			);
			// A failed load is tried again by the next request rather than remembered.
			surface.catch(() => loaded.delete(prefix));
			loaded.set(prefix, surface);
		}
		return surface;
	};
	return async (c, next) => {
		const { path } = c.req;
		const entry = entries.find(([prefix]) => owns(prefix, path));
		if (!entry) return next();
		return (await mount(entry)).fetch(c.req.raw, c.env, c.executionCtx);
	};
}

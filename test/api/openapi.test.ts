/// <reference types="vite/client" />
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import document from "../../public/openapi.json";
import indexSource from "../../src/index.ts?raw";

// Every route the Worker mounts is an operation of the OpenAPI document, and every
// operation a route it mounts. The mounts are read from src/index.ts's surface tables (the
// one place they are declared), each surface's routes from its own Hono app.

const routeModules = import.meta.glob<Record<string, Hono>>("../../src/api/*/*.ts");

/** `"/api/chat": async () => (await import("./api/chat/route")).chat` in index.ts. */
const MOUNT = /"([^"]+)":\s*async \(\) => \(await import\("\.\/([^"]+)"\)\)\.(\w+)/g;

async function mountedRoutes(): Promise<string[]> {
	const mounts = [...indexSource.matchAll(MOUNT)];
	// A mount written another way would be missed: every lazy import must be one of these.
	expect(mounts.length).toBe(indexSource.match(/await import\("\.\/api\//g)?.length);
	const routes = new Set<string>();
	for (const [, prefix, module, name] of mounts) {
		const load = routeModules[`../../src/${module}.ts`];
		if (!load)
			throw new Error(`index.ts mounts ${module}, which test/api/openapi.test.ts cannot load`);
		const app = (await load())[name as string];
		if (!app) throw new Error(`${module} exports no ${name}`);
		for (const { method, path } of app.routes) {
			// `.use` middleware is registered for every method; routes have one.
			if (method === "ALL") continue;
			const full = (prefix + (path === "/" ? "" : path)).replace(/:(\w+)/g, "{$1}");
			routes.add(`${method} ${full}`);
		}
	}
	return [...routes].sort();
}

const documented = Object.entries(document.paths)
	.flatMap(([path, methods]) =>
		Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
	)
	.sort();

describe("the OpenAPI document (public/openapi.json)", () => {
	it("has an operation for every route the Worker mounts, and no other", async () => {
		const mounted = await mountedRoutes();
		expect(mounted.length).toBeGreaterThan(0);
		expect(documented).toEqual(mounted);
	});
});

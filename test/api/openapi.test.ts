/// <reference types="vite/client" />
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import document from "../../public/openapi.json";
import indexSource from "../../src/index.ts?raw";

// Every route the Worker mounts is an operation of the OpenAPI document, and every
// operation a route it mounts. The mounts are read from src/index.ts's surface tables (the
// one place they are declared), each surface's routes from its own Hono app.

const routeModules = import.meta.glob<Record<string, () => Hono>>("../../src/api/*/*.ts");

/** `"/api/chat": chat,` in one of index.ts's tables of surfaces. */
const MOUNT = /^\t"(\/[^"]*)": (\w+),$/gm;
/** `import { chat } from "./api/chat/route";` in index.ts. */
const IMPORT = /^import \{ (\w+) \} from "\.\/(api\/[^"]+)";$/gm;

async function mountedRoutes(): Promise<string[]> {
	const modules = new Map(
		[...indexSource.matchAll(IMPORT)].map(([, name, module]) => [name, module]),
	);
	const mounts = [...indexSource.matchAll(MOUNT)];
	// A mount written another way would be missed: every surface imported is one of these.
	expect(mounts.length).toBe(modules.size);
	const routes = new Set<string>();
	for (const [, prefix, name] of mounts) {
		const module = modules.get(name as string);
		const load = routeModules[`../../src/${module}.ts`];
		if (!load)
			throw new Error(`index.ts mounts ${module}, which test/api/openapi.test.ts cannot load`);
		const build = (await load())[name as string];
		if (!build) throw new Error(`${module} exports no ${name}`);
		for (const { method, path } of build().routes) {
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

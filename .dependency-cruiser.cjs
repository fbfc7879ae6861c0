// The layers of src/ and who may import whom (docs/architecture.md). `npm run check` runs
// this through scripts/check-layers.mjs, and so does test/tooling/import-rules.test.ts.
//
//   core/                                  types and pure rules: imports nothing else of src/
//   gateway/  store/  http/                the AI binding, D1, Hono plumbing: core only
//   dead-letters/                          the dead-letter list Durable Object: core only
//   judge/                                 the LLM judge: its queue's work on recorded answers
//   feedback/  answers/                    Durable Objects; serving and recording answers
//   api/<surface>/                         one folder per surface; surfaces do not share code
//   index.ts                               mounts the surfaces; nothing imports it

/** A layer may import itself and the layers named here, and no other folder of src/. */
const only = (name, from, allowed) => ({
	name,
	comment: `${from} may import only ${allowed.join(", ")} within src/`,
	severity: "error",
	from: { path: `^src/${from}/` },
	to: {
		path: "^src/",
		pathNot: [`^src/(${[from, ...allowed].join("|")})/`, "^src/env\\.d\\.ts$"],
	},
});

module.exports = {
	forbidden: [
		{
			name: "no-circular",
			comment: "An import circle: two modules that need each other belong together, or apart",
			severity: "error",
			from: {},
			to: { circular: true },
		},
		only("core-is-the-base", "core", []),
		only("gateway-on-core", "gateway", ["core"]),
		only("store-on-core", "store", ["core"]),
		only("http-on-core", "http", ["core"]),
		only("dead-letters-on-core", "dead-letters", ["core"]),
		only("feedback-below-api", "feedback", ["core", "gateway", "store", "dead-letters"]),
		only("judge-on-gateway-and-store", "judge", ["core", "gateway", "store"]),
		only("answers-below-api", "answers", [
			"core",
			"gateway",
			"store",
			"http",
			"dead-letters",
			"judge",
		]),
		only("api-below-index", "api", [
			"core",
			"gateway",
			"store",
			"http",
			"dead-letters",
			"feedback",
			"answers",
			"judge",
		]),
		{
			name: "surfaces-apart",
			comment: "An API surface does not import another: what two share lives in a lower layer",
			severity: "error",
			from: { path: "^src/api/([^/]+)/" },
			to: { path: "^src/api/", pathNot: "^src/api/$1/" },
		},
		{
			name: "nothing-imports-index",
			severity: "error",
			from: {},
			to: { path: "^src/index\\.ts$" },
		},
		{
			name: "no-emulator-in-the-worker",
			comment: "The emulator is a development tool: the deployed Worker never bundles it",
			severity: "error",
			from: { path: "^src/" },
			to: { path: "^emulator/" },
		},
		{
			name: "store-without-hono",
			comment:
				"The store is SQL on plain values: no Hono context (Hono's error class, status types and base64url helpers are plain values)",
			severity: "error",
			from: { path: "^src/(store|gateway|core)/" },
			to: {
				path: "node_modules/hono/",
				pathNot: "node_modules/hono/dist/(http-exception|utils/http-status|utils/encode)",
			},
		},
		{
			name: "not-to-unresolvable",
			severity: "error",
			from: {},
			to: { couldNotResolve: true },
		},
	],
	options: {
		// Type-only imports count: a type is as much a dependency as a value.
		tsPreCompilationDeps: true,
		tsConfig: { fileName: "tsconfig.json" },
		doNotFollow: { path: "node_modules" },
		exclude: { path: "^src/env\\.d\\.ts$" },
		moduleSystems: ["es6"],
		builtInModules: { add: ["cloudflare:workers", "cloudflare:ai"] },
		// Resolve package subpaths (hono/tiny, hono/cors) through their exports, as the bundler does.
		enhancedResolveOptions: {
			exportsFields: ["exports"],
			conditionNames: ["workerd", "worker", "import", "default"],
			mainFields: ["module", "main"],
		},
	},
};

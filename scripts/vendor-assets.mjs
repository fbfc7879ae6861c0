#!/usr/bin/env node
// Copies the browser builds the pages use from node_modules into public/vendor/, with
// their licences, so the pages load them from their own origin under their strict CSP (no
// third-party requests, no build step); and writes /insights' copies of the statistics,
// whose one home is src/core/verdict.ts and src/core/agreement.ts. `npm run check` runs this with --check, which
// fails when a file differs from what the installed package or the source would give.
//
//   node scripts/vendor-assets.mjs          write public/vendor/
//   node scripts/vendor-assets.mjs --check  compare only
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
// The bundler wrangler itself uses (a dependency of wrangler, vite and the plugin).
import { buildSync } from "esbuild";

const root = resolve(import.meta.dirname, "..");
const read = (path) => readFileSync(resolve(root, "node_modules", path), "utf8");
const version = (name) => JSON.parse(read(`${name}/package.json`)).version;

/** Each vendored file: where it goes under public/vendor/, and how it is made. */
const assets = [
	{
		// markdown-it's own ESM browser build (markdown-it with mdurl and entities bundled).
		// The source map is not shipped, so its comment goes: browsers would ask for it.
		to: "markdown-it/markdown-it.js",
		make: () =>
			read("markdown-it/dist/browser/markdown-it.esm.min.mjs").replace(
				/\n\/\/# sourceMappingURL=\S+\s*$/,
				"\n",
			),
	},
	{
		to: "markdown-it/LICENSE",
		make: () =>
			[
				`public/vendor/markdown-it/markdown-it.js is the browser build of markdown-it ${version("markdown-it")}`,
				"(node_modules/markdown-it/dist/browser/markdown-it.esm.min.mjs), which bundles",
				`mdurl ${version("mdurl")} and entities ${version("entities")}. Their licences follow.`,
				"",
				`== markdown-it ${version("markdown-it")} (MIT) ==`,
				"",
				read("markdown-it/LICENSE").trim(),
				"",
				`== mdurl ${version("mdurl")} (MIT) ==`,
				"",
				read("mdurl/LICENSE").trim(),
				"",
				`== entities ${version("entities")} (BSD-2-Clause) ==`,
				"",
				read("entities/LICENSE").trim(),
				"",
			].join("\n"),
	},
	{
		// eventsource-parser ships ES modules, not a browser build: its two entry points
		// (createParser, EventSourceParserStream) bundled into one file and minified, the
		// licence comment kept. The same package parses the Worker's model streams.
		to: "eventsource-parser/eventsource-parser.js",
		make: () =>
			buildSync({
				stdin: {
					contents: [
						"// eventsource-parser's `.` and `./stream` entries, for the chat page.",
						'export { createParser, ParseError } from "eventsource-parser";',
						'export { EventSourceParserStream } from "eventsource-parser/stream";',
					].join("\n"),
					resolveDir: root,
					loader: "js",
				},
				bundle: true,
				format: "esm",
				target: "es2022",
				minify: true,
				legalComments: "none",
				banner: {
					js: `/*! eventsource-parser ${version("eventsource-parser")} | MIT | see LICENSE */`,
				},
				write: false,
				logLevel: "error",
			}).outputFiles[0].text,
	},
	{
		to: "eventsource-parser/LICENSE",
		make: () =>
			[
				`public/vendor/eventsource-parser/eventsource-parser.js is eventsource-parser ${version("eventsource-parser")}`,
				"(node_modules/eventsource-parser/dist), its `.` and `./stream` entries bundled and",
				"minified by scripts/vendor-assets.mjs. Its licence follows.",
				"",
				`== eventsource-parser ${version("eventsource-parser")} (MIT) ==`,
				"",
				read("eventsource-parser/LICENSE").trim(),
				"",
			].join("\n"),
	},
	// The statistics' pure functions for /insights, as browser modules: compiled from src/core/,
	// not copied by hand, so the page and the Worker's tests decide alike. verdict.ts compares
	// two models; agreement.ts turns the judge's votes the admin API serves into kappa.
	...["verdict", "agreement"].map((name) => ({
		to: `verdict/${name}.js`,
		make: () =>
			buildSync({
				entryPoints: [resolve(root, `src/core/${name}.ts`)],
				bundle: true,
				format: "esm",
				target: "es2022",
				legalComments: "none",
				banner: {
					js: `// Generated from src/core/${name}.ts by scripts/vendor-assets.mjs: edit that file, then run it.`,
				},
				write: false,
				logLevel: "error",
			}).outputFiles[0].text,
	})),
];

const check = process.argv.includes("--check");
const stale = [];
for (const asset of assets) {
	const target = resolve(root, "public/vendor", asset.to);
	const expected = asset.make();
	const actual = existsSync(target) ? readFileSync(target, "utf8") : null;
	if (actual === expected) continue;
	if (check) {
		stale.push(`public/vendor/${asset.to}`);
	} else {
		mkdirSync(dirname(target), { recursive: true });
		writeFileSync(target, expected);
		console.log(`vendor-assets: wrote public/vendor/${asset.to}`);
	}
}
if (stale.length) {
	console.error(
		`vendor-assets: out of date with node_modules: ${stale.join(", ")}. Run node scripts/vendor-assets.mjs`,
	);
	process.exit(1);
}
if (check) console.log(`vendor-assets: ${assets.length} vendored files up to date`);

#!/usr/bin/env node
// The chat page's weight: every script, module and stylesheet public/index.html loads
// (its modules followed through their static imports, public/vendor included), each raw
// and gzipped (level 9). `node scripts/page-weight.mjs` prints a table; `--json` one JSON
// line. The browser tests print the same line (test/e2e/chat-quality.e2e.test.ts).
// `--write` puts the figures in docs/chat-page.md, between its page-weight markers;
// `--check` (run by `npm run check`) fails when those figures are not the page's.
import { readFileSync, writeFileSync } from "node:fs";
import { join, posix, resolve } from "node:path";
import { gzipSync } from "node:zlib";

const publicDir = resolve(import.meta.dirname, "../public");

/** @param {string} path a path of the site */
const read = (path) => readFileSync(join(publicDir, path));

/**
 * Site paths of the page's assets: scripts, their imports, stylesheets.
 * @returns {string[]}
 */
export function pageAssets(htmlPath = "/index.html") {
	const html = read(htmlPath).toString("utf8");
	/** @type {Set<string>} */
	const found = new Set();
	/** @type {string[]} */
	const modules = [];
	for (const [tag] of html.matchAll(/<(?:script|link)\b[^>]*>/g)) {
		const src = /\b(?:src|href)="([^"]+)"/.exec(tag)?.[1];
		if (!src || /^[a-z]+:/i.test(src)) continue;
		if (tag.startsWith("<script") || /rel="modulepreload"/.test(tag)) {
			modules.push(src);
		} else if (/rel="stylesheet"/.test(tag)) {
			found.add(src);
		}
	}
	while (modules.length) {
		const path = /** @type {string} */ (modules.pop());
		if (found.has(path)) continue;
		found.add(path);
		/** @type {string} */
		const source = read(path).toString("utf8");
		for (const match of source.matchAll(
			/(?:^|[;\n}])\s*(?:import|export)\b[^"'`;]*?\bfrom\s*["']([^"']+)["']|(?:^|[;\n])\s*import\s*["']([^"']+)["']/g,
		)) {
			/** @type {string | undefined} */
			const specifier = match[1] ?? match[2];
			if (specifier && (specifier.startsWith(".") || specifier.startsWith("/")))
				modules.push(posix.resolve(posix.dirname(path), specifier));
		}
	}
	return [...found].sort();
}

/** Bytes of each asset and the totals, raw and gzipped, by kind (js, css). */
export function pageWeight() {
	const files = pageAssets().map((path) => {
		const bytes = read(path);
		return {
			path,
			kind: path.endsWith(".css") ? "css" : "js",
			bytes: bytes.length,
			gzip: gzipSync(bytes, { level: 9 }).length,
		};
	});
	/** @param {string} [kind] */
	const total = (kind) => {
		const some = files.filter((file) => !kind || file.kind === kind);
		return {
			bytes: some.reduce((sum, file) => sum + file.bytes, 0),
			gzip: some.reduce((sum, file) => sum + file.gzip, 0),
		};
	};
	return { files, js: total("js"), css: total("css"), total: total() };
}

const DOC = resolve(import.meta.dirname, "../docs/chat-page.md");
const [START, END] = ["<!-- page-weight -->", "<!-- /page-weight -->"];
/** @param {number} bytes */
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;

/** The doc's block: the totals in words, then each file. */
export function weightMarkdown(weight = pageWeight()) {
	const vendored = weight.files.filter((file) => file.path.startsWith("/vendor/"));
	const vendor = vendored.reduce((sum, file) => sum + file.gzip, 0);
	// The libraries by their folder: /vendor/<name>/...
	const libraries = [...new Set(vendored.map((file) => file.path.split("/")[2]))];
	const rows = weight.files.map((file) => `| \`${file.path}\` | ${file.bytes} | ${file.gzip} |`);
	return [
		`The page loads ${kb(weight.js.gzip)} of JavaScript gzipped (level 9), ${kb(vendor)} of it`,
		`${libraries.join(" and ")}, and ${kb(weight.css.gzip)} of CSS (written by \`npm run page-weight -- --write\`;`,
		"`npm run check` fails when these figures are not the page's):",
		"",
		"| File | Bytes | Gzipped |",
		"|---|---:|---:|",
		...rows,
		`| JavaScript | ${weight.js.bytes} | ${weight.js.gzip} |`,
		`| CSS | ${weight.css.bytes} | ${weight.css.gzip} |`,
		"",
	].join("\n");
}

/**
 * docs/chat-page.md with `block` between its markers.
 * @param {string} doc
 * @param {string} block
 */
function withBlock(doc, block) {
	const from = doc.indexOf(START);
	const to = doc.indexOf(END);
	if (from < 0 || to < from) throw new Error(`docs/chat-page.md has no ${START} ... ${END} block`);
	return `${doc.slice(0, from + START.length)}\n${block}${doc.slice(to)}`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
	const weight = pageWeight();
	if (process.argv.includes("--write") || process.argv.includes("--check")) {
		const doc = readFileSync(DOC, "utf8");
		const next = withBlock(doc, weightMarkdown(weight));
		if (process.argv.includes("--write")) {
			writeFileSync(DOC, next);
			console.log(`page-weight: wrote ${DOC}`);
		} else if (next !== doc) {
			console.error(
				"page-weight: docs/chat-page.md's figures are not the page's: run `npm run page-weight -- --write`",
			);
			process.exit(1);
		}
	} else if (process.argv.includes("--json")) {
		console.log(JSON.stringify({ metric: "page-weight", ...weight }));
	} else {
		for (const file of weight.files)
			console.log(
				`${file.path.padEnd(40)} ${String(file.bytes).padStart(8)} B  ${String(file.gzip).padStart(7)} B gzip`,
			);
		for (const kind of /** @type {const} */ (["js", "css", "total"]))
			console.log(
				`${kind.padEnd(40)} ${String(weight[kind].bytes).padStart(8)} B  ${String(weight[kind].gzip).padStart(7)} B gzip`,
			);
	}
}

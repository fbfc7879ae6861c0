#!/usr/bin/env node
// The README's Project layout and docs/architecture.md's file list say where things are, so
// they must name the tree as it is. Run by `npm run check`, beside check-config-docs.mjs:
//
// 1. the layout block (the ```text block under "## Project layout" in README.md) names every
//    top-level entry of the repository and every folder of src/ (each api/<surface>/ too),
//    and every path it names exists;
// 2. the tables under "## Files" in docs/architecture.md name exactly the files under src/,
//    one row each, with what the file owns.
//
// The tree is what git tracks plus new files it does not ignore (`git ls-files`); without
// git (a copy of the tree), the files on disk minus .gitignore's names.
// `--root <dir>` checks another copy of the repository (the tooling test uses it).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const rootArg = process.argv.indexOf("--root");
const root =
	rootArg === -1 ? resolve(import.meta.dirname, "..") : resolve(process.argv[rootArg + 1] ?? ".");
const read = (file) => readFileSync(resolve(root, file), "utf8");
const problems = [];

// --- The tree ---------------------------------------------------------------------

/** Every file of the repository, as a path relative to the root with `/` separators. */
function treeFiles() {
	try {
		const listed = execFileSync(
			"git",
			["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
			{ cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
		);
		// --cached also lists tracked files deleted from the working tree: those are gone.
		return listed
			.split("\0")
			.filter(Boolean)
			.filter((file) => existsSync(resolve(root, file)));
	} catch {
		return walk("");
	}
}

/** .gitignore's name patterns (`name`, `name/`, `*`, `!name`), enough for this repository's. */
function ignoredName() {
	const path = resolve(root, ".gitignore");
	const rules = (existsSync(path) ? readFileSync(path, "utf8") : "")
		.split("\n")
		.map((line) => line.trim())
		.filter((line) => line && !line.startsWith("#"))
		.map((line) => {
			const negated = line.startsWith("!");
			const pattern = line.replace(/^!/, "").replace(/\/$/, "");
			const source = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
			return { negated, regex: new RegExp(`^${source}$`) };
		});
	return (name) => {
		let ignored = name === ".git";
		for (const { negated, regex } of rules) if (regex.test(name)) ignored = !negated;
		return ignored;
	};
}

const isIgnored = ignoredName();

function walk(dir) {
	return readdirSync(resolve(root, dir), { withFileTypes: true })
		.filter((entry) => !isIgnored(entry.name))
		.flatMap((entry) => {
			const path = dir ? `${dir}/${entry.name}` : entry.name;
			return entry.isDirectory() ? walk(path) : [path];
		});
}

const files = treeFiles().sort();
/** Every folder that holds a file, at any depth. */
const folders = new Set(
	files.flatMap((file) =>
		file
			.split("/")
			.slice(0, -1)
			.map((_, i, parts) => parts.slice(0, i + 1).join("/")),
	),
);
const exists = (path) => files.includes(path) || folders.has(path);

// --- 1. The README's layout block -------------------------------------------------

/** The lines under `heading` in `markdown`, up to the next `## ` heading, or undefined. */
function section(markdown, heading) {
	const lines = markdown.split("\n");
	const start = lines.indexOf(heading);
	if (start === -1) return undefined;
	const end = lines.findIndex((line, i) => i > start && /^## /.test(line));
	return lines.slice(start + 1, end === -1 ? undefined : end);
}

/**
 * The paths a tree block names. An entry is a line with a branch (`├── ` or `└── `); its
 * depth is its branch's column / 4, its name the first word after it (a name may hold
 * several segments, `bench/baseline/`, or a `*`, `chat-*.png`). Other lines continue the
 * description above them.
 */
function layoutPaths(block) {
	const named = [];
	const parents = [];
	for (const line of block) {
		const match = /^([│ \u00a0]*)[├└]── (\S+)/.exec(line);
		if (!match) continue;
		const depth = [...match[1]].length / 4;
		const name = match[2].replace(/\/$/, "");
		const parent = depth === 0 ? "" : parents[depth - 1];
		if (!Number.isInteger(depth) || parent === undefined) {
			problems.push(`README.md's Project layout: cannot place "${line.trim()}" in the tree`);
			continue;
		}
		const path = parent ? `${parent}/${name}` : name;
		parents[depth] = path;
		parents.length = depth + 1;
		named.push(path);
	}
	return named;
}

/** The tree's paths a named path stands for: itself, or what its `*` matches. */
function matches(path) {
	if (!path.includes("*")) return exists(path) ? [path] : [];
	const source = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replaceAll("*", "[^/]*");
	const regex = new RegExp(`^${source}$`);
	return [...files, ...folders].filter((each) => regex.test(each));
}

const layout = section(read("README.md"), "## Project layout");
const fence = layout?.findIndex((line) => line.startsWith("```"));
const close = layout?.findIndex((line, i) => i > fence && line.startsWith("```"));
if (!layout || fence === -1 || close === -1) {
	problems.push('README.md has no layout block: a ```text tree under "## Project layout"');
} else {
	const named = layoutPaths(layout.slice(fence + 1, close));
	const seen = new Set();
	const covered = new Set();
	for (const path of named) {
		if (seen.has(path)) problems.push(`README.md's Project layout names ${path} twice`);
		seen.add(path);
		const found = matches(path);
		if (found.length === 0) {
			problems.push(`README.md's Project layout names ${path}, which is not in the tree`);
		}
		for (const each of found) covered.add(each);
	}
	// A path is named by its own line, or by a line of a path inside it.
	const isNamed = (path) =>
		covered.has(path) || [...covered].some((each) => each.startsWith(`${path}/`));
	const topLevel = [...new Set(files.map((file) => file.split("/")[0]))];
	for (const entry of topLevel) {
		if (!isNamed(entry)) {
			const what = folders.has(entry) ? `the folder ${entry}/` : entry;
			problems.push(`README.md's Project layout does not name ${what}: add a line for it`);
		}
	}
	for (const folder of [...folders].filter((each) => each.startsWith("src/"))) {
		if (!isNamed(folder)) {
			problems.push(`README.md's Project layout does not name the folder ${folder}/`);
		}
	}
}

// --- 2. docs/architecture.md's file list ---------------------------------------------

const architecture = existsSync(join(root, "docs/architecture.md"))
	? section(read("docs/architecture.md"), "## Files")
	: undefined;
const srcFiles = files.filter((file) => file.startsWith("src/"));
if (!architecture) {
	problems.push('docs/architecture.md has no "## Files" section listing the files of src/');
} else {
	const rows = architecture
		.map((line) => /^\|\s*`(src\/[^`]+)`\s*\|([^|]*)\|/.exec(line))
		.filter(Boolean)
		.map(([, path, owns]) => ({ path, owns: owns.trim() }));
	const listed = new Set();
	for (const { path, owns } of rows) {
		if (listed.has(path)) problems.push(`docs/architecture.md's file list names ${path} twice`);
		listed.add(path);
		if (!srcFiles.includes(path)) {
			problems.push(`docs/architecture.md's file list names ${path}, which is not in src/`);
		} else if (!owns) {
			problems.push(`docs/architecture.md's file list: say what ${path} owns`);
		}
	}
	for (const file of srcFiles) {
		if (!listed.has(file)) {
			problems.push(
				`docs/architecture.md's file list does not name ${file}: add a row saying what it owns`,
			);
		}
	}
}

if (problems.length > 0) {
	console.error("The layout docs and the tree disagree:");
	for (const problem of problems) console.error(`  - ${problem}`);
	process.exit(1);
}
console.log(
	`README.md's Project layout names every top-level entry and every folder of src/; docs/architecture.md names the ${srcFiles.length} files of src/.`,
);

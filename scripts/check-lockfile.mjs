#!/usr/bin/env node
// package-lock.json must list every optional dependency of every locked package for every
// platform, not only for the machine that wrote it: workerd, Biome and esbuild ship their
// binaries as one optional package per platform, and `npm ci` refuses a lockfile that lacks
// one of them ("Missing: @biomejs/cli-darwin-arm64@ from lock file") on any machine. npm
// leaves an entry out when the registry it asks does not serve that build.
//
//   node scripts/check-lockfile.mjs        fails, naming the missing entries (npm run check)
//   node scripts/check-lockfile.mjs --fix  adds them, from the registry's metadata
//
// --fix takes os, cpu, libc, license, engines and integrity from `npm view` of the exact
// version. When the registry does not serve that version it takes the platform fields from
// the newest version it serves and leaves integrity out: npm installs such an entry by name
// and version, unverified. Where the registry serves every build, deleting those entries
// and running `npm install --package-lock-only` writes them again with their integrity.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const lockfilePath = resolve(root, "package-lock.json");
// Packages with per-platform binaries this project needs; each must be in the lockfile.
const PLATFORM_PACKAGES = ["workerd", "@biomejs/biome", "esbuild"];
const fix = process.argv.includes("--fix");

const text = readFileSync(lockfilePath, "utf8");
const lockfile = JSON.parse(text);
const packages = lockfile.packages ?? {};

const nameAt = (location) => location.slice(location.lastIndexOf("node_modules/") + 13);
/** Where Node would look for `name` from the package at `from`, nearest first. */
function lookupChain(from, name) {
	const chain = [];
	let dir = from;
	for (;;) {
		chain.push(`${dir ? `${dir}/` : ""}node_modules/${name}`);
		if (!dir) return chain;
		const cut = dir.lastIndexOf("/node_modules/");
		dir = cut === -1 ? "" : dir.slice(0, cut);
	}
}
const isExactVersion = (spec) => /^\d+\.\d+\.\d+(?:-[\w.]+)?$/.test(spec);

function findProblems() {
	const problems = [];
	for (const [from, entry] of Object.entries(packages)) {
		for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
			const found = lookupChain(from, name).find((location) => packages[location]);
			if (!found) problems.push({ from, name, spec, kind: "missing" });
			else if (isExactVersion(spec) && packages[found].version !== spec)
				problems.push({ from, name, spec, kind: "wrong version", found });
		}
	}
	return problems;
}

function npmView(spec) {
	try {
		const out = execFileSync("npm", ["view", spec, "--json"], {
			cwd: root,
			encoding: "utf8",
			stdio: ["ignore", "pipe", "ignore"],
			shell: process.platform === "win32",
		});
		const parsed = JSON.parse(out);
		return Array.isArray(parsed) ? parsed.at(-1) : parsed;
	} catch {
		return undefined;
	}
}

/** The lockfile entry npm would write for name@version under the holder `from`. */
function entryFor(from, name, version) {
	const exact = npmView(`${name}@${version}`);
	const meta = exact ?? npmView(name);
	if (!meta) return undefined;
	// dev/optional/peer flags as on the holder's other optional dependencies.
	const sibling = Object.entries(packages[from].optionalDependencies ?? {})
		.map(([other, spec]) => {
			const found = lookupChain(from, other).find((location) => packages[location]);
			return found && packages[found].version === spec ? found : undefined;
		})
		.find(Boolean);
	const flags = sibling ? packages[sibling] : { optional: true };
	const entry = { version };
	if (exact?.dist?.integrity) entry.integrity = exact.dist.integrity;
	for (const key of ["cpu", "libc", "license", "os", "engines"])
		if (meta[key] !== undefined) entry[key] = meta[key];
	for (const key of ["dev", "devOptional", "optional", "peer"]) if (flags[key]) entry[key] = true;
	return { entry, sibling, exact: Boolean(exact) };
}

/**
 * Beside the holder's other platform packages when the holder would find it there (no other
 * version in between), else in the holder's own node_modules.
 */
function placeFor(from, name, sibling) {
	const chain = lookupChain(from, name);
	const taken = chain.findIndex((location) => packages[location]);
	const free = taken === -1 ? chain : chain.slice(0, taken);
	const beside = sibling && `${sibling.slice(0, sibling.length - nameAt(sibling).length)}${name}`;
	return free.includes(beside) ? beside : chain[0];
}

// npm's own lockfile layout (json-stringify-nice with the lockfile's key order), so that
// --fix leaves a file npm would write byte for byte.
const KEY_ORDER = [
	"name",
	"version",
	"lockfileVersion",
	"resolved",
	"integrity",
	"requires",
	"packages",
	"dependencies",
];
const isObject = (value) => !!value && typeof value === "object" && !Array.isArray(value);
function stringify(value) {
	const sorted = (_key, val) => {
		if (!isObject(val)) return val;
		return Object.fromEntries(
			Object.entries(val).sort(([ak, av], [bk, bv]) => {
				if (isObject(av) !== isObject(bv)) return isObject(av) ? 1 : -1;
				const ai = KEY_ORDER.indexOf(ak);
				const bi = KEY_ORDER.indexOf(bk);
				if (ai !== -1 || bi !== -1) return ai === -1 ? 1 : bi === -1 ? -1 : ai - bi;
				return ak.localeCompare(bk, "en");
			}),
		);
	};
	const indent = /^(\s+)"/m.exec(text)?.[1] ?? "\t";
	return `${JSON.stringify(value, sorted, indent)}\n`;
}

const absent = PLATFORM_PACKAGES.filter(
	(name) => !Object.keys(packages).some((location) => nameAt(location) === name),
);
if (absent.length > 0) {
	console.error(`package-lock.json has no entry for ${absent.join(", ")}`);
	process.exit(1);
}

let problems = findProblems();
if (fix && problems.length > 0) {
	const unfixable = [];
	for (const problem of problems) {
		// An earlier fix may already have placed it where this holder finds it.
		const found = lookupChain(problem.from, problem.name).find((location) => packages[location]);
		if (found && packages[found].version === problem.spec) continue;
		const made = entryFor(problem.from, problem.name, problem.spec);
		if (!made) {
			unfixable.push(`${problem.name}@${problem.spec} (the registry does not know it)`);
			continue;
		}
		const place = placeFor(problem.from, problem.name, made.sibling);
		packages[place] = made.entry;
		console.log(
			`added ${place} ${problem.spec}${made.exact ? "" : " (not served here: no integrity)"}`,
		);
	}
	lockfile.packages = packages;
	writeFileSync(lockfilePath, stringify(lockfile));
	for (const line of unfixable) console.error(`cannot add ${line}: add it by hand`);
	problems = findProblems();
}

if (problems.length > 0) {
	console.error("package-lock.json lacks optional platform packages, so `npm ci` refuses it:");
	for (const { from, name, spec, kind, found } of problems)
		console.error(
			`  ${kind}: ${name}@${spec}, optional dependency of ${from}${found ? ` (found ${packages[found].version} at ${found})` : ""}`,
		);
	console.error(
		"Run `node scripts/check-lockfile.mjs --fix`, or `npm install --package-lock-only` where the registry serves every platform's build.",
	);
	process.exit(1);
}
// Entries --fix made for builds this registry does not serve: npm installs them unverified.
const unverified = new Set(
	Object.entries(packages)
		.filter(([location, entry]) => location && !entry.link && !entry.integrity)
		.map(([location]) => nameAt(location)),
);
console.log(
	`package-lock.json lists every platform's optional packages${unverified.size ? ` (without integrity: ${[...unverified].join(", ")})` : ""}.`,
);

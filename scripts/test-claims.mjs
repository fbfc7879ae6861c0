#!/usr/bin/env node
// `npm run test:claims [-- <name filter>...]`: checks that the tests back the README's
// claims. For each mutation in test/claims.mjs it breaks the code in a scratch copy of the
// repository (never in the working tree), runs only the test files the claim names, and
// counts the mutation as caught when a test fails. Exits non-zero when a mutation survives,
// when a mutation's text is no longer found exactly once (so the list cannot rot when code
// is refactored), or when the named tests do not pass on the unmutated code.
import { spawn } from "node:child_process";
import {
	closeSync,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative, resolve, sep } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { claims } from "../test/claims.mjs";

const root = resolve(import.meta.dirname, "..");
/** Not copied into the scratch repository. node_modules is linked instead. */
const SKIPPED_TOP = new Set([
	"node_modules",
	".git",
	".wrangler",
	"test-results",
	"dist",
	"coverage",
]);
/** A whole test run that takes longer than this is stopped and reported as an error. */
const RUN_TIMEOUT_MS = 5 * 60_000;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
	console.log(`Usage: npm run test:claims [-- [--list] [name filter ...]]

Breaks the code in each way listed in test/claims.mjs, in a scratch copy of the
repository, and checks that the claim's tests fail. A filter runs the mutations
whose name contains it.`);
	process.exit(0);
}
const listOnly = args.includes("--list");
const filters = args.filter((arg) => !arg.startsWith("--"));

/** A claim's edits, whether it lists one replacement or several. */
const editsOf = (claim) => claim.edits ?? [{ file: claim.file, old: claim.old, new: claim.new }];

const occurrences = (text, part) => (part ? text.split(part).length - 1 : 0);

/** Every problem with the list itself: no test is run until the list is sound. */
function problemsWith(selected) {
	const problems = [];
	const names = new Set();
	for (const claim of claims) {
		if (names.has(claim.name)) problems.push(`${claim.name}: the name is used twice`);
		names.add(claim.name);
	}
	for (const claim of selected) {
		const where = claim.name || "(a claim without a name)";
		if (!claim.claim) problems.push(`${where}: says no claim (the README sentence it breaks)`);
		if (!Array.isArray(claim.tests) || claim.tests.length === 0) {
			problems.push(`${where}: names no test files`);
		}
		for (const test of claim.tests ?? []) {
			if (!existsSync(join(root, test))) problems.push(`${where}: no test file ${test}`);
		}
		const mutated = new Map();
		for (const edit of editsOf(claim)) {
			if (!edit.file || typeof edit.old !== "string" || typeof edit.new !== "string") {
				problems.push(`${where}: each edit needs file, old and new`);
				continue;
			}
			if (edit.old === edit.new) problems.push(`${where}: old and new are the same`);
			const path = join(root, edit.file);
			if (!existsSync(path)) {
				problems.push(`${where}: no file ${edit.file}`);
				continue;
			}
			const text = mutated.get(edit.file) ?? readFileSync(path, "utf8");
			const count = occurrences(text, edit.old);
			if (count !== 1) {
				problems.push(
					`${where}: ${JSON.stringify(edit.old)} occurs ${count} times in ${edit.file}, not once; update test/claims.mjs to the code as it is now`,
				);
				continue;
			}
			mutated.set(
				edit.file,
				text.replace(edit.old, () => edit.new),
			);
		}
	}
	return problems;
}

const selected = claims.filter(
	(claim) => filters.length === 0 || filters.some((filter) => claim.name?.includes(filter)),
);
if (selected.length === 0) {
	console.error(`No claim's name contains ${filters.map((f) => JSON.stringify(f)).join(" or ")}.`);
	process.exit(1);
}
if (listOnly) {
	for (const claim of selected) console.log(`${claim.name}: ${claim.tests.join(", ")}`);
	process.exit(0);
}
const problems = problemsWith(selected);
if (problems.length > 0) {
	console.error(`test/claims.mjs does not match the code:\n  ${problems.join("\n  ")}`);
	process.exit(1);
}

// One scratch repository for the whole run: each mutation is applied, tested and undone.
const base = mkdtempSync(join(tmpdir(), "test-claims-"));
const scratch = join(base, "repo");
const logs = join(base, "logs");
/** The Vitest run under way, if any: stopped with its workerd processes on the way out. */
let running;
const cleanUp = () => {
	if (running) stopGroup(running);
	rmSync(base, { recursive: true, force: true });
};
process.on("exit", cleanUp);
for (const signal of ["SIGINT", "SIGTERM"]) {
	process.on(signal, () => process.exit(130));
}
cpSync(root, scratch, {
	recursive: true,
	filter: (source) => {
		const path = relative(root, source);
		return !SKIPPED_TOP.has(path.split(sep)[0]) && basename(path) !== "node_modules";
	},
});
symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"), "dir");
mkdirSync(logs);

function stopGroup(proc) {
	try {
		process.kill(-proc.pid, "SIGKILL");
	} catch {
		// Already gone.
	}
}

/**
 * Runs the given test files in the scratch repository; resolves with what Vitest reported.
 * With `bail`, the run stops at the first failing test: one is enough to catch a mutation.
 */
function runTests(tests, label, { bail = false } = {}) {
	const report = join(logs, `${label}.json`);
	const log = join(logs, `${label}.log`);
	rmSync(report, { force: true });
	const out = openSync(log, "w");
	const started = performance.now();
	return new Promise((done) => {
		const child = spawn(
			process.execPath,
			[
				join(scratch, "node_modules/vitest/vitest.mjs"),
				"run",
				// Absolute paths: Vitest matches its file arguments as substrings.
				...tests.map((test) => join(scratch, test)),
				// The default reporter's output goes to the log, shown when a run goes wrong.
				"--reporter=default",
				"--reporter=json",
				`--outputFile.json=${report}`,
				`--fsModuleCachePath=${join(base, "vitest-cache")}`,
				"--cache=false",
				...(bail ? ["--bail=1"] : []),
			],
			{
				cwd: scratch,
				detached: true,
				stdio: ["ignore", out, out],
				env: { ...process.env, PWD: scratch, NO_COLOR: "1", FORCE_COLOR: "0" },
			},
		);
		let timedOut = false;
		const timer = setTimeout(() => {
			timedOut = true;
			stopGroup(child);
		}, RUN_TIMEOUT_MS);
		running = child;
		child.on("close", (code) => {
			running = undefined;
			clearTimeout(timer);
			closeSync(out);
			let result;
			try {
				result = JSON.parse(readFileSync(report, "utf8"));
			} catch {
				result = undefined;
			}
			const failed = (result?.testResults ?? []).flatMap((file) =>
				(file.assertionResults ?? [])
					.filter((test) => test.status === "failed")
					.map((test) => `${relative(scratch, file.name)} > ${test.fullName}`),
			);
			done({
				code,
				timedOut,
				seconds: (performance.now() - started) / 1000,
				total: result?.numTotalTests ?? 0,
				failed,
				log,
			});
		});
	});
}

const tail = (file, lines = 60) =>
	stripVTControlCharacters(readFileSync(file, "utf8"))
		.trimEnd()
		.split("\n")
		.slice(-lines)
		.join("\n");

const union = [...new Set(selected.flatMap((claim) => claim.tests))].sort();
const runStarted = performance.now();
console.log(
	`test:claims: ${selected.length} mutation${selected.length === 1 ? "" : "s"}; first the ${union.length} named test files on the unmutated code`,
);
const baseline = await runTests(union, "baseline");
if (baseline.code !== 0 || baseline.failed.length > 0 || baseline.total === 0) {
	console.error(tail(baseline.log));
	for (const test of baseline.failed) console.error(`failed: ${test}`);
	console.error(
		`\nThe named tests do not pass on the unmutated code (exit ${baseline.code}${baseline.timedOut ? ", timed out" : ""}), so no mutation can be judged.`,
	);
	process.exit(1);
}
console.log(`baseline: ${baseline.total} tests passed in ${baseline.seconds.toFixed(1)}s\n`);

const width = Math.max(...selected.map((claim) => claim.name.length));
const survivors = [];
const errors = [];
let caught = 0;
for (const [index, claim] of selected.entries()) {
	const originals = new Map();
	let result;
	try {
		for (const edit of editsOf(claim)) {
			const path = join(scratch, edit.file);
			if (!originals.has(path)) originals.set(path, readFileSync(path, "utf8"));
			writeFileSync(
				path,
				readFileSync(path, "utf8").replace(edit.old, () => edit.new),
			);
		}
		result = await runTests(claim.tests, `${index}-${claim.name}`, { bail: true });
	} finally {
		for (const [path, text] of originals) writeFileSync(path, text);
	}
	let verdict;
	let detail;
	if (result.code === 0) {
		verdict = "SURVIVED";
		detail = `${result.total} tests passed: ${claim.tests.join(", ")}`;
		survivors.push(claim);
	} else if (result.failed.length > 0) {
		verdict = "caught";
		detail = `by ${result.failed[0]}`;
		caught++;
	} else {
		verdict = "ERROR";
		detail = result.timedOut
			? `the run took over ${RUN_TIMEOUT_MS / 1000}s and was stopped`
			: `exit ${result.code} without a failing test (does the mutated code load?)`;
		errors.push(claim);
		console.log(tail(result.log, 30));
	}
	console.log(
		`${verdict.padEnd(8)} ${claim.name.padEnd(width)} ${result.seconds.toFixed(1).padStart(5)}s  ${detail}`,
	);
}

console.log(`\ntotal ${((performance.now() - runStarted) / 1000).toFixed(0)}s`);
for (const claim of survivors) {
	console.log(
		`SURVIVED: ${claim.name}: "${claim.claim}" is not backed by ${claim.tests.join(", ")}`,
	);
}
for (const claim of errors) console.log(`ERROR: ${claim.name}: see above`);
console.log(`claims: ${caught} of ${selected.length} mutations caught`);
process.exitCode = caught === selected.length ? 0 : 1;

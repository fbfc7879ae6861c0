// scripts/seed-feedback.mjs as a user calls it: usage on --help, a one-line error and exit
// code 2 for a bad argument (before anything is written), and a small seed that works.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT } from "./dev-server.ts";

function seed(...args: string[]) {
	const run = spawnSync(process.execPath, ["scripts/seed-feedback.mjs", ...args], {
		cwd: ROOT,
		encoding: "utf8",
		timeout: 60_000,
		env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
	});
	return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("--help prints the usage and exits 0", () => {
	for (const flag of ["--help", "-h"]) {
		const run = seed(flag);
		assert.equal(run.status, 0, run.stderr);
		assert.match(run.stdout, /^Usage: node scripts\/seed-feedback\.mjs \[options\]/);
		for (const option of ["--answers", "--days", "--persist-to", "--no-transcripts", "--seed"]) {
			assert.ok(run.stdout.includes(option), `the usage names ${option}`);
		}
		assert.equal(run.stderr, "");
	}
});

test("a bad argument is one line on stderr, exit code 2, and nothing written", async (t) => {
	const state = join(mkdtempSync(join(tmpdir(), "seed-args-")), "state");
	t.after(() => rmSync(join(state, ".."), { recursive: true, force: true }));
	const cases: [string[], RegExp][] = [
		[["--answers", "abc"], /--answers must be a whole number from 1 to 1000000, got "abc"/],
		[["--answers", "0"], /--answers must be a whole number/],
		[["--answers", "2.5"], /--answers must be a whole number/],
		[["--days", "-3"], /--days must be a whole number from 1 to 366, got "-3"/],
		[["--days=-3"], /--days must be a whole number from 1 to 366, got "-3"/],
		[["--days", "1e3"], /--days must be a whole number/],
		[["--seed", "-1"], /--seed must be a whole number from 0 to 4294967295/],
		[["--days"], /Option '--days <value>' argument missing/],
		[["--bogus"], /Unknown option '--bogus'/],
		[["extra"], /Unexpected argument 'extra'/],
	];
	for (const [args, message] of cases) {
		await t.test(args.join(" "), () => {
			const run = seed("--persist-to", state, ...args);
			assert.equal(run.status, 2, run.stderr);
			assert.equal(run.stdout, "");
			const lines = run.stderr.trimEnd().split("\n");
			assert.equal(lines.length, 1, `one line, no stack trace:\n${run.stderr}`);
			assert.match(lines[0] ?? "", /^seed-feedback: /);
			assert.match(lines[0] ?? "", message);
			assert.match(lines[0] ?? "", /Run with --help for the options\.$/);
			assert.ok(!existsSync(state), "nothing is written to the store");
		});
	}
});

test("a small seed with valid arguments still works", (t) => {
	const state = mkdtempSync(join(tmpdir(), "seed-ok-"));
	t.after(() => rmSync(state, { recursive: true, force: true }));
	const run = seed("--answers", "20", "--days", "2", "--seed", "7", "--persist-to", state);
	assert.equal(run.status, 0, run.stderr);
	assert.match(run.stdout, /Seeded 20 answers, \d+ votes and \d+ judge verdicts into /);
});

/** scripts/bench-feedback-store.mjs as a user calls it: usage on --help, one line for a bad argument. */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

const run = (...args: string[]) => {
	const result = spawnSync(process.execPath, ["scripts/bench-feedback-store.mjs", ...args], {
		cwd: root,
		encoding: "utf8",
		timeout: 30_000,
	});
	return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe("scripts/bench-feedback-store.mjs", () => {
	it("prints its usage on --help and -h, exit code 0, before anything starts", () => {
		for (const flag of ["--help", "-h"]) {
			const { status, stdout, stderr } = run(flag);
			expect(stderr).toBe("");
			expect(status).toBe(0);
			expect(stdout).toMatch(/^Usage: node scripts\/bench-feedback-store\.mjs \[options\]/);
			for (const option of ["--answers", "--sizes", "--no-write"]) expect(stdout).toContain(option);
			expect(stdout).not.toContain("[store bench]");
		}
	}, 60_000);

	it("says what is wrong with a bad argument in one line, exit code 2, no stack trace", () => {
		const cases: [string[], RegExp][] = [
			[["--bogus"], /Unknown option '--bogus'/],
			[["--answers", "many"], /--answers must be a whole number from 1 to 1000000, got "many"/],
			[["--sizes", "1000,lots"], /--sizes must be whole numbers/],
		];
		for (const [args, message] of cases) {
			const { status, stdout, stderr } = run(...args);
			expect(status, args.join(" ")).toBe(2);
			expect(stdout).toBe("");
			const lines = stderr.trimEnd().split("\n");
			expect(lines, stderr).toHaveLength(1);
			expect(lines[0]).toMatch(/^bench-feedback-store: /);
			expect(lines[0]).toMatch(message);
		}
	}, 60_000);
});

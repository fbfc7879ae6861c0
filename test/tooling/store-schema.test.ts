/**
 * scripts/check-store-schema.mjs (in `npm run check`): the feedback store's columns, as
 * migrations/ leaves them, are the ones its declarations write, no more and no fewer.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const script = join(root, "scripts/check-store-schema.mjs");

const check = (args: string[] = []) => {
	const run = spawnSync(process.execPath, [script, ...args], {
		cwd: root,
		encoding: "utf8",
		timeout: 30_000,
	});
	return { status: run.status, output: run.stdout + run.stderr };
};

let scratch: string | undefined;
/** A copy of migrations/, to add or take away a migration. */
function migrationsCopy(): string {
	scratch = mkdtempSync(join(tmpdir(), "store-schema-"));
	cpSync(join(root, "migrations"), scratch, { recursive: true });
	return scratch;
}
afterEach(() => {
	if (scratch) rmSync(scratch, { recursive: true, force: true });
	scratch = undefined;
});

// Each run bundles the declarations with esbuild: seconds on a busy machine.
describe("scripts/check-store-schema.mjs", { timeout: 60_000 }, () => {
	it("finds this repository's migrations and declarations in agreement", () => {
		const { status, output } = check();
		expect(output).toContain("match their declarations");
		expect(status).toBe(0);
	});

	it("fails on a column a migration adds that no field declares", () => {
		const dir = migrationsCopy();
		writeFileSync(join(dir, "0099_undeclared.sql"), "ALTER TABLE votes ADD COLUMN mood TEXT;");
		const { status, output } = check(["--migrations", dir]);
		expect(output).toContain("votes.mood: a migration adds this column, but no field declares it");
		expect(status).toBe(1);
	});

	it("fails on a declared field no migration gave a column", () => {
		const dir = migrationsCopy();
		rmSync(join(dir, "0004_transcripts_in_r2.sql"));
		const { status, output } = check(["--migrations", dir]);
		expect(output).toContain("answers.transcript_key: declared, but no migration adds this column");
		expect(status).toBe(1);
	});
});

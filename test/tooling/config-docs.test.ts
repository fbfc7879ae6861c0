/** `npm run check` refuses a numeric var in wrangler.jsonc that the Worker could not use. */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const script = join(root, "scripts/check-config-docs.mjs");
const FILES = [
	"wrangler.jsonc",
	"README.md",
	".dev.vars.example",
	"src/env.d.ts",
	"package.json",
	".nvmrc",
	".ci/run",
	"docs/deploy.md",
];

const check = (dir: string) => {
	const run = spawnSync(process.execPath, [script, "--root", dir], { encoding: "utf8" });
	return { status: run.status, output: run.stdout + run.stderr };
};

let copy = "";
afterEach(() => {
	if (copy) rmSync(copy, { recursive: true, force: true });
	copy = "";
});

/** A copy of the files the script reads, with wrangler.jsonc's `name` var set to `value`. */
function repositoryWith(name: string, value: string) {
	copy = mkdtempSync(join(tmpdir(), "config-docs-"));
	for (const file of FILES) {
		mkdirSync(dirname(join(copy, file)), { recursive: true });
		copyFileSync(join(root, file), join(copy, file));
	}
	const wrangler = readFileSync(join(copy, "wrangler.jsonc"), "utf8");
	const setting = new RegExp(`"${name}": "[^"]*"`);
	expect(wrangler).toMatch(setting);
	writeFileSync(join(copy, "wrangler.jsonc"), wrangler.replace(setting, `"${name}": "${value}"`));
	return copy;
}

// Each run loads wrangler (seconds on a busy machine): a generous limit, not a clock.
describe("scripts/check-config-docs.mjs", { timeout: 120_000 }, () => {
	it("accepts the repository's own numeric vars", () => {
		const { status, output } = check(repositoryWith("RETENTION_DAYS", "90"));
		expect(output).toContain("matches the configuration");
		expect(status).toBe(0);
	});

	it.each([
		["RETENTION_DAYS", "ninety"],
		["AI_TIMEOUT_MS", "0"],
		["FEEDBACK_RETRY_BASE_MS", "-2000"],
		["STORE_MAX_MB", "450 MB"],
	])("refuses %s = %j, naming the setting and the rule", (name, value) => {
		const { status, output } = check(repositoryWith(name, value));
		expect(output).toContain(
			`${name} is "${value}" in wrangler.jsonc: it must be a positive number, written in digits (e.g. 90)`,
		);
		expect(status).toBe(1);
	});
});

/**
 * scripts/openapi.mjs (npm run openapi; `--check` in npm run check): public/openapi.json and
 * the typed client's types are what the routes' declarations give, and a declaration changed
 * without rebuilding them fails the check.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const script = join(root, "scripts/openapi.mjs");

const check = (dir = root) => {
	const run = spawnSync(process.execPath, [script, "--check", "--root", dir], {
		cwd: root,
		encoding: "utf8",
		timeout: 120_000,
	});
	return { status: run.status, output: run.stdout + run.stderr };
};

let scratch: string | undefined;
/** A copy of what the script reads and writes: src/, public/openapi.json, client/. */
function repositoryCopy(): string {
	scratch = mkdtempSync(join(tmpdir(), "openapi-"));
	for (const path of ["src", "client", "public/openapi.json", "package.json"]) {
		cpSync(join(root, path), join(scratch, path), { recursive: true });
	}
	symlinkSync(join(root, "node_modules"), join(scratch, "node_modules"));
	return scratch;
}
afterEach(() => {
	if (scratch) rmSync(scratch, { recursive: true, force: true });
	scratch = undefined;
});

describe("the OpenAPI document's check", () => {
	it("passes while the document and the client's types are what the declarations give", () => {
		const { status, output } = check();
		expect(output).toMatch(/openapi: \d+ operations, up to date/);
		expect(status).toBe(0);
	}, 120_000);

	it("fails once a route's declaration changes and the document is not rebuilt", () => {
		const copy = repositoryCopy();
		const declaration = join(copy, "src/api/feedback/openapi.ts");
		const text = readFileSync(declaration, "utf8");
		const trimmed = text.replace(
			`"feedback_disabled",\n\t\t\t\t"invalid_request",`,
			`"invalid_request",`,
		);
		expect(trimmed).not.toBe(text);
		writeFileSync(declaration, trimmed);
		const { status, output } = check(copy);
		expect(output).toContain("public/openapi.json");
		expect(output).toContain("run npm run openapi");
		expect(status).toBe(1);
	}, 120_000);
});

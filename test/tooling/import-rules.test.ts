/** The layers of src/ keep their import rules (.dependency-cruiser.cjs, docs/architecture.md). */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");

describe("the import rules of src/", () => {
	it("hold: no import circle, and no layer imports one above it or beside it", () => {
		const run = spawnSync(process.execPath, ["scripts/check-layers.mjs"], {
			cwd: root,
			encoding: "utf8",
			timeout: 60_000,
		});
		expect(run.stdout + run.stderr).toContain("no dependency violations found");
		expect(run.status).toBe(0);
	});
});

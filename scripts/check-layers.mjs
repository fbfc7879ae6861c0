#!/usr/bin/env node
// `npm run check:layers`: the import rules of src/ (.dependency-cruiser.cjs), checked by
// dependency-cruiser. It reads TypeScript through the compiler API, which TypeScript 7 no
// longer ships: scripts/depcruise-typescript.mjs hands it TypeScript 6 (docs/testing.md).
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const { status } = spawnSync(
	process.execPath,
	[
		"--import",
		resolve(root, "scripts/depcruise-typescript.mjs"),
		resolve(root, "node_modules/dependency-cruiser/bin/dependency-cruiser.mjs"),
		"src",
		"--config",
		".dependency-cruiser.cjs",
		"--output-type",
		"err",
		...process.argv.slice(2),
	],
	{ cwd: root, stdio: "inherit" },
);
process.exit(status ?? 1);

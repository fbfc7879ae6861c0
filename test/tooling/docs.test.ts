/** The README's Project layout and docs/architecture.md's file list name the tree as it is. */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterEach, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const script = join(root, "scripts/check-layout-docs.mjs");

const check = (cwd: string, args: string[] = []) => {
	const run = spawnSync(process.execPath, [script, ...args], {
		cwd,
		encoding: "utf8",
		timeout: 30_000,
	});
	return { status: run.status, output: run.stdout + run.stderr };
};

describe("scripts/check-layout-docs.mjs on this repository", () => {
	it("finds the README's layout and architecture.md's file list in line with the tree", () => {
		const { status, output } = check(root);
		expect(output).toContain("names every top-level entry and every folder of src/");
		expect(status).toBe(0);
	});
});

// A small repository of its own, outside git: the script reads the files on disk then.
const README = `# Fixture

## Project layout

\`\`\`text
.
├── .gitignore
├── README.md
├── docs/
│   └── architecture.md          the file list
├── package.json
└── src/
    ├── api/
    │   └── chat/                POST /api/chat
    ├── core/                    rules
    └── index.ts
\`\`\`

## Next
`;

const ARCHITECTURE = `# Architecture

## Files

| File | Owns |
|---|---|
| \`src/api/chat/route.ts\` | The chat route. |
| \`src/core/rules.ts\` | The rules. |
| \`src/index.ts\` | The app. |

## After
`;

const FILES: Record<string, string> = {
	".gitignore": "node_modules/\n",
	"README.md": README,
	"docs/architecture.md": ARCHITECTURE,
	"package.json": "{}\n",
	"src/api/chat/route.ts": "",
	"src/core/rules.ts": "",
	"src/index.ts": "",
	// Ignored by .gitignore: not part of the tree.
	"node_modules/some-package/index.js": "",
};

let fixture: string | undefined;

function makeFixture(extra: Record<string, string> = {}, without: string[] = []): string {
	fixture = mkdtempSync(join(tmpdir(), "layout-docs-"));
	for (const [file, text] of Object.entries({ ...FILES, ...extra })) {
		if (without.includes(file)) continue;
		mkdirSync(dirname(join(fixture, file)), { recursive: true });
		writeFileSync(join(fixture, file), text);
	}
	return fixture;
}

afterEach(() => {
	if (fixture) rmSync(fixture, { recursive: true, force: true });
	fixture = undefined;
});

describe("scripts/check-layout-docs.mjs on a tree that disagrees", () => {
	it("passes a tree its docs name exactly", () => {
		const { status, output } = check(root, ["--root", makeFixture()]);
		expect(output).toContain("names the 3 files of src/");
		expect(status).toBe(0);
	});

	it("names a top-level entry, a folder of src/ and files of src/ the docs leave out", () => {
		const dir = makeFixture({ "stray.txt": "", "src/core/more.ts": "", "src/http/auth.ts": "" });
		const { status, output } = check(root, ["--root", dir]);
		expect(output).toContain("Project layout does not name stray.txt");
		expect(output).toContain("Project layout does not name the folder src/http/");
		expect(output).toContain("file list does not name src/core/more.ts");
		expect(output).toContain("file list does not name src/http/auth.ts");
		expect(status).toBe(1);
	});

	it("names what the docs list but the tree no longer has", () => {
		const dir = makeFixture({}, ["package.json", "src/core/rules.ts"]);
		const { status, output } = check(root, ["--root", dir]);
		expect(output).toContain("Project layout names package.json, which is not in the tree");
		expect(output).toContain("names src/core/rules.ts, which is not in src/");
		// src/core/ went with its one file: the layout's line for it names nothing now.
		expect(output).toContain("Project layout names src/core, which is not in the tree");
		expect(status).toBe(1);
	});
});

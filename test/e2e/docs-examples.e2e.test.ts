// The examples of README.md, docs/api.md and docs/deploy.md run as pasted against
// `npm run dev`: each fenced `sh` block in a bash (a file's blocks in order, sharing the shell
// variables they set, in a folder that stands for the project's, with its `.dev.vars`), each
// `ts` block as a Node module. Every request must succeed (curl's --fail-with-body), and the
// statuses a block documents (`# 202 {...}`) must be the ones its requests got, in order.
// The only change made to a block is its address: the dev server's port is the system's pick,
// not 8787. A block that cannot run here says so in its info string, and is listed as skipped.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { type DevServer, ROOT, startDevServer } from "./dev-server.ts";

const DOCS = ["README.md", "docs/api.md", "docs/deploy.md"];
const DOCUMENTED_ADDRESS = "http://localhost:8787";
/** The info-string markers of blocks that are not run, and why (docs/testing.md lists them). */
const SKIP_MARKERS: Record<string, string> = {
	setup: "installs, starts or tests the project itself",
	deploy: "needs a Cloudflare account, a deployed Worker or a provider's keys",
};
const SHELL = new Set(["sh", "bash", "shell"]);
const SCRIPT = new Set(["ts", "js", "mts", "mjs"]);

interface Block {
	where: string;
	language: string;
	marker: string | undefined;
	code: string;
}

function blocksOf(file: string): Block[] {
	const blocks: Block[] = [];
	let open: { line: number; info: string; code: string[] } | undefined;
	for (const [index, line] of readFileSync(join(ROOT, file), "utf8").split("\n").entries()) {
		const fence = /^```(.*)$/.exec(line);
		if (!fence) {
			open?.code.push(line);
		} else if (open) {
			const [language = "", marker, ...rest] = open.info.trim().split(/\s+/);
			assert.deepEqual(rest, [], `${file}:${open.line}: one marker at most`);
			blocks.push({ where: `${file}:${open.line}`, language, marker, code: open.code.join("\n") });
			open = undefined;
		} else {
			open = { line: index + 1, info: fence[1] ?? "", code: [] };
		}
	}
	return blocks.filter((block) => SHELL.has(block.language) || SCRIPT.has(block.language));
}

const run = promisify(execFile);
let server: DevServer;
before(async () => {
	server = await startDevServer();
});
after(async () => {
	await server?.stop();
});

/** The environment of a pasted example: none of the variables the docs tell the reader to set. */
function cleanEnv(): NodeJS.ProcessEnv {
	const env = { ...process.env };
	for (const name of ["API_KEY", "DEBUG_TOKEN", "ADMIN_TOKEN", "LOG_ID", "FEEDBACK_TOKEN"]) {
		delete env[name];
	}
	return env;
}

for (const file of DOCS) {
	test(`the examples of ${file} run against npm run dev`, async (t) => {
		const blocks = blocksOf(file);
		// The project's folder, as far as the examples can tell: its .dev.vars and node_modules.
		const folder = mkdtempSync(join(tmpdir(), "docs-examples-"));
		t.after(() => rmSync(folder, { recursive: true, force: true }));
		symlinkSync(join(ROOT, ".dev.vars"), join(folder, ".dev.vars"));
		symlinkSync(join(ROOT, "node_modules"), join(folder, "node_modules"));
		const shellVariables = new Set<string>();
		let ran = 0;
		for (const [index, block] of blocks.entries()) {
			if (block.marker !== undefined) {
				const reason = SKIP_MARKERS[block.marker];
				assert.ok(reason, `${block.where}: unknown marker "${block.marker}"`);
				t.diagnostic(`skipped ${block.where} (${block.language} ${block.marker}: ${reason})`);
				continue;
			}
			assert.ok(
				block.code.includes(DOCUMENTED_ADDRESS) || !/https?:\/\//.test(block.code),
				`${block.where}: an example reaches ${DOCUMENTED_ADDRESS}, or is marked`,
			);
			const code = block.code.replaceAll(DOCUMENTED_ADDRESS, server.url);
			ran += 1;
			await t.test(block.where, async () => {
				if (SHELL.has(block.language)) {
					const assigned = [...block.code.matchAll(/^\s*(?:export\s+)?([A-Za-z_]\w*)=/gm)].map(
						(match) => match[1],
					);
					for (const name of assigned) if (name) shellVariables.add(name);
					const script = [
						"set -eo pipefail",
						// Each request's status on stderr; a 4xx or 5xx fails the block.
						`curl() { command curl --fail-with-body -w '%{stderr}HTTP %{http_code}\\n' "$@"; }`,
						"if [ -f .variables ]; then source .variables; fi",
						code,
						// What a block sets, the later ones use: never empty.
						...assigned.map(
							(name) => `[ -n "$${name}" ] || { echo "${name} is empty" >&2; exit 1; }`,
						),
						shellVariables.size > 0
							? `declare -p ${[...shellVariables].join(" ")} > .variables`
							: "",
					].join("\n");
					const { stdout, stderr } = await run("bash", ["-c", script], {
						cwd: folder,
						env: cleanEnv(),
						timeout: 60_000,
					}).catch((error) =>
						assert.fail(`${block.where} failed:\n${error.stderr}${error.stdout}`),
					);
					const got = [...stderr.matchAll(/^HTTP (\d{3})$/gm)].map((match) => match[1]);
					if (block.code.includes("curl")) {
						assert.ok(got.length > 0, `${block.where} made no request:\n${stdout}`);
					}
					const documented = [...block.code.matchAll(/^# (\d{3})\b/gm)].map((match) => match[1]);
					const left = [...got];
					for (const status of documented) {
						const at = left.indexOf(status);
						assert.ok(at >= 0, `${block.where}: documented ${status}, got ${got.join(", ")}`);
						left.splice(0, at + 1);
					}
				} else {
					const module = join(folder, `example-${index}.mts`);
					writeFileSync(module, code);
					const { stdout } = await run(process.execPath, [module], {
						cwd: folder,
						env: cleanEnv(),
						timeout: 60_000,
					}).catch((error) =>
						assert.fail(`${block.where} failed:\n${error.stderr}${error.stdout}`),
					);
					assert.notEqual(stdout.trim(), "", `${block.where} printed nothing`);
				}
			});
		}
		t.diagnostic(`${ran} of ${blocks.length} examples run`);
		// Guards the extractor: the files' examples are found, not silently none.
		if (file !== "docs/deploy.md") assert.ok(ran >= 2, `${file}: ${ran} examples run`);
	});
}

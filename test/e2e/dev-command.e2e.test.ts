// `npm run dev` as a process: it asks nothing of the network, and it ends as a whole on a
// signal (npm, scripts/dev.mjs, wrangler and workerd), the port free again.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
	cpSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { ROOT, startDevServer } from "./dev-server.ts";

/**
 * The processes still running in the group led by `pid`, with their command lines. Zombies
 * (ended, not yet reaped by whoever inherited them) hold no port and are left out, on Linux.
 */
function runningInGroup(pid: number): string[] {
	if (!existsSync("/proc/self/stat")) {
		try {
			process.kill(-pid, 0);
			return [`process group ${pid}`];
		} catch {
			return [];
		}
	}
	return readdirSync("/proc")
		.filter((entry) => /^\d+$/.test(entry))
		.flatMap((entry) => {
			try {
				const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
				const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
				if (Number(group) !== pid || state === "Z") return [];
				const command = readFileSync(`/proc/${entry}/cmdline`, "utf8").replaceAll("\0", " ");
				return [`${entry} ${command.slice(0, 120)}`];
			} catch {
				return []; // Ended while being read.
			}
		});
}

async function refused(url: string): Promise<boolean> {
	try {
		await fetch(url, { signal: AbortSignal.timeout(1000) }).then((res) => res.body?.cancel());
		return false;
	} catch {
		return true;
	}
}

test("npm run dev does not fetch the runtime's Request.cf from workers.cloudflare.com", async (t) => {
	// Where miniflare keeps the Request.cf it fetched: empty, so a fetch would have to happen.
	const cache = mkdtempSync(join(tmpdir(), "miniflare-cache-"));
	t.after(() => rmSync(cache, { recursive: true, force: true }));
	const server = await startDevServer(undefined, { env: { MINIFLARE_CACHE_DIR: cache } });
	t.after(() => server.stop());
	// Asked for, the Request.cf is in place by the first answer; offline, its failure is printed.
	await fetch(`${server.url}/api/models`).then((res) => res.body?.cancel());
	assert.doesNotMatch(server.output(), /Request\.cf|workers\.cloudflare\.com/);
	assert.deepEqual(readdirSync(cache), [], "no Request.cf fetched and cached");
});

// npm passes its SIGTERM only to the `sh -c` it runs the script in.
test("SIGTERM to npm ends everything `npm run dev` started and frees the port", async (t) => {
	const server = await startDevServer();
	t.after(() => server.stop());
	assert.equal(await refused(server.url), false, "the dev server answers before the signal");
	assert.ok(runningInGroup(server.pid).length >= 4, "npm, sh, dev.mjs, wrangler, workerd run");
	const sent = Date.now();
	process.kill(server.pid, "SIGTERM");
	const deadline = sent + 5000;
	while (runningInGroup(server.pid).length > 0 || !(await refused(server.url))) {
		if (Date.now() > deadline) break;
		await new Promise((done) => setTimeout(done, 100));
	}
	const left = runningInGroup(server.pid);
	assert.deepEqual(left, [], "processes of `npm run dev` left 5 s after SIGTERM");
	assert.ok(await refused(server.url), `${server.url} still answers 5 s after SIGTERM`);
	t.diagnostic(`everything ended ${Date.now() - sent} ms after SIGTERM`);
});

/** A `node` on this machine older than package.json's `engines.node` minimum, if there is one. */
function olderNode(): { path: string; version: string } | undefined {
	const [major = 0, minor = 0] = (
		/(\d+)\.(\d+)/.exec(
			JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).engines.node,
		) ?? []
	)
		.slice(1)
		.map(Number);
	const candidates = new Set(
		[...(process.env.PATH ?? "").split(":"), "/usr/local/bin", "/usr/bin", "/bin"].map((dir) =>
			join(dir, "node"),
		),
	);
	for (const path of candidates) {
		if (!existsSync(path)) continue;
		const run = spawnSync(path, ["-p", "process.versions.node"], { encoding: "utf8" });
		const [a = 0, b = 0] = run.stdout.trim().split(".").map(Number);
		if (run.status === 0 && (a < major || (a === major && b < minor))) {
			return { path, version: run.stdout.trim() };
		}
	}
	return undefined;
}

test("on a Node older than engines.node, npm run dev says in one line what to install and writes nothing", (t) => {
	const old = olderNode();
	if (!old) {
		t.skip("no Node older than package.json's engines.node on this machine");
		return;
	}
	// A fresh clone: the project's files and its node_modules, no .dev.vars, no .wrangler/.
	const clone = mkdtempSync(join(tmpdir(), "fresh-clone-"));
	t.after(() => rmSync(clone, { recursive: true, force: true }));
	for (const entry of [
		"package.json",
		".nvmrc",
		"scripts",
		"wrangler.jsonc",
		"migrations",
		"emulator",
	]) {
		cpSync(join(ROOT, entry), join(clone, entry), { recursive: true });
	}
	symlinkSync(join(ROOT, "node_modules"), join(clone, "node_modules"));
	const run = spawnSync(old.path, ["scripts/dev.mjs"], {
		cwd: clone,
		encoding: "utf8",
		timeout: 60_000,
		// That Node first on PATH, as on a machine where it is the default `node`.
		env: {
			...process.env,
			PATH: `${dirname(old.path)}:${process.env.PATH}`,
			WRANGLER_SEND_METRICS: "false",
		},
	});
	t.diagnostic(`node ${old.version} (${old.path}): ${run.stderr.trim()}`);
	assert.notEqual(run.status, 0, "a non-zero exit code");
	const lines = `${run.stdout}${run.stderr}`.trimEnd().split("\n");
	assert.equal(lines.length, 1, `one line, no stack trace:\n${run.stdout}${run.stderr}`);
	assert.match(
		lines[0] ?? "",
		new RegExp(`Node 22\\.12 or newer.*${old.version.replaceAll(".", "\\.")}`),
	);
	assert.match(lines[0] ?? "", /nvm install/);
	assert.ok(!existsSync(join(clone, ".dev.vars")), "no .dev.vars written");
	assert.ok(!existsSync(join(clone, ".wrangler")), "no .wrangler/ written");
});

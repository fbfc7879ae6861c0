// `npm run dev` as a process: it asks nothing of the network, and it ends as a whole on a
// signal (npm, scripts/dev.mjs, wrangler and workerd), the port free again.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startDevServer } from "./dev-server.ts";

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

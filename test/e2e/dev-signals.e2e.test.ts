// `npm run dev` ends as a whole on a signal: npm, scripts/dev.mjs, wrangler and workerd,
// and the port is free again. npm passes its SIGTERM only to the `sh -c` it runs the script in.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
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

// The Worker's start-up CPU, from `wrangler check startup`'s CPU profile: read by
// check-bundle.mjs (`npm run check`, one run, printed beside the bundle size) and by bench.mjs
// (`npm run bench`, the median of several runs, judged against MAX_STARTUP_MS).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const wrangler = resolve(root, "node_modules/.bin/wrangler");

/**
 * One `wrangler check startup` run: its profile's busy samples (`sampled`) and wrangler's
 * "Active" figure, in ms. `workerBundle` is the output of `wrangler deploy --outfile`, so
 * that a caller that has just built the Worker does not build it again.
 *
 * @param {{ workerBundle?: string }} [options]
 * @returns {{ sampled: number, active: number }}
 */
export function measureStartup({ workerBundle } = {}) {
	const dir = mkdtempSync(join(os.tmpdir(), "startup-"));
	const profile = join(dir, "startup.cpuprofile");
	try {
		const out = execFileSync(
			wrangler,
			[
				"check",
				"startup",
				"--outfile",
				profile,
				...(workerBundle ? ["--worker", workerBundle] : []),
			],
			{ cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
		);
		return {
			active: Number(/Active: ([\d.]+) ms/.exec(out)?.[1]),
			sampled: sampledCpu(JSON.parse(readFileSync(profile, "utf8"))),
		};
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * CPU the profile's samples put in the Worker: busy samples times the sampling
 * interval. wrangler's "Active" also counts the gap before the profiler's first
 * sample (often about 11 ms), whatever was running then.
 */
export function sampledCpu(profile) {
	const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
	const deltas = profile.timeDeltas.filter((delta) => delta < 5000).sort((a, b) => a - b);
	const interval = (deltas[Math.floor(deltas.length / 2)] ?? 1000) / 1000;
	const busy = profile.samples.filter((id) => !["(idle)", "(root)"].includes(names.get(id))).length;
	return Math.round(busy * interval * 10) / 10;
}

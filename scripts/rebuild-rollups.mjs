#!/usr/bin/env node
// Rebuilds the feedback store's rollups (migrations/0003_rollups.sql) from its rows: the
// statements of REBUILD_ROLLUPS in src/store/rollups.ts, sent as one batch with
// `wrangler d1 execute`. The triggers keep the rollups current; this is for a database
// whose rows were written or changed around them (a bulk import, a hand-made fix).
//
//   npm run store:rebuild-rollups -- --local [--persist-to .wrangler/state]
//   npm run store:rebuild-rollups -- --remote
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { REBUILD_ROLLUPS } from "../src/store/rollups.ts";
import { wranglerBin } from "./d1-local.mjs";
import { root } from "./local-config.mjs";

/** Rebuilds the rollups of the local D1 under `persistTo`, or of the deployed one. */
export function rebuildRollups({ remote = false, persistTo = resolve(root, ".wrangler/state") }) {
	execFileSync(
		wranglerBin,
		[
			"d1",
			"execute",
			"FEEDBACK_DB",
			...(remote ? ["--remote"] : ["--local", "--persist-to", persistTo]),
			"--command",
			REBUILD_ROLLUPS.map((sql) => `${sql};`).join("\n"),
			"--yes",
		],
		{
			cwd: root,
			stdio: ["ignore", "ignore", "inherit"],
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
		},
	);
}

async function main() {
	const { values } = parseArgs({
		options: {
			local: { type: "boolean", default: false },
			remote: { type: "boolean", default: false },
			"persist-to": { type: "string" },
		},
	});
	if (values.local === values.remote) {
		console.error("Say where: --local (the D1 of npm run dev) or --remote (the deployed one).");
		process.exit(2);
	}
	const started = Date.now();
	const persistTo = values["persist-to"] && resolve(values["persist-to"]);
	rebuildRollups({ remote: values.remote, persistTo });
	console.log(
		`Rollups rebuilt from the rows (${values.remote ? "remote" : "local"}) in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
	);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

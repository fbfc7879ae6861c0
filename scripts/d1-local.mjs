// The feedback store's schema on the local D1 (FEEDBACK_DB): `wrangler d1 migrations apply
// --local` on the persist directory `wrangler dev` will use. Used by `npm run dev` and
// scripts/seed-feedback.mjs. A stamp in that directory lists the migrations applied, so a
// restart with nothing new skips the extra wrangler run (a few seconds).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { root } from "./local-config.mjs";

export const wranglerBin = resolve(root, "node_modules/.bin/wrangler");

/** The persist directory of `wrangler dev` arguments (`--persist-to X` or `--persist-to=X`). */
export function persistDirOf(args, fallback = resolve(root, ".wrangler/state")) {
	for (const [i, arg] of args.entries()) {
		if (arg === "--persist-to" && args[i + 1]) return resolve(args[i + 1]);
		if (arg.startsWith("--persist-to=")) return resolve(arg.slice("--persist-to=".length));
	}
	return fallback;
}

export function applyLocalMigrations(persistTo) {
	const migrations = readdirSync(resolve(root, "migrations"))
		.filter((file) => file.endsWith(".sql"))
		.sort()
		.join("\n");
	const stamp = resolve(persistTo, "feedback-db-migrations.txt");
	const applied =
		existsSync(resolve(persistTo, "v3/d1")) && existsSync(stamp) && readFileSync(stamp, "utf8");
	if (applied === migrations) return;
	mkdirSync(persistTo, { recursive: true });
	execFileSync(
		wranglerBin,
		["d1", "migrations", "apply", "FEEDBACK_DB", "--local", "--persist-to", persistTo],
		{
			cwd: root,
			stdio: ["ignore", "ignore", "inherit"],
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
		},
	);
	writeFileSync(stamp, migrations);
	console.log(`Feedback store: migrations applied to the local D1 in ${persistTo}.`);
}

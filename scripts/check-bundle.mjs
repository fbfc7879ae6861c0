#!/usr/bin/env node
// Builds the production Worker exactly as `wrangler deploy` would (dry run), then checks
// that none of the local emulator's code is in it and that it stays within its size budget,
// and prints its start-up CPU from one run (no verdict: one run is noisy; `npm run bench`
// judges the median of several against MAX_STARTUP_MS).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { experimental_readRawConfig } from "wrangler";
import { MAX_GZIP_KIB, MAX_STARTUP_MS } from "./budgets.mjs";
import { measureStartup } from "./startup-cpu.mjs";

const root = resolve(import.meta.dirname, "..");
const outdir = mkdtempSync(join(tmpdir(), "worker-bundle-"));
// Strings that exist only in emulator/: if one is in the bundle, emulator code shipped.
const EMULATOR_MARKERS = [
	"[emulated]",
	"emulated-account",
	"emulated failure",
	"EmulatorHost",
	"workers-binding.ai/ai-gateway",
];

// Words only the OpenAPI declarations hold: core/errors.ts's ERROR_CODES (which the Worker
// never reads, so the bundler must drop it) and a surface's openapi.ts (never imported).
const DOCUMENTATION_MARKERS = [
	"A fault of the Worker: it is logged; retry later.",
	"Answer a conversation",
	"How vote delivery stands",
];

// The deployed configuration must never route the AI binding, nor Turnstile's Siteverify, to
// the emulator: both dev-only bindings exist only in `npm run dev`'s and the tests' config.
const { rawConfig } = experimental_readRawConfig({ config: resolve(root, "wrangler.jsonc") });
const emulatorBindings = JSON.stringify(rawConfig).match(
	/AI_EMULATOR|TURNSTILE_EMULATOR|ACCESS_EMULATOR|ai-gateway-emulator/g,
);
if (emulatorBindings) {
	console.error(`wrangler.jsonc must not bind the emulator (found ${emulatorBindings.join(", ")})`);
	process.exit(1);
}

// Votes must be retried for at least 3 minutes before they are given up.
const retryWindowMs = Number(rawConfig.vars?.FEEDBACK_RETRY_WINDOW_MS);
if (!(retryWindowMs >= 180_000)) {
	console.error(
		`FEEDBACK_RETRY_WINDOW_MS in wrangler.jsonc must be at least 180000, not ${rawConfig.vars?.FEEDBACK_RETRY_WINDOW_MS}`,
	);
	process.exit(1);
}

try {
	const output = execFileSync(
		resolve(root, "node_modules/.bin/wrangler"),
		["deploy", "--dry-run", "--outdir", outdir, "--outfile", join(outdir, "worker.bundle")],
		{ cwd: root, encoding: "utf8", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
	);
	const modules = readdirSync(outdir).filter((file) => file.endsWith(".js"));
	const code = modules.map((file) => readFileSync(join(outdir, file), "utf8")).join("\n");
	const shipped = EMULATOR_MARKERS.filter((marker) => code.includes(marker));
	const bytes = Buffer.byteLength(code);
	const gzipped = gzipSync(code, { level: 9 }).byteLength;
	const upload = /Total Upload: .*/.exec(output)?.[0] ?? "";
	console.log(
		`Production bundle: ${modules.join(", ")}, ${(bytes / 1024).toFixed(2)} KiB, ${(gzipped / 1024).toFixed(2)} KiB gzipped (wrangler: ${upload})`,
	);
	// The bundle just built, not a second build.
	const startup = measureStartup({ workerBundle: join(outdir, "worker.bundle") });
	console.log(
		`Start-up CPU, one run: ${startup.sampled} ms in the profile's busy samples (wrangler "Active": ${startup.active} ms); the budget, ${MAX_STARTUP_MS} ms, is judged by \`npm run bench -- --startup\` on the median of 7.`,
	);
	const wranglerGzipKib = Number(/gzip: ([\d.]+) KiB/.exec(upload)?.[1] ?? Number.NaN);
	const largestGzipKib = Math.max(gzipped / 1024, wranglerGzipKib);
	if (!(largestGzipKib <= MAX_GZIP_KIB)) {
		console.error(`The production bundle must stay within ${MAX_GZIP_KIB} KiB gzipped`);
		process.exitCode = 1;
	}
	const documented = DOCUMENTATION_MARKERS.filter((marker) => code.includes(marker));
	if (documented.length > 0) {
		console.error(`OpenAPI declarations in the production bundle: ${documented.join(", ")}`);
		process.exitCode = 1;
	} else {
		console.log("No OpenAPI declarations in the production bundle.");
	}
	if (shipped.length > 0) {
		console.error(`Emulator code in the production bundle: ${shipped.join(", ")}`);
		process.exitCode = 1;
	} else {
		console.log("No emulator code in the production bundle.");
	}
} finally {
	rmSync(outdir, { recursive: true, force: true });
}

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
// The bundler wrangler itself uses (a dependency of wrangler, vite and the plugin).
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import type { Reporter } from "vitest/node";
import { experimental_readRawConfig } from "wrangler";
import { TEST_VARS } from "./test/settings.ts";

// One emulator for the whole run: the emulator Worker that `npm run dev` runs
// (emulator/wrangler.jsonc), here an auxiliary Worker in the same workerd. The app
// reaches it through a real AI_EMULATOR service binding, so a response's headers
// reach the app before its body, as from Cloudflare; the Durable Objects that
// deliver feedback reach the same emulator. Tests keep apart by gateway ids.
interface EmulatorWranglerConfig {
	name?: string;
	main?: string;
	compatibility_date?: string;
	compatibility_flags?: string[];
	durable_objects?: { bindings?: { name: string; class_name: string }[] };
	migrations?: { new_sqlite_classes?: string[] }[];
}
const emulatorConfig: EmulatorWranglerConfig = experimental_readRawConfig({
	config: resolve(import.meta.dirname, "emulator/wrangler.jsonc"),
}).rawConfig;
if (!emulatorConfig.name || !emulatorConfig.main) throw new Error("emulator/wrangler.jsonc");
const sqliteClasses = new Set(
	(emulatorConfig.migrations ?? []).flatMap((migration) => migration.new_sqlite_classes ?? []),
);
// workerd runs JavaScript: bundle the Worker (TypeScript, Hono) the way wrangler does.
const { outputFiles } = await build({
	entryPoints: [resolve(import.meta.dirname, "emulator", emulatorConfig.main)],
	bundle: true,
	format: "esm",
	platform: "neutral",
	conditions: ["workerd", "worker", "browser"],
	target: "es2024",
	external: ["cloudflare:*"],
	write: false,
	logLevel: "error",
});
const emulatorWorker = {
	name: emulatorConfig.name,
	modules: [
		{ type: "ESModule" as const, path: "worker.mjs", contents: outputFiles[0]?.text ?? "" },
	],
	compatibilityDate: emulatorConfig.compatibility_date,
	compatibilityFlags: emulatorConfig.compatibility_flags,
	// No pacing (its vars are for watching answers stream in by hand): tests set delays per gateway.
	bindings: {},
	durableObjects: Object.fromEntries(
		(emulatorConfig.durable_objects?.bindings ?? []).map((binding) => [
			binding.name,
			{
				className: binding.class_name,
				useSQLite: sqliteClasses.has(binding.class_name),
				// Settings, faults, holds and runs live in its memory for the whole run.
				unsafePreventEviction: true,
			},
		]),
	),
};

// The feedback store's schema, applied to the test D1 by test/apply-migrations.ts.
const migrations = await readD1Migrations("./migrations");

// The answers' queues as wrangler.jsonc declares them, on a test's time scale: a batch is
// delivered 0.2 s after its first message instead of 5 s (Miniflare replaces a consumer's
// settings whole, so the others are restated).
interface QueueConsumerConfig {
	queue: string;
	max_batch_size?: number;
	max_retries?: number;
	dead_letter_queue?: string;
}
const appConfig: {
	queues?: { consumers?: QueueConsumerConfig[] };
	vars?: Record<string, unknown>;
	main?: string;
	assets?: { directory: string };
} = experimental_readRawConfig({
	config: resolve(import.meta.dirname, "wrangler.jsonc"),
}).rawConfig;
const queueConsumers = Object.fromEntries(
	(appConfig.queues?.consumers ?? []).map((consumer) => [
		consumer.queue,
		{
			maxBatchSize: consumer.max_batch_size,
			maxBatchTimeout: 0.2,
			maxRetries: consumer.max_retries,
			deadLetterQueue: consumer.dead_letter_queue,
		},
	]),
);

// The tests' own settings (test/settings.ts) in place of wrangler.jsonc's vars.
const untested = Object.keys(appConfig.vars ?? {}).filter((name) => !(name in TEST_VARS));
if (untested.length > 0) {
	throw new Error(
		`vitest.config.ts: give ${untested.join(", ")} a test value in TEST_VARS (test/settings.ts)`,
	);
}

// The Worker's configuration, copied to a folder of its own: wrangler reads the `.dev.vars`
// beside a configuration, and the developer's (from `npm run dev`, perhaps with API_KEYS set)
// would reach the tests and print "Using secrets defined in .dev.vars" once per test file.
const testWranglerConfig = resolve(import.meta.dirname, ".wrangler/test/wrangler.jsonc");
mkdirSync(dirname(testWranglerConfig), { recursive: true });
writeFileSync(
	testWranglerConfig,
	JSON.stringify({
		...appConfig,
		$schema: undefined,
		main: resolve(import.meta.dirname, appConfig.main ?? ""),
		assets: appConfig.assets && {
			...appConfig.assets,
			directory: resolve(import.meta.dirname, appConfig.assets.directory),
		},
	}),
);

// Quiet output: the failures and a summary, not the faults the tests inject on purpose.
// The Worker logs each fault as one JSON line (src/core/log.ts), and tests report figures the
// same way: such a line is held back while its test passes and printed under the test when
// it fails (tests that depend on a log line spy on the console and assert it). Anything else
// a test prints shows as it comes. SHOW_LOGS=1 prints everything as it comes.
const showLogs = Boolean(process.env.SHOW_LOGS);
/** One JSON object a line (Vitest joins a test's lines that come close together). */
function isStructuredLog(content: string): boolean {
	const lines = content.split("\n").filter((line) => line.trim() !== "");
	return (
		lines.length > 0 &&
		lines.every((line) => {
			try {
				return line.trim().startsWith("{") && Boolean(JSON.parse(line));
			} catch {
				return false;
			}
		})
	);
}
const structuredLogsOfFailedTests: Reporter = {
	onTestCaseResult(testCase) {
		if (showLogs || testCase.result().state !== "failed") return;
		for (const log of testCase.logs()) {
			if (!isStructuredLog(log.content)) continue;
			const stream = log.type === "stdout" ? process.stdout : process.stderr;
			stream.write(
				`\n${log.type} | ${testCase.module.relativeModuleId} > ${testCase.fullName}\n${log.content}`,
			);
		}
	},
};
// workerd reports an uncaught exception (the queue consumer's, the emulator Worker's) and
// Miniflare a dead-lettered message outside Vitest's console: the plugin writes them to this
// process's stdout and stderr. Those of the faults the tests inject are dropped: an exception
// whose message starts with "emulated " (the emulator's and the tests' faults), the real AI
// binding offline (test/gateway/ai-switch.test.ts), the Durable Objects a test aborts
// (abortAllDurableObjects), and the dead letters the queue tests assert. So is Vite's note on a dependency's sourcemap without its sources (the `ai` SDK's),
// which nothing here can fix. Every other report shows.
const EXPECTED_REPORTS = [
	/^(?:uncaught exception; |exception = )[^\n]*\bError: (?:emulated |Binding AI needs to be run remotely|Application called abortAllDurableObjects\(\))/,
	/^\[mf:warn\] Moving message "[^"]*" on queue "[^"]*" to dead letter queue/,
	/^Sourcemap for "[^"]*\/node_modules\/[^"]*" points to missing source files\n?$/,
];
if (!showLogs) {
	for (const stream of [process.stdout, process.stderr]) {
		const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
		stream.write = ((chunk: unknown, ...rest: unknown[]) => {
			const text = typeof chunk === "string" ? stripVTControlCharacters(chunk) : "";
			return EXPECTED_REPORTS.some((report) => report.test(text)) || write(chunk, ...rest);
		}) as typeof stream.write;
	}
}

/** The contract test's count (test/setup/contract.ts): responses checked against the document. */
const contractSummary: Reporter = {
	onTestRunEnd(testModules) {
		let checked = 0;
		for (const testModule of testModules) {
			checked += (testModule.meta() as { contractChecked?: number }).contractChecked ?? 0;
		}
		if (checked > 0) {
			process.stdout.write(
				`Contract: ${checked} responses checked against public/openapi.json in ${testModules.length} test files\n`,
			);
		}
	},
};

export default defineConfig({
	test: {
		projects: [
			{
				// Everything of the Worker and the emulator, inside workerd.
				extends: true,
				plugins: [
					cloudflareTest({
						wrangler: { configPath: testWranglerConfig },
						// Everything runs offline: the AI binding is driven against the local emulator.
						remoteBindings: false,
						miniflare: {
							bindings: {
								...TEST_VARS,
								// Test-only secrets; production ones are set with `wrangler secret put`.
								FEEDBACK_SECRET: "test-feedback-secret-0123456789abcdef",
								DEBUG_TOKEN: "test-debug-token-0123456789abcdefghij",
								ADMIN_TOKEN: "test-admin-token-0123456789abcdefghij",
								TEST_MIGRATIONS: migrations,
								// Only under `npm run test:mutation`: the mutant StrykerJS switches on (test/setup/mutation.ts).
								...(process.env.__STRYKER_ACTIVE_MUTANT__ && {
									STRYKER_ACTIVE_MUTANT: process.env.__STRYKER_ACTIVE_MUTANT__,
								}),
							},
							// The emulator Worker also serves Turnstile's Siteverify stand-in (/turnstile/).
							serviceBindings: {
								AI_EMULATOR: emulatorWorker.name,
								TURNSTILE_EMULATOR: emulatorWorker.name,
							},
							queueConsumers,
							workers: [emulatorWorker],
						},
					}),
				],
				test: {
					name: "workers",
					include: ["test/**/*.test.ts"],
					// The browser tests run in Node against `npm run dev`: `npm run test:e2e`.
					exclude: ["test/e2e/**", "test/tooling/**"],
					setupFiles: [
						"./test/apply-migrations.ts",
						"./test/setup/mutation.ts",
						"./test/setup/contract.ts",
					],
				},
			},
			{
				// The project's own rules, checked in Node (its tools run there, not in workerd).
				test: {
					name: "tooling",
					include: ["test/tooling/**/*.test.ts"],
					environment: "node",
					pool: "forks",
				},
			},
		],
		// A dot a test, then the failures and a summary (not a line a file); CI also writes a
		// JSON report, summed up by scripts/test-summary.mjs.
		reporters: [
			"dot",
			...(process.env.CI ? ["json"] : []),
			structuredLogsOfFailedTests,
			contractSummary,
		],
		onConsoleLog: (log) => showLogs || !isStructuredLog(log),
		outputFile: { json: "test-results/vitest.json" },
	},
});

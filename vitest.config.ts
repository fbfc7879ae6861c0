import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
// The bundler wrangler itself uses (a dependency of wrangler, vite and the plugin).
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import { experimental_readRawConfig } from "wrangler";

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

// The tests' own settings, in place of every var of wrangler.jsonc: an adopter changes the
// models, timeouts or retention there (the README's Configuration) and no test notices. The
// tests name these models and expect these values; a var added to wrangler.jsonc needs its
// test value here.
const TEST_VARS = {
	AI_GATEWAY_ID: "default",
	AI_GATEWAY_COLLECT_LOG: "true",
	AI_GATEWAY_LOG_PAYLOADS: "true",
	AI_TIMEOUT_MS: "120000",
	DEFAULT_MODEL: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	ALLOWED_MODELS: [
		"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
		"@cf/meta/llama-4-scout-17b-16e-instruct",
		"@cf/openai/gpt-oss-120b",
		"@cf/moonshotai/kimi-k2.6",
	].join(","),
	FALLBACK_MODELS: "",
	GATEWAY_URL_PROVIDERS: "",
	// Feedback delivery on a test's time scale: retries from 20 ms. The retry window stays
	// the production default (15 minutes), so no test races it on a busy machine: a test that
	// needs a vote given up closes its window (test/feedback/delivery.test.ts).
	FEEDBACK_RETRY_WINDOW_MS: "900000",
	FEEDBACK_RETRY_BASE_MS: "20",
	STORE_TRANSCRIPTS: "false",
	RETENTION_DAYS: "90",
	STORE_MAX_MB: "450",
};
const untested = Object.keys(appConfig.vars ?? {}).filter((name) => !(name in TEST_VARS));
if (untested.length > 0) {
	throw new Error(`vitest.config.ts: give ${untested.join(", ")} a test value in TEST_VARS`);
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
							serviceBindings: { AI_EMULATOR: emulatorWorker.name },
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
					setupFiles: ["./test/apply-migrations.ts", "./test/setup/mutation.ts"],
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
		reporters: process.env.CI ? ["dot", "json"] : ["dot"],
		outputFile: { json: "test-results/vitest.json" },
	},
});

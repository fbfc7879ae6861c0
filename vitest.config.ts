import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { Response as MiniflareResponse } from "miniflare";
import { defineConfig } from "vitest/config";
import { AiGatewayEmulator } from "./emulator/src/index.ts";

// One emulator for the whole run, reached through the AI_EMULATOR service binding the
// way `npm run dev` reaches it, so the Durable Objects that deliver feedback use it too.
// Tests keep apart by each using a gateway id of its own.
const emulator = new AiGatewayEmulator();

// The feedback store's schema, applied to the test D1 by test/apply-migrations.ts.
const migrations = await readD1Migrations("./migrations");

export default defineConfig({
	plugins: [
		cloudflareTest({
			wrangler: { configPath: "./wrangler.jsonc" },
			// Everything runs offline: the AI binding is driven against the local emulator.
			remoteBindings: false,
			miniflare: {
				// Test-only secrets; production ones are set with `wrangler secret put`.
				bindings: {
					FEEDBACK_SECRET: "test-feedback-secret-0123456789abcdef",
					DEBUG_TOKEN: "test-debug-token-0123456789abcdefghij",
					ADMIN_TOKEN: "test-admin-token-0123456789abcdefghij",
					TEST_MIGRATIONS: migrations,
					// Feedback delivery on a test's time scale: retries from 20 ms, give up after 5 s.
					FEEDBACK_RETRY_WINDOW_MS: "5000",
					FEEDBACK_RETRY_BASE_MS: "20",
				},
				serviceBindings: {
					AI_EMULATOR: async (request) => {
						// Miniflare hands Node-side bindings its own Request and wants its own Response.
						const response = await emulator.fetch(request.url, {
							method: request.method,
							headers: Object.fromEntries(request.headers),
							body: request.body as ReadableStream | null,
							duplex: "half",
						} as RequestInit);
						return new MiniflareResponse(response.body as never, {
							status: response.status,
							headers: Object.fromEntries(response.headers),
						});
					},
				},
			},
		}),
	],
	test: {
		include: ["test/**/*.test.ts"],
		// The browser tests run in Node against `npm run dev`: `npm run test:e2e`.
		exclude: ["test/e2e/**"],
		setupFiles: ["./test/apply-migrations.ts"],
		// CI also writes a JSON report, summed up by scripts/test-summary.mjs.
		reporters: process.env.CI ? ["default", "json"] : ["default"],
		outputFile: { json: "test-results/vitest.json" },
	},
});

import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

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
				},
			},
		}),
	],
	test: {
		include: ["test/**/*.test.ts"],
		// The browser tests run in Node against `npm run dev`: `npm run test:e2e`.
		exclude: ["test/e2e/**"],
		// CI also writes a JSON report, summed up by scripts/test-summary.mjs.
		reporters: process.env.CI ? ["default", "json"] : ["default"],
		outputFile: { json: "test-results/vitest.json" },
	},
});

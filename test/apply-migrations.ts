// Runs before each test file: brings the test D1 (FEEDBACK_DB) to the schema in migrations/.
// applyD1Migrations skips what is applied already, so running it per file is cheap.
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

declare global {
	namespace Cloudflare {
		interface Env {
			/** vitest.config.ts: the migrations read by readD1Migrations. */
			TEST_MIGRATIONS?: import("cloudflare:test").D1Migration[];
		}
	}
}

await applyD1Migrations(env.FEEDBACK_DB, env.TEST_MIGRATIONS ?? []);

/** The daily Cron Trigger deletes what is older than RETENTION_DAYS from the feedback store. */
import {
	createExecutionContext,
	createScheduledController,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "../../src/index";
import { db, seed, testModel } from "./helpers";

const DAY = 86_400_000;

it("deletes answers and votes older than RETENTION_DAYS, in batches, and keeps the rest", async () => {
	const now = Date.UTC(2026, 10, 22, 3, 17);
	const model = testModel();
	const old = Array.from({ length: 1500 }, (_, i) => ({
		id: `old-${i}`,
		model,
		createdAt: now - 31 * DAY - i * 1000,
		vote: i % 2 ? ("up" as const) : undefined,
	}));
	const recent = Array.from({ length: 20 }, (_, i) => ({
		id: `recent-${i}`,
		model,
		createdAt: now - 29 * DAY + i * 1000,
		vote: "down" as const,
	}));
	await seed([...old, ...recent]);

	const ctx = createExecutionContext();
	await worker.scheduled(
		createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }),
		{ ...env, RETENTION_DAYS: "30" },
		ctx,
	);
	await waitOnExecutionContext(ctx);

	const count = async (table: string) =>
		(
			await db()
				.prepare(
					`SELECT COUNT(*) AS n FROM ${table} WHERE ai_gateway_log_id LIKE 'old-%' OR ai_gateway_log_id LIKE 'recent-%'`,
				)
				.first<{ n: number }>()
		)?.n;
	expect(await count("answers")).toBe(20);
	expect(await count("votes")).toBe(20);
});

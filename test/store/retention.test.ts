/** The daily Cron Trigger deletes what is older than RETENTION_DAYS from the feedback store. */
import {
	createExecutionContext,
	createScheduledController,
	waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { DAY_MS } from "../../src/core/time";
import worker from "../../src/index";
import { db, seed, testModel } from "./helpers";

it("deletes answers and votes older than RETENTION_DAYS, in batches, and keeps the rest", async () => {
	const now = Date.UTC(2026, 10, 22, 3, 17);
	const model = testModel();
	const old = Array.from({ length: 1500 }, (_, i) => ({
		id: `old-${i}`,
		model,
		createdAt: now - 31 * DAY_MS - i * 1000,
		vote: i % 2 ? ("up" as const) : undefined,
	}));
	const recent = Array.from({ length: 20 }, (_, i) => ({
		id: `recent-${i}`,
		model,
		createdAt: now - 29 * DAY_MS + i * 1000,
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

/** Runs the daily Cron Trigger at `now` with `vars`. */
async function runCron(now: number, vars: Partial<Cloudflare.Env>) {
	const ctx = createExecutionContext();
	await worker.scheduled(
		createScheduledController({ scheduledTime: now, cron: "17 3 * * *" }),
		{ ...env, ...vars },
		ctx,
	);
	await waitOnExecutionContext(ctx);
}

const sizeOf = async () => (await db().prepare("SELECT 1").run()).meta.size_after;
const daysLeft = async (model: string) =>
	(
		await db()
			.prepare(
				`SELECT DISTINCT created_at / ${DAY_MS} AS day FROM answers WHERE served_model = ? ORDER BY day`,
			)
			.bind(model)
			.all<{ day: number }>()
	).results.map((row) => row.day);

it("deletes the transcripts kept in R2 for whole days before RETENTION_DAYS", async () => {
	const now = Date.UTC(2026, 10, 22, 3, 17);
	const key = (daysAgo: number, id: string) =>
		`transcripts/${new Date(now - daysAgo * DAY_MS).toISOString().slice(0, 10)}/${id}.json`;
	const keys = [key(40, "a"), key(31, "b"), key(30, "c"), key(2, "d")];
	for (const each of keys) await env.TRANSCRIPTS.put(each, "{}");
	await runCron(now, { RETENTION_DAYS: "30" });
	const left = (await env.TRANSCRIPTS.list({ prefix: "transcripts/" })).objects.map((o) => o.key);
	// 30 days before 03:17 is a day whose first hours are still kept: its objects stay a day longer.
	expect(left.sort()).toEqual([key(30, "c"), key(2, "d")].sort());
});

describe("STORE_MAX_MB", () => {
	it("deletes the oldest days until the database is within the size, with their transcripts in R2", async () => {
		const today = Date.UTC(2026, 10, 22);
		const now = today + 3 * 3_600_000;
		const model = testModel("size");
		// Six days of 12 answers with 40 KB transcripts each (about 0.5 MB a day), half voted.
		const rows = Array.from({ length: 6 * 12 }, (_, i) => ({
			id: `size-${i}`,
			model,
			createdAt: today - (5 - Math.floor(i / 12)) * DAY_MS + (i % 12) * 60_000,
			vote: i % 2 ? ("up" as const) : undefined,
			conversation: "x".repeat(40_000),
		}));
		await seed(rows);
		const oldestKey = `transcripts/${new Date(today - 5 * DAY_MS).toISOString().slice(0, 10)}/size-0.json`;
		await env.TRANSCRIPTS.put(oldestKey, "{}");
		const before = await sizeOf();
		const day = 12 * 40_000;
		// Room for all but about two and a half days: the three oldest must go.
		const maxBytes = before - 2.5 * day;
		await runCron(now, { RETENTION_DAYS: "3650", STORE_MAX_MB: String(maxBytes / 1_000_000) });
		expect(await sizeOf()).toBeLessThanOrEqual(maxBytes);
		const first = today / DAY_MS - 5;
		expect(await daysLeft(model)).toEqual([first + 3, first + 4, first + 5]);
		expect(await env.TRANSCRIPTS.head(oldestKey)).toBeNull();
		const votes = await db()
			.prepare("SELECT COUNT(*) AS n FROM votes WHERE ai_gateway_log_id LIKE 'size-%'")
			.first<{ n: number }>();
		expect(votes?.n).toBe(18);
	});

	it("never deletes today's answers, however large the database", async () => {
		const now = Date.UTC(2026, 10, 23, 12);
		const model = testModel("today");
		await seed(
			Array.from({ length: 10 }, (_, i) => ({
				id: `today-${i}`,
				model,
				createdAt: now - i * 60_000,
				conversation: "y".repeat(40_000),
			})),
		);
		const warnings = vi.spyOn(console, "warn");
		await runCron(now, { RETENTION_DAYS: "3650", STORE_MAX_MB: "0.01" });
		expect(
			(
				await db()
					.prepare("SELECT COUNT(*) AS n FROM answers WHERE served_model = ?")
					.bind(model)
					.first<{ n: number }>()
			)?.n,
		).toBe(10);
		expect(warnings.mock.calls.map(String).join("\n")).toContain(
			"over STORE_MAX_MB with only today's answers left",
		);
		warnings.mockRestore();
	});
});

/**
 * Implicit signals in the feedback store (migrations/0006_corrections_and_signals.sql): a flag
 * per answer and signal, counted on the answer's day and served model whichever reached the
 * store first, and deleted with the answer (or by their own time when the answer never came).
 */
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../src/core/time";
import { deleteExpired } from "../../src/store/retention";
import { writeSignal } from "../../src/store/signals";
import { feedbackStats } from "../../src/store/stats";
import { db, seed, testModel } from "./helpers";

const counts = async (model: string, since: number) => {
	const stats = await feedbackStats(db(), { since, until: since + DAY_MS, model });
	return stats.models.map(({ answers, up, down, upRate, regenerated, copied }) => ({
		answers,
		up,
		down,
		upRate,
		regenerated,
		copied,
	}));
};

const rows = (ids: string[]) =>
	db()
		.prepare(
			`SELECT ai_gateway_log_id AS id FROM answer_signals WHERE ai_gateway_log_id IN (${ids.map(() => "?")}) ORDER BY 1`,
		)
		.bind(...ids)
		.all<{ id: string }>()
		.then(({ results }) => results.map((row) => row.id));

describe("implicit signals in the store", () => {
	it("count once an answer, whether they reach the store before or after the answer", async () => {
		const model = testModel("early");
		const day = Date.UTC(2026, 5, 1);
		const id = (n: number) => `early-${model.slice(-8)}-${n}`;
		// Before its answer's row: counted nowhere yet.
		await writeSignal(db(), id(1), "copy", day + 10);
		await writeSignal(db(), id(1), "copy", day + 20);
		expect(await counts(model, day)).toEqual([]);
		await seed([
			{ id: id(1), model, createdAt: day, vote: "down" },
			{ id: id(2), model, createdAt: day + 1, vote: "up" },
		]);
		expect(await counts(model, day)).toEqual([
			{ answers: 2, up: 1, down: 1, upRate: 0.5, regenerated: 0, copied: 1 },
		]);
		// After it: counted at once; a repeat changes nothing, nor do the thumbs move.
		for (const signal of ["regenerate", "regenerate", "copy"] as const)
			await writeSignal(db(), id(2), signal, day + 30);
		await writeSignal(db(), id(1), "copy", day + 40);
		expect(await counts(model, day)).toEqual([
			{ answers: 2, up: 1, down: 1, upRate: 0.5, regenerated: 1, copied: 2 },
		]);
	});

	it("are deleted with their answers by retention, and by their own time without one", async () => {
		const model = testModel("retained");
		const now = Date.UTC(2026, 10, 22, 3, 17);
		const id = (name: string) => `retained-${model.slice(-8)}-${name}`;
		const old = now - 40 * DAY_MS;
		const recent = now - DAY_MS;
		await seed([
			{ id: id("old"), model, createdAt: old, vote: "up" },
			{ id: id("recent"), model, createdAt: recent, vote: "down" },
		]);
		// The old answer's signal is recent: it goes with its answer all the same.
		await writeSignal(db(), id("old"), "copy", recent);
		await writeSignal(db(), id("recent"), "regenerate", recent);
		// A signal whose answer never reached the store.
		await writeSignal(db(), id("orphan"), "copy", old);
		const deleted = await deleteExpired(db(), 30, now);
		expect(deleted.signals).toBeGreaterThanOrEqual(1);
		expect(await rows([id("old"), id("recent"), id("orphan")])).toEqual([id("recent")]);
		expect(await counts(model, old - (old % DAY_MS))).toEqual([]);
		expect(await counts(model, recent - (recent % DAY_MS))).toEqual([
			{ answers: 1, up: 0, down: 1, upRate: 0, regenerated: 1, copied: 0 },
		]);
		// No rollup row of the deleted day is left behind.
		const left = await db()
			.prepare("SELECT COUNT(*) AS n FROM signal_rollups WHERE served_model = ? AND day = ?")
			.bind(model, Math.floor(old / DAY_MS))
			.first<number>("n");
		expect(left).toBe(0);
	});
});

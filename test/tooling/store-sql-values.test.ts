/**
 * The values the feedback store's SQL spells out (migrations/, the rollups' rebuild) are the
 * ones src/core/votes.ts and src/core/time.ts declare: every vote and delivery state a
 * statement compares with exists, the rollups count every vote, and a day is DAY_MS wherever
 * it is written as a number.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { DAY_MS } from "../../src/core/time";
import { DELIVERY_STATES, VOTES } from "../../src/core/votes";
import { REBUILD_ROLLUPS } from "../../src/store/rollups";

const root = resolve(import.meta.dirname, "../..");
const migrationsDir = join(root, "migrations");

/** Each migration's statements, without their comments. */
const migrations = readdirSync(migrationsDir)
	.filter((file) => file.endsWith(".sql"))
	.map((file) => ({
		file,
		sql: readFileSync(join(migrationsDir, file), "utf8").replace(/--.*$/gm, ""),
	}));
const sources = [
	...migrations,
	{ file: "src/store/rollups.ts REBUILD_ROLLUPS", sql: REBUILD_ROLLUPS.join(";\n") },
];

/** The texts `column` is compared with (`vote = 'up'`, `OLD.vote <> 'clear'`, `state IN ('a', 'b')`). */
function comparedWith(sql: string, column: string): string[] {
	const found: string[] = [];
	const compared = new RegExp(`\\b${column}\\s*(?:=|<>|!=)\\s*'([^']*)'`, "gi");
	for (const match of sql.matchAll(compared)) found.push(match[1] as string);
	const listed = new RegExp(`\\b${column}\\s+(?:NOT\\s+)?IN\\s*\\(([^)]*)\\)`, "gi");
	for (const match of sql.matchAll(listed))
		for (const text of (match[1] as string).matchAll(/'([^']*)'/g)) found.push(text[1] as string);
	return found;
}

describe("the feedback store's SQL and the declared values", () => {
	it("compares votes only with values VOTES declares", () => {
		for (const { file, sql } of sources)
			for (const value of comparedWith(sql, "vote"))
				expect(VOTES, `${file}: vote compared with '${value}'`).toContain(value);
	});

	it("compares delivery states only with values DELIVERY_STATES declares", () => {
		for (const { file, sql } of sources)
			for (const value of comparedWith(sql, "state"))
				expect(DELIVERY_STATES, `${file}: state compared with '${value}'`).toContain(value);
	});

	it("counts every vote in the rollups: their triggers and their rebuild", () => {
		const triggers = migrations.find(({ file }) => file === "0003_rollups.sql")?.sql ?? "";
		for (const sql of [triggers, REBUILD_ROLLUPS.join("\n")])
			expect(new Set(comparedWith(sql, "vote"))).toEqual(new Set(VOTES));
	});

	it("finds the comparisons it checks (so the checks above are not empty)", () => {
		expect(comparedWith("SUM(v.vote = 'up') WHERE OLD.vote <> 'clear'", "vote")).toEqual([
			"up",
			"clear",
		]);
		expect(comparedWith("WHERE state IN ('pending', 'failed')", "state")).toEqual([
			"pending",
			"failed",
		]);
		expect(comparedWith("WHERE state = 'refused'", "state")).toEqual(["refused"]);
	});

	it("divides by DAY_MS wherever SQL turns a time into a day, and the page's day is the same", async () => {
		const divisors = migrations.flatMap(({ sql }) =>
			[...sql.matchAll(/created_at\s*\/\s*(\d+)/g)].map((match) => Number(match[1])),
		);
		expect(divisors.length).toBeGreaterThan(0);
		expect(new Set(divisors)).toEqual(new Set([DAY_MS]));
		// The insights page's modules have no types: imported by path.
		const page = join(root, "public/js/insights/format.js");
		const { DAY_MS: pageDayMs } = (await import(page)) as { DAY_MS: number };
		expect(pageDayMs).toBe(DAY_MS);
	});
});

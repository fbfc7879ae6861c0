// /insights' A/B comparison (public/js/insights/comparison.js): Newcombe's interval for the
// difference, the sequential test's verdict over the period's days, and the judge's scores.
import { describe, expect, it } from "vitest";
import { comparisonOf, JUDGE, THUMBS } from "../../public/js/insights/comparison.js";
import { sequentialVerdict } from "../../src/core/verdict";

interface Row {
	model: string;
	day: string;
	up: number;
	down: number;
	judgeGood?: number;
	judgeBad?: number;
}

/** A model's total over its days, as GET /api/admin/stats's `models[]` rows are. */
const total = (model: string, days: Row[]) => {
	const sum = { model, day: "", up: 0, down: 0, judgeGood: 0, judgeBad: 0 };
	for (const row of days.filter((d) => d.model === model)) {
		sum.up += row.up;
		sum.down += row.down;
		sum.judgeGood += row.judgeGood ?? 0;
		sum.judgeBad += row.judgeBad ?? 0;
	}
	return sum;
};

const day = (n: number) => `2026-11-${String(n).padStart(2, "0")}`;

describe("the A/B comparison on /insights", () => {
	it("gives no verdict on a few votes, with Newcombe's interval and the votes still needed", () => {
		const days = [
			{ model: "a", day: day(1), up: 8, down: 1 },
			{ model: "b", day: day(1), up: 1, down: 8 },
		];
		const result = comparisonOf(total("a", days), total("b", days), days, THUMBS);
		expect(result.verdict).toBe("undecided");
		// 8/9 against 1/9: Wilson intervals 56.5-98.0% and 2.0-43.5%, so Newcombe's (method 10)
		// is 77.8 - √(32.4² + 32.4²) to 77.8 + √(9.1² + 9.1²) points.
		expect(result.text).toContain(
			"a minus b: 77.8 points (95% interval 32.0 points to 90.7 points)",
		);
		const more = sequentialVerdict({ up: 8, down: 1 }, { up: 1, down: 8 }).moreVotesEach;
		expect(more).toBeGreaterThan(0);
		expect(result.text).toContain(`about ${more} more votes for each model would decide`);
	});

	it("decides once the days' votes are enough, and names the better model", () => {
		const days = Array.from({ length: 10 }, (_, i) => [
			{ model: "a", day: day(i + 1), up: 16, down: 4 },
			{ model: "b", day: day(i + 1), up: 8, down: 12 },
		]).flat();
		const result = comparisonOf(total("b", days), total("a", days), days, THUMBS);
		expect(result.verdict).toBe("differ");
		expect(result.text).toMatch(/^a is rated better than b \(sequential test, p = /);
	});

	it("keeps a verdict reached on an earlier day: the test stopped there", () => {
		// Far apart for ten days, then level for long enough that the totals alone would not decide.
		const apart = Array.from({ length: 10 }, (_, i) => [
			{ model: "a", day: day(i + 1), up: 18, down: 2 },
			{ model: "b", day: day(i + 1), up: 6, down: 14 },
		]).flat();
		const level = Array.from({ length: 19 }, (_, i) => [
			{ model: "a", day: day(i + 11), up: 200, down: 200 },
			{ model: "b", day: day(i + 11), up: 200, down: 200 },
		]).flat();
		const days = [...apart, ...level];
		const a = total("a", days);
		const b = total("b", days);
		// The totals alone: no verdict at the last look.
		expect(sequentialVerdict(a, b).decision).toBe("undecided");
		const result = comparisonOf(a, b, days, THUMBS);
		expect(result.verdict).toBe("differ");
		expect(result.text).toMatch(/^a is rated better than b /);
	});

	it("compares the judge's good and bad the same way, apart from the thumbs", () => {
		const days = Array.from({ length: 10 }, (_, i) => [
			{ model: "a", day: day(i + 1), up: 1, down: 1, judgeGood: 19, judgeBad: 1 },
			{ model: "b", day: day(i + 1), up: 1, down: 1, judgeGood: 9, judgeBad: 11 },
		]).flat();
		const a = total("a", days);
		const b = total("b", days);
		expect(comparisonOf(a, b, days, THUMBS).verdict).toBe("undecided");
		const byJudge = comparisonOf(a, b, days, JUDGE);
		expect(byJudge.verdict).toBe("differ");
		expect(byJudge.text).toContain("95.0% up of 200 judged answers");
	});

	it("needs both models to have votes", () => {
		const days = [{ model: "a", day: day(1), up: 3, down: 1 }];
		expect(comparisonOf(total("a", days), total("b", days), days, THUMBS)).toEqual({
			verdict: "no-data",
			text: "Both models need votes in this period.",
		});
	});
});

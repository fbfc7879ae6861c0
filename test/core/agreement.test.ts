import { describe, expect, it } from "vitest";
import { cohensKappa, judgeAgreement } from "../../src/core/agreement";

/** Published figures are rounded to 4 decimals. */
const expectPublished = (value: number | undefined, published: number) =>
	expect(Math.abs((value ?? Number.NaN) - published)).toBeLessThan(1e-4);

describe("Cohen's kappa with its 95% interval", () => {
	it("matches SAS's agreement study of two dermatologists", () => {
		// SAS/STAT User's Guide, The FREQ Procedure, Getting Started: "Agreement Study" (skin
		// condition rated by two dermatologists): simple kappa 0.3449, 95% limits 0.2030 to 0.4868.
		const result = cohensKappa([
			[10, 4, 1, 0],
			[5, 10, 12, 2],
			[2, 4, 12, 5],
			[0, 2, 6, 13],
		]);
		expectPublished(result?.kappa, 0.3449);
		expectPublished(result?.low, 0.203);
		expectPublished(result?.high, 0.4868);
	});

	it("matches SAS's asymptotic standard error (Fleiss, Cohen and Everitt 1969)", () => {
		// SAS PROC FREQ output for this table, as statsmodels' test_inter_rater.py quotes it:
		// kappa 0.4842, ASE 0.1380, 95% limits 0.2137 to 0.7547.
		const result = cohensKappa([
			[0, 4, 1],
			[0, 8, 0],
			[0, 1, 5],
		]);
		expectPublished(result?.kappa, 0.4842);
		expectPublished(result?.standardError, 0.138);
		expectPublished(result?.low, 0.2137);
		expectPublished(result?.high, 0.7547);
	});

	it("is null when there is nothing to tell from chance", () => {
		expect(cohensKappa([])).toBeNull();
		expect(
			cohensKappa([
				[0, 0],
				[0, 0],
			]),
		).toBeNull();
		expect(
			cohensKappa([
				[7, 0],
				[0, 0],
			]),
		).toBeNull();
	});
});

describe("a judge against people's thumbs", () => {
	it("gives agreement, kappa, precision and recall of bad (hand-computed)", () => {
		// Wikipedia's two-reader example (Cohen's kappa): 20 both yes, 5 and 10 apart, 15 both
		// no: agreement 0.7, chance 0.5, kappa 0.4. Its standard error by Fleiss, Cohen and
		// Everitt, by hand, with shares p = [[0.4, 0.1], [0.2, 0.3]], rows 0.5/0.5, columns
		// 0.6/0.4: A = 0.4(1 - 1.1·0.6)² + 0.3(1 - 0.9·0.6)² = 0.10972; B = 0.6²(0.1·1.1² +
		// 0.2·0.9²) = 0.10188; C = (0.4 - 0.5·0.6)² = 0.01; var = (A + B - C) / (50·0.5²) =
		// 0.016128, SE 0.126996, 95% interval 0.4 ± 1.96·SE.
		const result = judgeAgreement({
			judgeBadPeopleDown: 20,
			judgeBadPeopleUp: 5,
			judgeGoodPeopleDown: 10,
			judgeGoodPeopleUp: 15,
		});
		expect(result.total).toBe(50);
		expect(result.agreement).toBeCloseTo(0.7, 12);
		expect(result.kappa).toBeCloseTo(0.4, 12);
		expect(result.kappaLow).toBeCloseTo(0.4 - 1.96 * Math.sqrt(0.016128), 10);
		expect(result.kappaHigh).toBeCloseTo(0.4 + 1.96 * Math.sqrt(0.016128), 10);
		expect(result.precisionBad).toBeCloseTo(20 / 25, 12);
		expect(result.recallBad).toBeCloseTo(20 / 30, 12);
		expect(result.confusion).toEqual({
			judgeBadPeopleDown: 20,
			judgeBadPeopleUp: 5,
			judgeGoodPeopleDown: 10,
			judgeGoodPeopleUp: 15,
		});
	});

	it("tells a judge that always says good apart from one that agrees", () => {
		const alwaysGood = judgeAgreement({
			judgeBadPeopleDown: 0,
			judgeBadPeopleUp: 0,
			judgeGoodPeopleDown: 30,
			judgeGoodPeopleUp: 70,
		});
		// 70% agreement, all of it chance.
		expect(alwaysGood.agreement).toBeCloseTo(0.7, 12);
		expect(alwaysGood.kappa).toBe(0);
		expect(alwaysGood.precisionBad).toBeNull();
		expect(alwaysGood.recallBad).toBe(0);
		const none = judgeAgreement({
			judgeBadPeopleDown: 0,
			judgeBadPeopleUp: 0,
			judgeGoodPeopleDown: 0,
			judgeGoodPeopleUp: 0,
		});
		expect(none).toMatchObject({ total: 0, agreement: null, kappa: null, kappaLow: null });
	});
});

import { describe, expect, it } from "vitest";
import {
	DEFAULT_TAU,
	differenceInterval,
	type SequentialVerdict,
	sequentialVerdict,
	type Tally,
	wilsonInterval,
} from "../../src/core/verdict";

const tally = (up: number, votes: number): Tally => ({ up, down: votes - up });
/** Published figures are rounded to 4 decimals. */
const expectPublished = (value: number | undefined, published: number) =>
	expect(Math.abs((value ?? Number.NaN) - published)).toBeLessThan(1e-4);

describe("the Wilson interval", () => {
	it("matches Newcombe's example and stays within 0 and 1", () => {
		// Newcombe, "Two-sided confidence intervals for the single proportion", Stat Med
		// 1998;17:857-872, Table I: 81/263 by the score method, 0.2553 to 0.3662.
		const [low, high] = wilsonInterval(81, 263);
		expectPublished(low, 0.2553);
		expectPublished(high, 0.3662);
		expect(wilsonInterval(0, 10)[0]).toBe(0);
		expect(wilsonInterval(10, 10)[1]).toBe(1);
		expect(wilsonInterval(0, 0)).toEqual([0, 1]);
	});
});

describe("the difference of two up-rates (Newcombe's method 10)", () => {
	// Newcombe, "Interval estimation for the difference between independent proportions:
	// comparison of eleven methods", Stat Med 1998;17:873-890, Table II, method 10.
	const examples: [number, number, number, number, number, number][] = [
		[56, 70, 48, 80, 0.0524, 0.3339],
		[9, 10, 3, 10, 0.1705, 0.809],
		[6, 7, 2, 7, 0.0582, 0.8062],
		[5, 56, 0, 29, -0.0381, 0.1926],
		[0, 10, 0, 20, -0.1611, 0.2775],
		[0, 10, 0, 10, -0.2775, 0.2775],
		[10, 10, 0, 20, 0.6791, 1],
		[10, 10, 0, 10, 0.6075, 1],
	];
	it.each(examples)(
		"%i/%i minus %i/%i: %f to %f, as published",
		(aUp, aVotes, bUp, bVotes, low, high) => {
			const interval = differenceInterval(tally(aUp, aVotes), tally(bUp, bVotes));
			expect(interval?.difference).toBeCloseTo(aUp / aVotes - bUp / bVotes, 12);
			expectPublished(interval?.low, low);
			expectPublished(interval?.high, high);
		},
	);

	it("is null while a model has no votes", () => {
		expect(differenceInterval(tally(0, 0), tally(3, 5))).toBeNull();
		expect(differenceInterval(tally(3, 5), tally(0, 0))).toBeNull();
	});
});

describe("the sequential test (mSPRT, always valid)", () => {
	it("gives the p-value of Johari et al.'s normal mixture, written for equal arms", () => {
		// "Always valid inference" (2017), the two-stream normal mSPRT: after n votes each,
		// Λ = sqrt(σ² / (σ² + nτ²)) · exp(n²τ²Δ² / (2σ²(σ² + nτ²))), σ² the sum of the arms'
		// variances (here each rate with one up and one down added), p = 1 / Λ.
		const n = 100;
		const a = tally(70, n);
		const b = tally(60, n);
		const spread = (up: number) => ((up + 1) / (n + 2)) * (1 - (up + 1) / (n + 2));
		const sigma2 = spread(70) + spread(60);
		const tau2 = DEFAULT_TAU ** 2;
		const lambda =
			Math.sqrt(sigma2 / (sigma2 + n * tau2)) *
			Math.exp((n * n * tau2 * 0.1 ** 2) / (2 * sigma2 * (sigma2 + n * tau2)));
		const verdict = sequentialVerdict(a, b);
		expect(verdict.pValue).toBeCloseTo(1 / lambda, 10);
		expect(verdict.difference).toBeCloseTo(0.1, 12);
		expect(verdict.decision).toBe("undecided");
	});

	it("decides either way once the votes are enough, and its interval excludes 0 exactly then", () => {
		const aBetter = sequentialVerdict(tally(700, 1000), tally(600, 1000));
		expect(aBetter).toMatchObject({ decision: "a-better", moreVotesEach: null });
		expect(aBetter.pValue).toBeLessThan(0.05);
		expect(aBetter.low).toBeGreaterThan(0);
		expect(aBetter.high).toBeGreaterThan(0.1);
		const bBetter = sequentialVerdict(tally(600, 1000), tally(700, 1000));
		expect(bBetter.decision).toBe("b-better");
		expect(bBetter.high).toBeLessThan(0);
		const close = sequentialVerdict(tally(70, 100), tally(60, 100));
		expect(close.pValue).toBeGreaterThan(0.05);
		expect(close.low).toBeLessThan(0);
		expect(close.high).toBeGreaterThan(0);
	});

	it("rarely calls two equal models different, however often one looks", () => {
		// Seeded: 400 runs, both models at 0.65 up, a look after every 20 votes up to 2,000.
		let seed = 12345;
		const random = () => {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			return seed / 4294967296;
		};
		let calledDifferent = 0;
		for (let run = 0; run < 400; run++) {
			const a = { up: 0, down: 0 };
			const b = { up: 0, down: 0 };
			let previous: SequentialVerdict | undefined;
			for (let votes = 1; votes <= 2000; votes++) {
				const model = random() < 0.5 ? a : b;
				if (random() < 0.65) model.up++;
				else model.down++;
				if (votes % 20 !== 0) continue;
				previous = sequentialVerdict(a, b, { previous });
				if (previous.decision !== "undecided") break;
			}
			if (previous?.decision !== "undecided") calledDifferent++;
		}
		expect(calledDifferent / 400).toBeLessThanOrEqual(0.05);
	});

	it("keeps the smallest p-value and the narrowest interval seen so far", () => {
		const earlier = { pValue: 0.2, low: -0.01, high: 0.05 };
		const later = sequentialVerdict(tally(50, 100), tally(50, 100), { previous: earlier });
		expect(later.pValue).toBe(0.2);
		expect(later.low).toBe(-0.01);
		expect(later.high).toBe(0.05);
		const alone = sequentialVerdict(tally(50, 100), tally(50, 100));
		expect(alone.pValue).toBe(1);
		expect(alone.low).toBeLessThan(-0.01);
	});

	it("lets a verdict stand once reached, even if the rates drift after it", () => {
		// This look alone (50/100 each) gives about -0.31 to 0.31, missing 0.5 to 0.6.
		const reached = { pValue: 0.01, low: 0.5, high: 0.6 };
		expect(sequentialVerdict(tally(50, 100), tally(50, 100), { previous: reached })).toMatchObject({
			decision: "a-better",
			pValue: 0.01,
			low: 0.5,
			high: 0.6,
		});
	});

	it("says roughly how many more votes each model needs if the rates hold", () => {
		const now = sequentialVerdict(tally(70, 100), tally(60, 100));
		const more = now.moreVotesEach ?? Number.NaN;
		expect(more).toBeGreaterThan(100);
		const decisionWith = (extra: number) =>
			sequentialVerdict(
				tally(0.7 * (100 + extra), 100 + extra),
				tally(0.6 * (100 + extra), 100 + extra),
			).decision;
		expect(decisionWith(Math.ceil(more * 1.02))).toBe("a-better");
		expect(decisionWith(Math.floor(more * 0.95))).toBe("undecided");
		expect(sequentialVerdict(tally(60, 100), tally(60, 100)).moreVotesEach).toBeNull();
	});

	it("waits for both models to have votes", () => {
		expect(sequentialVerdict(tally(0, 0), tally(9, 10))).toEqual({
			decision: "undecided",
			difference: 0,
			pValue: 1,
			low: -1,
			high: 1,
			moreVotesEach: null,
		});
	});
});

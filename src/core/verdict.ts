/**
 * Which of two models people rate better, from their thumbs: the up-rate's Wilson interval,
 * the difference of two up-rates with Newcombe's interval, and an always-valid sequential
 * test that a team may look at after every vote. Pure math; docs/verdicts.md says why each
 * method and shows, by simulation (scripts/simulate-verdicts.mjs), that they keep their word.
 */

/** A model's votes: thumbs up and thumbs down. */
export interface Tally {
	up: number;
	down: number;
}

/** The normal quantile of a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/**
 * The 95% Wilson score interval of `successes` out of `trials`: unlike p ± 1.96·SE it
 * stays inside [0, 1] and is honest for small counts.
 */
export function wilsonInterval(successes: number, trials: number, z = 1.96): [number, number] {
	if (trials === 0) return [0, 1];
	const p = successes / trials;
	const z2 = z * z;
	const centre = p + z2 / (2 * trials);
	const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
	const denominator = 1 + z2 / trials;
	return [
		Math.max(0, (centre - margin) / denominator),
		Math.min(1, (centre + margin) / denominator),
	];
}

/**
 * The up-rate of `a` minus that of `b`, with its 95% interval by Newcombe's hybrid score
 * method (method 10 of Newcombe, Stat Med 1998;17:873-890), built from each rate's Wilson
 * interval: unlike the Wald interval (difference ± 1.96·SE) it stays within [-1, 1] and keeps
 * its coverage for small counts and rates near 0 or 1. Null when a model has no votes.
 */
export function differenceInterval(a: Tally, b: Tally, z = 1.96) {
	const aVotes = a.up + a.down;
	const bVotes = b.up + b.down;
	if (aVotes === 0 || bVotes === 0) return null;
	const aRate = a.up / aVotes;
	const bRate = b.up / bVotes;
	const [aLow, aHigh] = wilsonInterval(a.up, aVotes, z);
	const [bLow, bHigh] = wilsonInterval(b.up, bVotes, z);
	const difference = aRate - bRate;
	return {
		difference,
		low: difference - Math.sqrt((aRate - aLow) ** 2 + (bHigh - bRate) ** 2),
		high: difference + Math.sqrt((aHigh - aRate) ** 2 + (bRate - bLow) ** 2),
	};
}

export type Decision = "a-better" | "b-better" | "undecided";

export interface SequentialVerdict {
	decision: Decision;
	/** A's up-rate minus B's. */
	difference: number;
	/** Always valid: the chance of a p-value this small, however often one looked, if A = B. */
	pValue: number;
	/** The confidence sequence for the difference: holds it at every look at once, 95%. */
	low: number;
	high: number;
	/**
	 * When undecided: about how many more votes each model needs for a verdict if the up-rates
	 * stay where they are now (null when they are equal or a model has no votes yet).
	 */
	moreVotesEach: number | null;
}

export interface SequentialOptions {
	/** The chance of calling two equal models different, ever. */
	alpha?: number;
	/** The mixing prior's standard deviation, in up-rate (see DEFAULT_TAU). */
	tau?: number;
	/**
	 * The verdict at the previous look on the same two models, while votes only accrue: the
	 * p-value is the running minimum and the interval the running intersection, as the
	 * guarantee is for the sequence as a whole. So a verdict, once reached, stands: the test
	 * has stopped there. To test again (a model changed), start a new sequence without it.
	 */
	previous?: Pick<SequentialVerdict, "pValue" | "low" | "high">;
}

/**
 * τ, the standard deviation of the normal prior the test mixes its alternatives over. Any τ
 * keeps the test valid; it sets which differences it finds fastest: the votes needed are
 * fewest for a true difference of about τ to 2τ (docs/verdicts.md, table (d)). 0.05 aims at
 * the differences worth acting on between chat models, 5 to 10 points of up-rate, where votes
 * are scarcest; 20 points are still found within a few hundred votes.
 */
export const DEFAULT_TAU = 0.05;

/** Each model's votes and the variance of the difference of their up-rates. */
function moments(a: Tally, b: Tally) {
	const aVotes = a.up + a.down;
	const bVotes = b.up + b.down;
	// One up and one down added to each rate's variance, so that 5 of 5 is not certainty.
	const aRate = (a.up + 1) / (aVotes + 2);
	const bRate = (b.up + 1) / (bVotes + 2);
	return {
		aVotes,
		bVotes,
		aSpread: aRate * (1 - aRate),
		bSpread: bRate * (1 - bRate),
	};
}

/**
 * The log of the mixture likelihood ratio for "the difference is 0", given the estimated
 * difference and its variance: the normal likelihood of the estimate under a difference drawn
 * from N(0, τ²) over the one under 0 (Johari, Koomen, Pekelis, Walsh 2017, "Always valid
 * inference", the mSPRT with a normal mixture, for an estimate of variance `variance`).
 */
function logMixtureRatio(difference: number, variance: number, tau2: number) {
	return (
		0.5 * Math.log(variance / (variance + tau2)) +
		(tau2 * difference * difference) / (2 * variance * (variance + tau2))
	);
}

/**
 * Whether model A's up-rate differs from B's, by the mixture sequential probability ratio
 * test (mSPRT) of Johari, Koomen, Pekelis and Walsh, "Always valid inference" (2017; the
 * test behind Optimizely's Stats Engine): the normal approximation of the difference of the
 * two up-rates, mixed over a N(0, τ²) prior. Its p-value and interval stay valid when a team
 * looks after every vote and acts on the first verdict: the chance of ever calling two equal
 * models different is at most alpha (Ville's inequality), where "the 95% intervals do not
 * overlap", checked daily, grows with every look.
 */
export function sequentialVerdict(
	a: Tally,
	b: Tally,
	{ alpha = 0.05, tau = DEFAULT_TAU, previous }: SequentialOptions = {},
): SequentialVerdict {
	const { aVotes, bVotes, aSpread, bSpread } = moments(a, b);
	let pValue = previous?.pValue ?? 1;
	let low = previous?.low ?? -1;
	let high = previous?.high ?? 1;
	let difference = 0;
	let moreVotesEach: number | null = null;
	if (aVotes > 0 && bVotes > 0) {
		difference = a.up / aVotes - b.up / bVotes;
		const variance = aSpread / aVotes + bSpread / bVotes;
		const tau2 = tau * tau;
		const threshold = Math.log(1 / alpha);
		pValue = Math.min(pValue, Math.exp(-logMixtureRatio(difference, variance, tau2)));
		// The differences d whose ratio stays below 1/alpha: |difference - d| < halfWidth.
		const halfWidth = Math.sqrt(
			((2 * variance * (variance + tau2)) / tau2) *
				(threshold + 0.5 * Math.log((variance + tau2) / variance)),
		);
		// This look's interval misses the sequence so far only if the rates drifted (the test
		// assumes they stay): the sequence so far stands, as its verdict does.
		if (difference - halfWidth <= high && difference + halfWidth >= low) {
			low = Math.max(low, difference - halfWidth);
			high = Math.min(high, difference + halfWidth);
		}
		if (low <= 0 && high >= 0 && difference !== 0) {
			moreVotesEach = votesToDecide(difference, aVotes, bVotes, aSpread, bSpread, tau2, threshold);
		}
	}
	const decision: Decision = low > 0 ? "a-better" : high < 0 ? "b-better" : "undecided";
	return { decision, difference, pValue, low, high, moreVotesEach };
}

/**
 * The fewest more votes for each model after which the test would decide if the difference
 * and the rates stayed as they are: the plug-in answer, a rough guide (the estimate moves as
 * votes come in), found by doubling then halving.
 */
function votesToDecide(
	difference: number,
	aVotes: number,
	bVotes: number,
	aSpread: number,
	bSpread: number,
	tau2: number,
	threshold: number,
) {
	const decides = (more: number) =>
		logMixtureRatio(difference, aSpread / (aVotes + more) + bSpread / (bVotes + more), tau2) >=
		threshold;
	let enough = 1;
	while (!decides(enough)) {
		enough *= 2;
		if (enough > 2 ** 40) return null;
	}
	let short = enough / 2;
	while (enough - short > 1) {
		const middle = Math.floor((short + enough) / 2);
		if (decides(middle)) enough = middle;
		else short = middle;
	}
	return enough;
}

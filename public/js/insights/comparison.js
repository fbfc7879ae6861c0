// The A/B comparison of two models, in plain words: the difference of their up-rates with its
// 95% interval (Newcombe's), and the verdict of an always-valid sequential test, run over the
// period's days as looks: a team may open this page every day and act on the first verdict
// without raising its error rate (docs/verdicts.md). The math is the Worker's own
// (src/core/verdict.ts, compiled to /vendor/verdict by scripts/vendor-assets.mjs).

import { differenceInterval, sequentialVerdict } from "../../vendor/verdict/verdict.js";
import { count } from "./format.js";

const $ = (id) => document.getElementById(id);

/** The people's thumbs, and the judge's good and bad: what a comparison counts. */
export const THUMBS = { up: (row) => row.up, down: (row) => row.down, noun: "votes" };
export const JUDGE = {
	up: (row) => row.judgeGood ?? 0,
	down: (row) => row.judgeBad ?? 0,
	noun: "judged answers",
};

/** The last render's statistics, for `compare`. */
let current = { models: [], days: [] };

const points = (value) => `${(value * 100).toFixed(1)} points`;

/**
 * How model `a` compares with model `b` over the period's days, by `measure` (THUMBS or
 * JUDGE): { verdict: "differ" | "undecided" | "no-data", text }. The sequential test looks
 * once per day, on the votes so far, carrying its running p-value and interval from look to
 * look: a verdict, once reached, stands for the period.
 */
export function comparisonOf(a, b, days, measure = THUMBS) {
	const tally = (row) => ({ up: measure.up(row), down: measure.down(row) });
	const totalA = tally(a);
	const totalB = tally(b);
	const ofA = { up: 0, down: 0 };
	const ofB = { up: 0, down: 0 };
	let verdict;
	for (const day of [...new Set(days.map((row) => row.day))].sort()) {
		for (const [model, sum] of [
			[a.model, ofA],
			[b.model, ofB],
		]) {
			const row = days.find((d) => d.day === day && d.model === model);
			if (!row) continue;
			sum.up += measure.up(row);
			sum.down += measure.down(row);
		}
		if (ofA.up + ofA.down > 0 && ofB.up + ofB.down > 0)
			verdict = sequentialVerdict(ofA, ofB, { previous: verdict });
	}
	const difference = differenceInterval(totalA, totalB);
	if (!verdict || !difference)
		return { verdict: "no-data", text: `Both models need ${measure.noun} in this period.` };
	const votes = (row, sum) =>
		`${row.model}: ${((sum.up / (sum.up + sum.down)) * 100).toFixed(1)}% up of ${count.format(sum.up + sum.down)} ${measure.noun}`;
	const observed = `${votes(a, totalA)}; ${votes(b, totalB)}. ${a.model} minus ${b.model}: ${points(difference.difference)} (95% interval ${points(difference.low)} to ${points(difference.high)})`;
	const p = `p = ${verdict.pValue < 0.001 ? "< 0.001" : verdict.pValue.toFixed(3)}`;
	if (verdict.decision !== "undecided") {
		const [better, worse] = verdict.decision === "a-better" ? [a, b] : [b, a];
		return {
			verdict: "differ",
			text: `${better.model} is rated better than ${worse.model} (sequential test, ${p}, valid however often this page is opened). ${observed}.`,
		};
	}
	const more =
		verdict.moreVotesEach === null
			? "The rates are level so far: only more votes can tell them apart."
			: `If the rates hold, about ${count.format(verdict.moreVotesEach)} more ${measure.noun} for each model would decide.`;
	return {
		verdict: "undecided",
		text: `No verdict yet between ${a.model} and ${b.model} (sequential test, ${p}). ${observed}. ${more}`,
	};
}

/**
 * Fills the two pickers with the models that have votes, most voted first: the two at the
 * top are compared by default.
 */
export function renderComparison(stats) {
	current = stats;
	const voted = stats.models
		.filter((row) => row.up + row.down > 0)
		.sort((a, b) => b.up + b.down - (a.up + a.down));
	for (const [id, index] of [
		["model-a", 0],
		["model-b", 1],
	]) {
		const select = $(id);
		const previous = select.value;
		select.replaceChildren(
			...voted.map(({ model }) => {
				const option = new Option(model, model, false, false);
				option.title = model;
				return option;
			}),
		);
		const keep = voted.some(({ model }) => model === previous);
		select.value = keep ? previous : ((voted[index] ?? voted[0])?.model ?? "");
	}
	compare();
}

/** Says how the two picked models compare, by people's votes and, where it ran, by the judge. */
export function compare() {
	const out = $("comparison");
	const judged = $("judge-comparison");
	const find = (id) => current.models.find((row) => row.model === $(id).value);
	const a = find("model-a");
	const b = find("model-b");
	out.dataset.verdict = "";
	judged.hidden = true;
	if (!a || !b || $("model-a").options.length < 2) {
		out.textContent = "Two models need votes in this period before they can be compared.";
		return;
	}
	if (a === b) {
		out.textContent = "Pick two different models to compare.";
		return;
	}
	const byPeople = comparisonOf(a, b, current.days, THUMBS);
	out.dataset.verdict = byPeople.verdict;
	out.textContent = byPeople.text;
	const byJudge = comparisonOf(a, b, current.days, JUDGE);
	if (byJudge.verdict === "no-data") return;
	judged.hidden = false;
	judged.dataset.verdict = byJudge.verdict;
	judged.textContent = `By the judge: ${byJudge.text}`;
}

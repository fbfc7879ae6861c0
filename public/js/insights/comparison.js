// The A/B comparison of two models, in plain words: two models differ when their 95%
// intervals do not overlap. Overlapping intervals are reported as no clear difference (a
// cautious reading: more votes narrow the intervals).

import { count, percent } from "./format.js";

const $ = (id) => document.getElementById(id);

/** The models of the last render, for `compare`. */
let models = [];

/**
 * Fills the two pickers with the models that have votes, most voted first: the two at the
 * top are compared by default.
 */
export function renderComparison(statsModels) {
	models = statsModels;
	const voted = statsModels
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

/** Says how the two picked models compare. */
export function compare() {
	const out = $("comparison");
	const find = (id) => models.find((row) => row.model === $(id).value);
	const a = find("model-a");
	const b = find("model-b");
	out.dataset.verdict = "";
	if (!a || !b || $("model-a").options.length < 2) {
		out.textContent = "Two models need votes in this period before they can be compared.";
		return;
	}
	if (a === b) {
		out.textContent = "Pick two different models to compare.";
		return;
	}
	const describe = (row) =>
		`${row.model}: ${percent(row.upRate)} up of ${count.format(row.up + row.down)} votes (95% interval ${percent(row.upRateLow)} to ${percent(row.upRateHigh)})`;
	const [better, worse] = a.upRate >= b.upRate ? [a, b] : [b, a];
	if (better.upRateLow > worse.upRateHigh) {
		out.dataset.verdict = "differ";
		out.textContent = `${better.model} is rated better than ${worse.model}, beyond their intervals: ${describe(better)}; ${describe(worse)}. The intervals do not overlap.`;
	} else {
		out.dataset.verdict = "same";
		out.textContent = `No clear difference between ${a.model} and ${b.model}: their intervals overlap (${describe(a)}; ${describe(b)}). More votes would narrow them.`;
	}
}

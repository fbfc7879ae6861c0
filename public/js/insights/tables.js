// The report's numbers as tables: delivery health, each model over the period, each
// model's days (the charts' data, for readers who cannot see them), and the routers' answers
// (the Auto Router, model aliases) by routed model and by reason.

import { count, duration, percent, withInterval } from "./format.js";

const $ = (id) => document.getElementById(id);

/** Delivery health (GET /api/admin/health's `delivery`). */
export function renderHealth(health) {
	$("health-pending").textContent = count.format(health.pending);
	$("health-delivered").textContent = count.format(health.delivered);
	$("health-refused").textContent = count.format(health.refused);
	$("health-dead").textContent = count.format(health.deadLetters);
}

/**
 * Fills the table `id` with a row of `values(row)` per row. The model's cell has its whole
 * name as a title: insights.css cuts it short.
 */
export function fillTable(id, rows, modelColumn, values) {
	$(id).tBodies[0].replaceChildren(
		...rows.map((row) => {
			const tr = document.createElement("tr");
			for (const [i, value] of values(row).entries()) {
				const cell = document.createElement(i === 0 ? "th" : "td");
				if (i === 0) cell.scope = "row";
				if (i === modelColumn) {
					cell.className = "model";
					cell.title = value;
				}
				cell.textContent = value;
				tr.append(cell);
			}
			return tr;
		}),
	);
}

/** Each model over the period. */
export function renderModels(models) {
	fillTable("models-table", models, 0, (row) => [
		row.model,
		count.format(row.answers),
		count.format(row.up),
		count.format(row.down),
		count.format(row.cleared),
		withInterval(row),
		// The judge's share of good beside people's up-rate, never mixed into it.
		row.judgeGoodRate == null
			? "–"
			: `${percent(row.judgeGoodRate)} of ${count.format(row.judgeGood + row.judgeBad)}`,
		row.meanScore == null ? "–" : row.meanScore.toFixed(1),
		[row.medianLatencyMs, row.p90LatencyMs, row.p99LatencyMs].map(duration).join(", "),
	]);
}

/** Each model's days, the latest first. */
export function renderDays(days) {
	const latestFirst = [...days].sort(
		(a, b) => b.day.localeCompare(a.day) || a.model.localeCompare(b.model),
	);
	fillTable("days-table", latestFirst, 1, (row) => [
		row.day,
		row.model,
		count.format(row.answers),
		count.format(row.up),
		count.format(row.down),
		withInterval(row),
	]);
}

/**
 * The routers' answers (stats' `routing`): the up-rate and the tokens per answer of each
 * routed model and each routing reason: is the router keeping people happy, at what cost?
 */
export function renderRouting(routing) {
	const none = routing.models.length === 0;
	$("no-routing").hidden = !none;
	$("routing").hidden = none;
	const values = (key) => (row) => [
		row[key],
		row.router,
		count.format(row.answers),
		withInterval(row),
		row.tokensPerAnswer == null ? "–" : count.format(Math.round(row.tokensPerAnswer)),
	];
	fillTable("routing-models-table", routing.models, 0, values("model"));
	fillTable("routing-reasons-table", routing.reasons, -1, values("reason"));
}

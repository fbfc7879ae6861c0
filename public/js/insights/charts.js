// The report's two charts, drawn with uPlot (vendored under /vendor/uplot and loaded before
// the page's modules, as a global): each model's daily up-rate with its 95% interval as a
// band, with a legend that hides a model, and the daily volume of answers and votes.

import { DAY_MS, dayLabel } from "./format.js";

const DAY_S = DAY_MS / 1000;
/** The charts span at least this many days, so one day of data sits on an axis of days. */
const MIN_CHART_DAYS = 7;
const PALETTE_SIZE = 6;
const CHART_HEIGHT = 260;

const $ = (id) => document.getElementById(id);

/** The charts on the page, redrawn by each render. */
const charts = [];

/** The page's colours, read from its CSS so the charts follow light and dark mode. */
function colors() {
	const style = getComputedStyle(document.documentElement);
	const read = (name) => style.getPropertyValue(name).trim();
	return {
		series: Array.from({ length: PALETTE_SIZE }, (_, i) => read(`--series-${i}`)),
		text: read("--text"),
		grid: read("--grid"),
	};
}

const chartWidth = (element) => Math.max(280, element.clientWidth);

/** Steps between the ticks of a count: whole numbers only (there is no half an answer). */
const COUNT_STEPS = Array.from({ length: 9 }, (_, power) =>
	[1, 2, 5].map((m) => m * 10 ** power),
).flat();

/** The x axis (days) and the y axis, with `y`'s options. */
function axes({ text, grid }, y) {
	const line = { stroke: grid, width: 1 };
	return [
		{
			stroke: text,
			grid: line,
			ticks: line,
			// A tick per day or per few days, labelled with the date: never a time of day.
			incrs: [1, 2, 3, 7, 14, 28].map((days) => days * DAY_S),
			values: (_, splits) => splits.map((ts) => dayLabel.format(ts * 1000)),
		},
		{ stroke: text, grid: line, ticks: line, size: 56, ...y },
	];
}

/**
 * Every day from the first with data to the last, the days without answers included, and
 * a week at least: one day of data sits at the end of a week of days, not alone.
 */
function chartDays(statsDays) {
	const dataDays = statsDays.map((row) => Date.parse(`${row.day}T00:00:00Z`));
	const last = Math.max(...dataDays);
	const first = Math.min(...dataDays, last - (MIN_CHART_DAYS - 1) * DAY_MS);
	return Array.from({ length: Math.round((last - first) / DAY_MS) + 1 }, (_, i) =>
		new Date(first + i * DAY_MS).toISOString().slice(0, 10),
	);
}

/** Draws the charts of `stats` (GET /api/admin/stats), in place of the ones drawn before. */
export function renderCharts(stats) {
	for (const chart of charts.splice(0)) chart.destroy();
	if (stats.days.length === 0) return;
	const palette = colors();
	const days = chartDays(stats.days);
	const xs = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
	const byModelDay = new Map(stats.days.map((row) => [`${row.model}\n${row.day}`, row]));
	const common = {
		height: CHART_HEIGHT,
		legend: { show: false },
		tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"),
		// Half a day on each side, so the first and last bars are whole.
		scales: { x: { time: true, range: (_, min, max) => [min - DAY_S / 2, max + DAY_S / 2] } },
	};

	// Up-rate lines with their interval bands: each model adds its rate, upper, lower bound.
	const data = [xs];
	const series = [{}];
	const bands = [];
	stats.models.forEach(({ model }, i) => {
		const color = palette.series[i % PALETTE_SIZE];
		const rows = days.map((day) => byModelDay.get(`${model}\n${day}`));
		const first = series.length;
		data.push(
			rows.map((row) => row?.upRate ?? null),
			rows.map((row) => row?.upRateHigh ?? null),
			rows.map((row) => row?.upRateLow ?? null),
		);
		series.push(
			{ label: model, stroke: color, width: 2, points: { size: 5 } },
			{ label: `${model}, upper bound`, stroke: color, width: 0, points: { show: false } },
			{ label: `${model}, lower bound`, stroke: color, width: 0, points: { show: false } },
		);
		bands.push({ series: [first + 1, first + 2], fill: `${color}2e` });
	});
	const rateElement = $("uprate-chart");
	const rateChart = new uPlot(
		{
			...common,
			width: chartWidth(rateElement),
			series,
			bands,
			scales: { ...common.scales, y: { range: [0, 1] } },
			axes: axes(palette, {
				values: (_, splits) => splits.map((v) => `${Math.round(v * 100)}%`),
			}),
		},
		data,
		rateElement,
	);
	charts.push(rateChart);

	// Daily volume, all models: answers as bars, votes as a line.
	const total = (day, pick) =>
		stats.models.reduce((sum, { model }) => {
			const row = byModelDay.get(`${model}\n${day}`);
			return sum + (row ? pick(row) : 0);
		}, 0);
	const volumeElement = $("volume-chart");
	const [answersColor, votesColor] = palette.series;
	charts.push(
		new uPlot(
			{
				...common,
				width: chartWidth(volumeElement),
				series: [
					{},
					{
						label: "Answers",
						stroke: answersColor,
						fill: `${answersColor}55`,
						paths: uPlot.paths.bars({ size: [0.7, 40] }),
						points: { show: false },
					},
					{ label: "Votes", stroke: votesColor, width: 2, points: { size: 4 } },
				],
				axes: axes(palette, { incrs: COUNT_STEPS }),
			},
			[
				xs,
				days.map((day) => total(day, (row) => row.answers)),
				days.map((day) => total(day, (row) => row.up + row.down + row.cleared)),
			],
			volumeElement,
		),
	);

	renderLegend(stats.models, rateChart);
}

/** The legend toggles each model's line and band. */
function renderLegend(models, rateChart) {
	$("legend").replaceChildren(
		...models.map(({ model }, i) => {
			const label = document.createElement("label");
			const box = document.createElement("input");
			box.type = "checkbox";
			box.checked = true;
			box.addEventListener("change", () => {
				// The model's rate, upper and lower bound: series 1 + 3i, 2 + 3i, 3 + 3i.
				for (let k = 1; k <= 3; k++) rateChart.setSeries(3 * i + k, { show: box.checked });
			});
			const swatch = document.createElement("span");
			swatch.className = `swatch swatch-${i % PALETTE_SIZE}`;
			label.append(box, swatch, model);
			return label;
		}),
	);
}

/** Fits the charts to their containers' width. */
export function resizeCharts() {
	for (const chart of charts) {
		chart.setSize({ width: chartWidth(chart.root.parentElement), height: CHART_HEIGHT });
	}
}

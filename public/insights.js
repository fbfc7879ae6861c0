// /insights: what the feedback store knows, for a team. Reads the admin API with the
// ADMIN_TOKEN (kept in this tab's sessionStorage) and draws with uPlot, vendored under
// /vendor/uplot and loaded before this module (both are deferred, in document order).

const ADMIN_KEY = "insights-admin-token";
const DEBUG_KEY = "insights-debug-token";
const DAY_MS = 86_400_000;
const DAY_S = 86_400;
/** The charts span at least this many days, so one day of data sits on an axis of days. */
const MIN_CHART_DAYS = 7;
const PALETTE_SIZE = 6;
const CHART_HEIGHT = 260;

const $ = (id) => document.getElementById(id);
const count = new Intl.NumberFormat("en");
/** "1 answer", "2 answers". */
const plural = (n, noun) => `${count.format(n)} ${noun}${n === 1 ? "" : "s"}`;
/** The store's days are UTC days: label them so, whatever the viewer's time zone. */
const dayLabel = new Intl.DateTimeFormat("en", { month: "short", day: "numeric", timeZone: "UTC" });
const percent = (value) => (value == null ? "–" : `${(value * 100).toFixed(1)}%`);
const withInterval = (row) =>
	row.upRate == null
		? "no votes"
		: `${percent(row.upRate)} (${percent(row.upRateLow)} to ${percent(row.upRateHigh)})`;
const duration = (ms) =>
	ms == null ? "–" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;
const VOTES = { up: "Good answer", down: "Bad answer", clear: "Vote withdrawn" };

class ApiError extends Error {
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

/** GET from this Worker's API with a bearer token; errors in the API's one shape. */
async function get(path, token) {
	const res = await fetch(path, {
		headers: { authorization: `Bearer ${token}` },
		cache: "no-store",
	});
	if (!res.ok) {
		const body = await res.json().catch(() => null);
		throw new ApiError(
			res.status,
			body?.error?.code,
			body?.error?.message ?? `the server answered ${res.status}`,
		);
	}
	return res.json();
}

function setStatus(text, state = "") {
	$("status").textContent = text;
	$("status").dataset.state = state;
}

/** What the last load returned: { stats, health, comments }. */
let current = null;
const charts = [];

async function load() {
	const adminToken = $("admin-token").value.trim();
	const debugToken = $("debug-token").value.trim();
	sessionStorage.setItem(ADMIN_KEY, adminToken);
	if (debugToken) sessionStorage.setItem(DEBUG_KEY, debugToken);
	else sessionStorage.removeItem(DEBUG_KEY);
	const until = new Date();
	const since = new Date(until.getTime() - Number($("days").value) * DAY_MS);
	const range = `since=${since.toISOString()}&until=${until.toISOString()}`;
	setStatus("Loading…");
	$("show").disabled = true;
	try {
		const [stats, { delivery }, { items }] = await Promise.all([
			get(`/api/admin/stats?${range}`, adminToken),
			get("/api/admin/health", adminToken),
			get(`/api/admin/feedback?hasComment=true&limit=10&${range}`, adminToken),
		]);
		current = { stats, health: delivery, comments: items };
		$("report").hidden = false;
		render();
		const answers = stats.models.reduce((sum, row) => sum + row.answers, 0);
		const votes = stats.models.reduce((sum, row) => sum + row.up + row.down + row.cleared, 0);
		setStatus(
			`${plural(answers, "answer")} and ${plural(votes, "vote")} from ${plural(stats.models.length, "model")}, ${since.toLocaleDateString()} to ${until.toLocaleDateString()}.`,
		);
	} catch (err) {
		$("report").hidden = true;
		if (err.status === 401) {
			sessionStorage.removeItem(ADMIN_KEY);
			setStatus("The admin token was not accepted.", "error");
		} else if (err.status === 404) {
			setStatus("The admin API is off here: set the ADMIN_TOKEN secret.", "error");
		} else {
			setStatus(`Could not load the insights: ${err.message}`, "error");
		}
	} finally {
		$("show").disabled = false;
	}
}

function render() {
	// With no answers in the period, say so and what to do instead of empty charts and tables.
	const empty = current.stats.days.length === 0;
	$("empty-state").hidden = !empty;
	for (const section of document.querySelectorAll(".needs-data")) section.hidden = empty;
	renderHealth();
	renderCharts();
	renderModels();
	renderDays();
	renderComparison();
	renderComments();
}

function renderHealth() {
	const { health } = current;
	$("health-pending").textContent = count.format(health.pending);
	$("health-delivered").textContent = count.format(health.delivered);
	$("health-refused").textContent = count.format(health.refused);
	$("health-dead").textContent = count.format(health.deadLetters);
}

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

function renderCharts() {
	for (const chart of charts.splice(0)) chart.destroy();
	const { stats } = current;
	if (stats.days.length === 0) return;
	const palette = colors();
	// Every day from the first with data to the last, the days without answers included, and
	// a week at least: one day of data sits at the end of a week of days, not alone.
	const dataDays = stats.days.map((row) => Date.parse(`${row.day}T00:00:00Z`));
	const last = Math.max(...dataDays);
	const first = Math.min(...dataDays, last - (MIN_CHART_DAYS - 1) * DAY_MS);
	const days = Array.from({ length: Math.round((last - first) / DAY_MS) + 1 }, (_, i) =>
		new Date(first + i * DAY_MS).toISOString().slice(0, 10),
	);
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
	charts.push(
		new uPlot(
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
		),
	);

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

	// The legend toggles each model's line and band.
	const [rateChart] = charts;
	$("legend").replaceChildren(
		...stats.models.map(({ model }, i) => {
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

/** A table row. The model's cell has its whole name as a title: insights.css cuts it short. */
function cells(row, values, modelColumn) {
	for (const [i, value] of values.entries()) {
		const cell = document.createElement(i === 0 ? "th" : "td");
		if (i === 0) cell.scope = "row";
		if (i === modelColumn) {
			cell.className = "model";
			cell.title = value;
		}
		cell.textContent = value;
		row.append(cell);
	}
	return row;
}

function renderModels() {
	$("models-table").tBodies[0].replaceChildren(
		...current.stats.models.map((row) =>
			cells(
				document.createElement("tr"),
				[
					row.model,
					count.format(row.answers),
					count.format(row.up),
					count.format(row.down),
					count.format(row.cleared),
					withInterval(row),
					row.meanScore == null ? "–" : row.meanScore.toFixed(1),
					duration(row.medianLatencyMs),
				],
				0,
			),
		),
	);
}

function renderDays() {
	const rows = [...current.stats.days].sort(
		(a, b) => b.day.localeCompare(a.day) || a.model.localeCompare(b.model),
	);
	$("days-table").tBodies[0].replaceChildren(
		...rows.map((row) =>
			cells(
				document.createElement("tr"),
				[
					row.day,
					row.model,
					count.format(row.answers),
					count.format(row.up),
					count.format(row.down),
					withInterval(row),
				],
				1,
			),
		),
	);
}

/** Models with votes, most voted first: the two at the top are compared by default. */
function renderComparison() {
	const models = current.stats.models
		.filter((row) => row.up + row.down > 0)
		.sort((a, b) => b.up + b.down - (a.up + a.down));
	for (const [id, index] of [
		["model-a", 0],
		["model-b", 1],
	]) {
		const select = $(id);
		const previous = select.value;
		select.replaceChildren(
			...models.map(({ model }) => {
				const option = new Option(model, model, false, false);
				option.title = model;
				return option;
			}),
		);
		const keep = models.some(({ model }) => model === previous);
		select.value = keep ? previous : ((models[index] ?? models[0])?.model ?? "");
	}
	compare();
}

/**
 * The A/B answer, in plain words: two models differ when their 95% intervals do not
 * overlap. Overlapping intervals are reported as no clear difference (a cautious reading:
 * more votes narrow the intervals).
 */
function compare() {
	const out = $("comparison");
	const find = (id) => current.stats.models.find((row) => row.model === $(id).value);
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

function renderComments() {
	const template = $("comment-template");
	const list = $("comments");
	list.replaceChildren(
		...current.comments.map((item) => {
			const node = template.content.firstElementChild.cloneNode(true);
			node.querySelector(".comment-text").textContent = item.comment;
			const score = item.score == null ? "" : ` · score ${item.score}`;
			node.querySelector(".comment-meta").textContent =
				`${VOTES[item.vote] ?? item.vote}${score} · ${item.model ?? "unknown model"} · ${new Date(item.createdAt).toLocaleString()}`;
			node.querySelector(".log-id").textContent = item.aiGatewayLogId;
			const button = node.querySelector(".open-log");
			button.dataset.logId = item.aiGatewayLogId;
			button.setAttribute("aria-label", `Open gateway log ${item.aiGatewayLogId}`);
			return node;
		}),
	);
	$("no-comments").hidden = current.comments.length > 0;
}

/** The answer's gateway log, through the debug route (DEBUG_TOKEN). */
async function openLog(logId) {
	const panel = $("log-panel");
	panel.hidden = false;
	$("log-title").textContent = `Gateway log ${logId}`;
	$("log-json").textContent = "";
	$("log-title").focus();
	const token = $("debug-token").value.trim();
	if (!token) {
		$("log-status").textContent = "Enter the debug token (DEBUG_TOKEN) above to open gateway logs.";
		return;
	}
	$("log-status").textContent = "Loading…";
	try {
		const log = await get(`/api/logs/${encodeURIComponent(logId)}`, token);
		$("log-status").textContent = "";
		$("log-json").textContent = JSON.stringify(log, null, 2);
	} catch (err) {
		$("log-status").textContent =
			err.status === 401
				? "The debug token was not accepted."
				: err.code === "not_found"
					? "The debug route is off here (DEBUG_TOKEN is not set)."
					: `Could not open the log: ${err.message}`;
	}
}

$("access").addEventListener("submit", (event) => {
	event.preventDefault();
	load();
});
$("days").addEventListener("change", () => {
	if (current) load();
});
$("forget").addEventListener("click", () => {
	sessionStorage.removeItem(ADMIN_KEY);
	sessionStorage.removeItem(DEBUG_KEY);
	$("admin-token").value = "";
	$("debug-token").value = "";
	$("report").hidden = true;
	current = null;
	setStatus("Tokens forgotten.");
});
$("compare").addEventListener("change", compare);
// A table wider than the screen scrolls sideways: a tab stop lets the keyboard scroll it, as
// the chat page's tables.
for (const region of document.querySelectorAll(".table-scroll")) region.tabIndex = 0;
$("comments").addEventListener("click", (event) => {
	const button = event.target.closest(".open-log");
	if (button) openLog(button.dataset.logId);
});

// Charts follow the page: its width, and light or dark mode.
new ResizeObserver(() => {
	for (const chart of charts) {
		chart.setSize({ width: chartWidth(chart.root.parentElement), height: CHART_HEIGHT });
	}
}).observe($("report"));
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
	if (current) renderCharts();
});

$("admin-token").value = sessionStorage.getItem(ADMIN_KEY) ?? "";
$("debug-token").value = sessionStorage.getItem(DEBUG_KEY) ?? "";
if ($("admin-token").value) load();

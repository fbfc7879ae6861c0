// /insights' entry point (a native ES module, no build step): what the feedback store knows,
// for a team. Reads the admin API with the ADMIN_TOKEN (kept in this tab's sessionStorage),
// or without one behind Cloudflare Access (the Worker checks the sign-in), and draws with
// uPlot, vendored under /vendor/uplot and loaded before this module (both are deferred, in
// document order).

import { getJson } from "../http.js";
import { explainReportFailure, loadReport } from "./api.js";
import { renderCharts, resizeCharts } from "./charts.js";
import { initComments, renderComments } from "./comments.js";
import { compare, renderComparison } from "./comparison.js";
import { plural } from "./format.js";
import { renderJudge } from "./judge.js";
import { renderDays, renderHealth, renderModels, renderRouting } from "./tables.js";
import {
	forgetAdminToken,
	forgetTokens,
	keepTokens,
	keptTokens,
	setBehindAccess,
} from "./tokens.js";

const $ = (id) => document.getElementById(id);

/** What the last load returned: { stats, health, comments, since, until }. */
let current = null;

function setStatus(text, state = "") {
	$("status").textContent = text;
	$("status").dataset.state = state;
}

/** Loads the report, with the admin token typed in or, behind Cloudflare Access, without one. */
async function load() {
	const tokens = { admin: $("admin-token").value.trim(), debug: $("debug-token").value.trim() };
	keepTokens(tokens);
	setStatus("Loading…");
	$("show").disabled = true;
	try {
		current = await loadReport(tokens.admin, Number($("days").value));
		setBehindAccess(!tokens.admin);
		$("report").hidden = false;
		render();
		const { stats, since, until } = current;
		const answers = stats.models.reduce((sum, row) => sum + row.answers, 0);
		const votes = stats.models.reduce((sum, row) => sum + row.up + row.down + row.cleared, 0);
		setStatus(
			`${plural(answers, "answer")} and ${plural(votes, "vote")} from ${plural(stats.models.length, "model")}, ${since.toLocaleDateString()} to ${until.toLocaleDateString()}.`,
		);
	} catch (error) {
		$("report").hidden = true;
		if (error.status === 401) forgetAdminToken();
		setStatus(
			error.status === 401 && !tokens.admin
				? "Enter the admin token (ADMIN_TOKEN): this page is not behind Cloudflare Access."
				: explainReportFailure(error),
			"error",
		);
	} finally {
		$("show").disabled = false;
	}
}

function render() {
	const { stats, health, comments, disagreements } = current;
	// With no answers in the period, say so and what to do instead of empty charts and tables.
	const empty = stats.days.length === 0;
	$("empty-state").hidden = !empty;
	for (const section of document.querySelectorAll(".needs-data")) section.hidden = empty;
	renderHealth(health);
	renderCharts(stats);
	renderModels(stats.models);
	renderDays(stats.days);
	renderRouting(stats.routing);
	renderComparison(stats);
	renderJudge(stats, disagreements);
	renderComments(comments);
}

$("access").addEventListener("submit", (event) => {
	event.preventDefault();
	load();
});
$("days").addEventListener("change", () => {
	if (current) load();
});
$("forget").addEventListener("click", () => {
	forgetTokens();
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
initComments();

// Charts follow the page: its width, and light or dark mode.
new ResizeObserver(resizeCharts).observe($("report"));
matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => {
	if (current) renderCharts(current.stats);
});

/**
 * Loads the report with no token when this visit came through Cloudflare Access, as the Worker
 * says (GET /api/admin/access, always 200); otherwise the page waits for a token. A report
 * request tried without one would be refused outside Access, a console error on every visit.
 */
async function openThroughAccess() {
	try {
		if (!(await getJson("/api/admin/access", "")).throughAccess) return;
	} catch {
		return; // Unreachable for now: "Show insights" tries again.
	}
	setBehindAccess(true);
	$("admin-token").placeholder = "Signed in through Cloudflare Access";
	load();
}

const kept = keptTokens();
$("admin-token").value = kept.admin;
$("debug-token").value = kept.debug;
if (kept.admin) load();
else openThroughAccess();

// End to end: answers and votes through the API of `npm run dev`, then /insights in Chromium,
// with the little data a new user has (an empty store, then one answer from a model with a
// 130-character name) and with two models' answers and votes.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import type { BrowserContextOptions, Page } from "playwright-core";
import { type JudgeVotes, judgeAgreement } from "../../src/core/agreement.ts";
import { DAY_MS } from "../../src/core/time.ts";
import { ARTIFACTS, axeViolations, clientHeaders, serious, VIEWS } from "./browser.ts";
import { ROOT } from "./dev-server.ts";
import { browserHarness } from "./harness.ts";

const GOOD = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const POOR = "@cf/openai/gpt-oss-120b";
/** A Workers AI model id of 130 characters (the emulator answers any model name). */
const LONG = `@cf/example/${"long-model-name-".repeat(7)}v1-fp8`;
/** Answers per model: 18 in all, within the chat's rate limit of 20 a minute. */
const PER_MODEL = 9;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

// Each block of tests has a dev server (and store) of its own: `e2e.serve()`.
const e2e = browserHarness({ server: false });
const commented: string[] = [];

interface Answer {
	aiGatewayLogId: string;
	feedbackToken: string;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
	const res = await fetch(`${e2e.server.url}${path}`, {
		method: "POST",
		headers: { "content-type": "application/json", ...headers },
		body: JSON.stringify(body),
	});
	assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
	return res.json();
}

const admin = async (path: string) => {
	const res = await fetch(`${e2e.server.url}/api/admin${path}`, {
		headers: { authorization: `Bearer ${e2e.server.adminToken}` },
	});
	assert.equal(res.status, 200);
	return res.json();
};

/** Waits until the store counts `count` delivered votes. */
async function delivered(count: number) {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const { delivery } = (await admin("/health")) as { delivery: { delivered: number } };
		if (delivery.delivered === count) return;
		assert.ok(Date.now() < deadline, `only ${delivery.delivered} votes delivered`);
		await new Promise((done) => setTimeout(done, 250));
	}
}

/**
 * Waits until the store holds `count` answers: they reach it through the answers' queue, whose
 * consumer writes a batch up to 5 s (max_batch_timeout) after its first answer.
 */
async function stored(count: number) {
	const deadline = Date.now() + 30_000;
	for (;;) {
		const { models } = (await admin("/stats")) as { models: { answers: number }[] };
		const answers = models.reduce((sum, model) => sum + model.answers, 0);
		if (answers === count) return;
		assert.ok(Date.now() < deadline, `only ${answers} answers stored`);
		await new Promise((done) => setTimeout(done, 250));
	}
}

/**
 * Opens /insights, failing the test on any console error or CSP violation. The page records
 * the text its charts draw on their canvases (uPlot draws its axes' labels with fillText).
 */
function openInsights(options: BrowserContextOptions = {}) {
	return e2e.open("/insights", options, () => {
		document.addEventListener("securitypolicyviolation", (event) => {
			console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
		});
		const drawn = new WeakMap<HTMLCanvasElement, string[]>();
		const fillText = CanvasRenderingContext2D.prototype.fillText;
		CanvasRenderingContext2D.prototype.fillText = function (
			this: CanvasRenderingContext2D,
			text: string,
			...rest: [number, number, number?]
		) {
			drawn.set(this.canvas, [...(drawn.get(this.canvas) ?? []), String(text)]);
			return fillText.call(this, text, ...rest);
		};
		(window as unknown as { chartTexts: () => string[][] }).chartTexts = () =>
			Array.from(
				document.querySelectorAll<HTMLCanvasElement>(".chart canvas"),
				(canvas) => drawn.get(canvas) ?? [],
			);
	});
}

async function showInsights(page: Page) {
	await page.fill("#admin-token", e2e.server.adminToken);
	await page.fill("#debug-token", e2e.server.debugToken);
	await page.press("#admin-token", "Enter");
	await page.waitForSelector("#report:not([hidden]) #uprate-chart canvas");
}

/** Shows the report whatever it holds: waits for the status line that ends a load. */
async function showReport(page: Page) {
	await page.fill("#admin-token", e2e.server.adminToken);
	await page.press("#admin-token", "Enter");
	await page.waitForFunction(() =>
		/ from \d+ models?,/.test(document.querySelector("#status")?.textContent ?? ""),
	);
}

/** Every text drawn on each chart's canvas so far. */
const chartTexts = (page: Page) =>
	page.evaluate(() => (window as unknown as { chartTexts: () => string[][] }).chartTexts());

/**
 * What is wrong with the charts' labels for data on `day` (a UTC day, in ms): a label that is
 * not a y value (a rate or a count) must be a day ("Dec 3") within a week of it.
 */
function axisProblems(charts: string[][], day: number) {
	const problems: string[] = [];
	const year = new Date(day).getUTCFullYear();
	for (const [i, labels] of charts.entries()) {
		let days = 0;
		for (const label of labels) {
			if (/^\d{1,3}%?$/.test(label)) continue;
			const match = /^([A-Z][a-z]{2}) (\d{1,2})$/.exec(label);
			const month = MONTHS.indexOf(match?.[1] ?? "");
			if (!match || month < 0) {
				problems.push(`chart ${i}: "${label}" is not a day`);
				continue;
			}
			const distance = Math.min(
				...[year - 1, year, year + 1].map((y) =>
					Math.abs(Date.UTC(y, month, Number(match[2])) - day),
				),
			);
			if (distance > 7 * DAY_MS) problems.push(`chart ${i}: "${label}" is over a week away`);
			else days++;
		}
		if (days === 0) problems.push(`chart ${i}: no day on its axis`);
	}
	return problems;
}

/** Today's UTC day, in ms: the day of every answer the tests send. */
const today = () => Math.floor(Date.now() / DAY_MS) * DAY_MS;

/**
 * What is wrong with the page's layout: on a phone, no sideways scroll and the page's gutter
 * on both sides of every field and card; on a desktop, the content centred under the header,
 * with the header's width.
 */
async function layoutProblems(page: Page) {
	return page.evaluate(() => {
		const problems: string[] = [];
		// A phone's browser zooms out to show a page wider than the screen: its layout
		// viewport (clientWidth) stays the screen's width while innerWidth grows.
		const width = Math.min(window.innerWidth, document.documentElement.clientWidth);
		const scrollWidth = document.documentElement.scrollWidth;
		if (scrollWidth > width) problems.push(`scroll width ${scrollWidth}px > ${width}px`);
		const contentBox = (element: Element) => {
			const rect = element.getBoundingClientRect();
			const style = getComputedStyle(element);
			return {
				left: rect.left + Number.parseFloat(style.paddingLeft),
				right: rect.right - Number.parseFloat(style.paddingRight),
			};
		};
		if (width >= 1024) {
			const header = contentBox(document.querySelector(".top") as Element);
			const main = contentBox(document.querySelector("main") as Element);
			if (main.left < 16) problems.push(`content starts ${main.left}px from the left edge`);
			if (Math.abs(main.left - header.left) > 1 || Math.abs(main.right - header.right) > 1) {
				problems.push(
					`content ${main.left}-${main.right}px, header ${header.left}-${header.right}px`,
				);
			}
		} else {
			const selector =
				"input:not([type=checkbox]), select, .health > div, .chart-figure, .comparison, .comment-item";
			for (const element of document.querySelectorAll(selector)) {
				const rect = element.getBoundingClientRect();
				if (rect.width === 0) continue; // Not shown.
				if (rect.left < 8 || rect.right > width - 8) {
					problems.push(`${element.id || element.className}: ${rect.left}-${rect.right}px`);
				}
			}
		}
		return problems;
	});
}

describe("little data: an empty store, then one answer from a model with a 130-character name", () => {
	e2e.serve({ vars: { ALLOWED_MODELS: [GOOD, LONG].join(",") } });

	test("an empty store says there are no answers yet and what to do, with no dates on empty axes", async () => {
		const { page, problems, close } = await openInsights({
			viewport: { width: 1280, height: 800 },
		});
		await showReport(page);
		assert.match(
			(await page.textContent("#status")) ?? "",
			/^0 answers and 0 votes from 0 models,/,
		);
		const empty = page.getByRole("heading", { name: "No answers yet" });
		assert.equal(await empty.isVisible(), true);
		assert.match(
			((await page.textContent("#empty-state")) ?? "").replace(/\s+/g, " "),
			/Send a chat on the chat page and rate its answer/,
		);
		assert.equal(await page.getAttribute("#empty-state a", "href"), "/");
		assert.equal(await page.isVisible("#uprate-chart"), false);
		assert.equal(await page.isVisible("#volume-chart"), false);
		// uPlot labelled an axis without data from the epoch: "12/31/69", "1/1/70".
		const drawn = (await chartTexts(page)).flat();
		assert.deepEqual(
			drawn.filter((text) => /19[67]\d|\/(69|70)$/.test(text)),
			[],
		);
		assert.deepEqual(drawn, [], "no axes are drawn without data");
		assert.deepEqual(problems, []);
		await close();
	});

	for (const [name, options] of VIEWS) {
		test(`an empty store: axe finds no serious or critical violation, and the layout holds: ${name}`, async () => {
			const { page, problems, close } = await openInsights(options);
			await showReport(page);
			assert.deepEqual(serious(await axeViolations(page)), []);
			assert.deepEqual(await layoutProblems(page), []);
			assert.deepEqual(problems, []);
			await close();
		});
	}

	test("one answer: counted in the singular, on an axis of days around its day", async () => {
		const answer = (await post(
			"/api/chat",
			{ model: LONG, messages: [{ role: "user", content: "A first question" }] },
			clientHeaders(),
		)) as Answer;
		await post("/api/feedback", {
			aiGatewayLogId: answer.aiGatewayLogId,
			token: answer.feedbackToken,
			feedback: "up",
		});
		await delivered(1);
		await stored(1);
		for (const viewport of [
			{ width: 1280, height: 800 },
			{ width: 390, height: 844 },
		]) {
			const { page, problems, close } = await openInsights({ viewport });
			await showInsights(page);
			assert.match((await page.textContent("#status")) ?? "", /^1 answer and 1 vote from 1 model,/);
			assert.equal(await page.isVisible("#empty-state"), false);
			assert.equal(
				await page.textContent("#comparison"),
				"Two models need votes in this period before they can be compared.",
			);
			const charts = await chartTexts(page);
			assert.equal(charts.length, 2);
			assert.deepEqual(axisProblems(charts, today()), [], `at ${viewport.width} px`);
			assert.deepEqual(problems, []);
			await close();
		}
	});

	test("a 130-character model name leaves every number in view, with the name in full", async () => {
		assert.equal(LONG.length, 130);
		const { page, problems, close } = await openInsights({
			viewport: { width: 1280, height: 800 },
		});
		await showInsights(page);
		await page.getByText("Daily numbers as a table").click();
		for (const table of ["#models-table", "#days-table"]) {
			const name = page.locator(`${table} tbody tr`).first().getByText(LONG, { exact: true });
			assert.equal(await name.getAttribute("title"), LONG, `${table}: the full name`);
			const numbers = page.locator(`${table} tbody td`);
			assert.ok((await numbers.count()) >= 4);
			for (const cell of await numbers.all()) {
				const box = await cell.boundingBox();
				const text = await cell.textContent();
				if (text === LONG) continue; // The days table's model column.
				assert.ok(
					box && box.x >= 0 && box.x + box.width <= 1280,
					`${table}: "${text}" at ${box?.x}`,
				);
			}
		}
		assert.equal(await page.getAttribute("#model-a option", "title"), LONG);
		assert.deepEqual(problems, []);
		await close();

		const phone = await openInsights({ viewport: { width: 390, height: 844 } });
		await showInsights(phone.page);
		const overflow = await phone.page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth,
		);
		assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
		assert.deepEqual(phone.problems, []);
		await phone.close();
	});

	for (const [name, options] of VIEWS) {
		test(`one answer from the long-named model: axe finds no serious or critical violation, and the layout holds: ${name}`, async () => {
			const { page, problems, close } = await openInsights(options);
			await showInsights(page);
			await page.getByText("Daily numbers as a table").click();
			assert.deepEqual(serious(await axeViolations(page)), []);
			assert.deepEqual(await layoutProblems(page), []);
			assert.deepEqual(problems, []);
			await close();
		});
	}
});

describe("two models, 18 answers and votes of today", () => {
	e2e.serve();

	before(async () => {
		// One model is liked (8 of 9 up), the other is not (1 of 9): far apart, on few votes.
		for (const [model, ups] of [
			[GOOD, 8],
			[POOR, 1],
		] as const) {
			for (let i = 0; i < PER_MODEL; i++) {
				const answer = (await post("/api/chat", {
					model,
					messages: [{ role: "user", content: `Question ${i} for ${model}` }],
				})) as Answer;
				const comment = i < 2 ? `Comment ${i} on ${model}` : undefined;
				if (comment) commented.push(answer.aiGatewayLogId);
				await post("/api/feedback", {
					aiGatewayLogId: answer.aiGatewayLogId,
					token: answer.feedbackToken,
					feedback: i < ups ? "up" : "down",
					score: i < ups ? 90 : 10,
					comment,
				});
			}
		}
		// Every vote delivered, and in the store.
		await delivered(2 * PER_MODEL);
		await stored(2 * PER_MODEL);
	});

	test("shows up-rates with intervals, the A/B answer, comments with their logs, and delivery health", async () => {
		const { page, response, problems, close } = await openInsights();
		const csp = response?.headers()["content-security-policy"] ?? "";
		assert.match(csp, /script-src 'self'/);
		assert.match(csp, /style-src 'self'/);
		await showInsights(page);

		assert.equal(await page.locator("#uprate-chart canvas").count(), 1);
		assert.equal(await page.locator("#volume-chart canvas").count(), 1);
		assert.match(
			(await page.textContent("#status")) ?? "",
			/18 answers and 18 votes from 2 models/,
		);
		assert.equal(await page.textContent("#health-delivered"), "18");
		assert.equal(await page.textContent("#health-pending"), "0");
		assert.equal(await page.textContent("#health-refused"), "0");
		assert.equal(await page.textContent("#health-dead"), "0");

		const comparison = (await page.textContent("#comparison")) ?? "";
		// 9 votes each are too few for the sequential test, however far apart: it says how many more.
		assert.match(comparison, /^No verdict yet between .+ \(sequential test, p = 0\.\d{3}\)\./);
		assert.match(comparison, /88\.9% up of 9 votes/);
		assert.match(comparison, /minus .+: -?77\.8 points \(95% interval /);
		assert.match(comparison, /about \d+ more votes for each model would decide\.$/);
		assert.equal(await page.getAttribute("#comparison", "data-verdict"), "undecided");
		// No judge ran: no judge comparison.
		assert.equal(await page.isHidden("#judge-comparison"), true);
		assert.match(
			(await page.textContent("#models-table")) ?? "",
			/88\.9% \(\d+\.\d% to \d+\.\d%\)/,
		);
		// The thumbs and the up-rate, by their headers.
		const headers = await page.locator("#models-table thead th").allTextContents();
		const row = async (model: string) => {
			const cells = await page
				.locator("#models-table tbody tr", { hasText: model })
				.locator("th, td")
				.allTextContents();
			return Object.fromEntries(headers.map((header, i) => [header, cells[i]]));
		};
		assert.deepEqual(
			[await row(GOOD), await row(POOR)].map((cells) => [cells.Up, cells.Down]),
			[
				["8", "1"],
				["1", "8"],
			],
		);
		assert.match((await row(GOOD))["Up-rate (95% interval)"] ?? "", /^88\.9% /);

		// The comments, newest first, each with its log id; one opens its gateway log.
		const items = page.locator(".comment-item");
		assert.equal(await items.count(), 4);
		const shownIds = await page.locator(".comment-item .log-id").allTextContents();
		assert.deepEqual(new Set(shownIds), new Set(commented));
		await page.locator(".open-log").first().click();
		await page.waitForFunction(() =>
			document.querySelector("#log-json")?.textContent?.startsWith("{"),
		);
		const log = JSON.parse((await page.textContent("#log-json")) ?? "{}") as {
			id: string;
			feedback: number;
		};
		assert.equal(log.id, shownIds[0]);
		assert.equal(typeof log.feedback, "number");
		assert.equal(await page.evaluate(() => document.activeElement?.id), "log-title");

		// The tokens stay in this tab's sessionStorage: a reload shows the report again.
		await page.reload();
		await page.waitForSelector("#report:not([hidden]) #uprate-chart canvas");

		await page.screenshot({ path: join(ARTIFACTS, "insights.png"), fullPage: true });
		assert.deepEqual(problems, []);
		await close();
	});

	test("compares the two models the user picks, and hides one from the chart", async () => {
		const { page, problems, close } = await openInsights();
		await showInsights(page);
		await page.selectOption("#model-a", POOR);
		await page.selectOption("#model-b", POOR);
		assert.equal(await page.textContent("#comparison"), "Pick two different models to compare.");
		await page.selectOption("#model-b", GOOD);
		assert.match(
			(await page.textContent("#comparison")) ?? "",
			new RegExp(`^No verdict yet between ${POOR} and ${GOOD}`),
		);
		// Hiding a model from the chart is a checkbox in its legend.
		await page.getByRole("checkbox", { name: POOR }).uncheck();
		assert.deepEqual(problems, []);
		await close();
	});

	test("refuses a wrong admin token and keeps nothing of it", async () => {
		const { page, close } = await openInsights();
		await page.fill("#admin-token", "not-the-admin-token-0123456789abcdef");
		await page.click("#show");
		await page.waitForFunction(() =>
			document.querySelector("#status")?.textContent?.includes("not accepted"),
		);
		assert.equal(await page.isHidden("#report"), true);
		assert.equal(await page.evaluate(() => sessionStorage.getItem("insights-admin-token")), null);
		await close();
	});

	test("works with the keyboard alone, on a phone, in dark mode", async () => {
		const { page, problems, close } = await openInsights({
			viewport: { width: 390, height: 844 },
			colorScheme: "dark",
			deviceScaleFactor: 2,
		});
		// The first stop is the navigation link, then the admin token.
		await page.keyboard.press("Tab");
		await page.keyboard.press("Tab");
		assert.equal(await page.evaluate(() => document.activeElement?.id), "admin-token");
		await page.keyboard.type(e2e.server.adminToken);
		await page.keyboard.press("Enter");
		await page.waitForSelector("#report:not([hidden]) #uprate-chart canvas");
		const overflow = await page.evaluate(
			() => document.documentElement.scrollWidth - window.innerWidth,
		);
		assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
		const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
		assert.equal(background, "rgb(20, 20, 23)");
		// Without a debug token, opening a log says what is missing.
		await page.locator(".open-log").first().focus();
		await page.keyboard.press("Enter");
		await page.waitForFunction(() =>
			document.querySelector("#log-status")?.textContent?.includes("debug token"),
		);
		await page.screenshot({ path: join(ARTIFACTS, "insights-phone-dark.png") });
		assert.deepEqual(problems, []);
		await close();
	});

	test("the charts' axes are days around the data, never times of day", async () => {
		for (const viewport of [
			{ width: 1280, height: 800 },
			{ width: 390, height: 844 },
		]) {
			const { page, problems, close } = await openInsights({ viewport });
			await showInsights(page);
			const charts = await chartTexts(page);
			assert.equal(charts.length, 2);
			assert.deepEqual(axisProblems(charts, today()), [], `at ${viewport.width} px`);
			assert.deepEqual(problems, []);
			await close();
		}
	});

	for (const [name, options] of VIEWS) {
		test(`axe finds no serious or critical violation, and the layout holds: ${name}`, async () => {
			const { page, problems, close } = await openInsights(options);
			await showInsights(page);
			assert.deepEqual(serious(await axeViolations(page)), []);
			assert.deepEqual(await layoutProblems(page), []);
			assert.deepEqual(problems, []);
			await close();
		});
	}
});

describe("three days of answers, seeded into the store", () => {
	let state: string;

	before(async () => {
		state = mkdtempSync(join(tmpdir(), "insights-e2e-"));
		execFileSync(
			process.execPath,
			["scripts/seed-feedback.mjs", "--answers", "300", "--days", "3", "--persist-to", state],
			{ cwd: ROOT, stdio: "ignore" },
		);
	});
	e2e.serve({ persistTo: () => state });

	after(() => {
		rmSync(state, { recursive: true, force: true });
	});

	test("the Auto Router's answers are broken down by routed model and by reason, as the stats say", async () => {
		type Breakdown = Record<string, string | number | null>;
		// The page's default period: the last 30 days.
		const since = new Date(Date.now() - 30 * DAY_MS).toISOString();
		const { routing } = (await admin(`/stats?since=${since}`)) as {
			routing: { models: Breakdown[]; reasons: Breakdown[] };
		};
		// The seed routes about a third of its answers through cloudflare/auto.
		assert.ok(routing.models.length >= 2, JSON.stringify(routing));
		assert.equal(routing.reasons.length, 3);
		const { page, problems, close } = await openInsights({
			viewport: { width: 1280, height: 800 },
		});
		await showInsights(page);
		assert.equal(await page.isVisible("#no-routing"), false);
		const rows = (id: string) =>
			page.$$eval(`#${id} tbody tr`, (trs) =>
				trs.map((tr) => Array.from(tr.children, (cell) => cell.textContent)),
			);
		const shown = await rows("routing-models-table");
		assert.deepEqual(
			shown.map((row) => [row[0], row[1], row[2]]),
			routing.models.map((row) => [row.model, row.router, String(row.answers)]),
		);
		// Each up-rate with its interval, and the tokens per answer: the cost side.
		for (const [i, row] of routing.models.entries()) {
			assert.match(String(shown[i]?.[3]), new RegExp(`^${(Number(row.upRate) * 100).toFixed(1)}%`));
			assert.equal(shown[i]?.[4], Math.round(Number(row.tokensPerAnswer)).toLocaleString("en"));
		}
		assert.deepEqual(
			(await rows("routing-reasons-table")).map((row) => row[0]),
			["cost_optimal_within_pool", "fallback_candidate_unavailable", "pinned_by_turn"],
		);
		const panel = page.locator("section", { has: page.locator("#routing-title") });
		await panel.screenshot({ path: join(ARTIFACTS, "insights-auto-router.png") });
		assert.deepEqual(problems, []);
		await close();
	});

	test("the judge's panel says how it agrees with people, as the stats say, and opens both logs of a disagreement", async () => {
		const since = new Date(Date.now() - 30 * DAY_MS).toISOString();
		const { judge, models } = (await admin(`/stats?since=${since}`)) as {
			judge: { verdicts: number; tokensPerVerdict: number; votes: JudgeVotes };
			models: { model: string; judgeVotes: JudgeVotes; judgeGoodRate: number }[];
		};
		// The seed judges half the answers, agreeing with most votes.
		assert.ok(judge.verdicts > 100, JSON.stringify(judge));
		// The page's figures: the Worker's own math on the votes the admin API serves.
		const agreement = judgeAgreement(judge.votes);
		assert.ok(agreement.total > 20, JSON.stringify(judge));
		const { page, problems, close } = await openInsights({
			viewport: { width: 1280, height: 800 },
		});
		await showInsights(page);
		assert.equal(await page.isVisible("#no-judge"), false);
		const summary = (await page.textContent("#judge-summary")) ?? "";
		const percent = (value: number | null) => `${((value ?? 0) * 100).toFixed(1)}%`;
		assert.match(
			summary,
			new RegExp(
				`^On ${agreement.total} answers both judged and voted on, the judge agrees with people on ${percent(agreement.agreement).replace(".", "\\.")}: Cohen's κ ${agreement.kappa?.toFixed(2)} \\(${agreement.kappaLow?.toFixed(2)} to ${agreement.kappaHigh?.toFixed(2)}\\)`,
			),
		);
		assert.match(summary, /per 1,000 judged answers\.$/);
		const cells = await page.$$eval("#judge-models-table tbody tr", (trs) =>
			trs.map((tr) => Array.from(tr.children, (cell) => cell.textContent)),
		);
		assert.deepEqual(
			cells.map((row) => [row[0], row[1]]),
			models.map((row) => [row.model, String(judgeAgreement(row.judgeVotes).total)]),
		);
		// The judge's good-rate beside people's up-rate, in the models' table.
		const judgeColumn = await page.$$eval("#models-table tbody tr", (trs) => {
			const headers = Array.from(document.querySelectorAll("#models-table thead th"));
			const index = headers.findIndex((th) => th.textContent === "Judge: good");
			return trs.map((tr) => tr.children[index]?.textContent ?? "");
		});
		assert.deepEqual(
			judgeColumn.map((text) => text.split(" ")[0]),
			models.map((row) => percent(row.judgeGoodRate)),
		);
		// A disagreement opens the judge's log beside the answer's.
		const first = page.locator("#disagreements .comment-item").first();
		assert.match(
			(await first.textContent()) ?? "",
			/People: (Good|Bad) answer · Judge: (good|bad)/,
		);
		const judgeLog = first.getByRole("button", { name: /^Open the judge's log/ });
		const logId = (await judgeLog.getAttribute("data-log-id")) ?? "";
		assert.match(logId, /^[0-9a-f-]{36}$/);
		assert.notEqual(
			await first
				.getByRole("button", { name: /^Open the answer's log/ })
				.getAttribute("data-log-id"),
			logId,
		);
		await judgeLog.click();
		assert.equal(await page.textContent("#log-title"), `Gateway log ${logId}`);
		const panel = page.locator("section", { has: page.locator("#judge-title") });
		await panel.screenshot({ path: join(ARTIFACTS, "insights-judge.png") });
		// The seeded log ids are in no gateway: the debug route says so, in words.
		await page.waitForFunction(() => document.querySelector("#log-status")?.textContent);
		await close();
		assert.deepEqual(
			problems.filter((problem) => !problem.includes("404")),
			[],
		);
	});

	for (const [name, options] of VIEWS) {
		test(`with routed answers, axe finds no serious or critical violation, and the layout holds: ${name}`, async () => {
			const { page, problems, close } = await openInsights(options);
			await showInsights(page);
			await page.waitForSelector("#routing-models-table tbody tr");
			assert.deepEqual(serious(await axeViolations(page)), []);
			assert.deepEqual(await layoutProblems(page), []);
			assert.deepEqual(problems, []);
			await close();
		});
	}

	test("the charts' axes are days, never times of day, on a desktop and a phone", async () => {
		for (const viewport of [
			{ width: 1280, height: 800 },
			{ width: 390, height: 844 },
		]) {
			const { page, problems, close } = await openInsights({ viewport });
			await showInsights(page);
			const charts = await chartTexts(page);
			assert.equal(charts.length, 2);
			const labels = charts.flat().join(" ");
			assert.doesNotMatch(labels, /\d(am|pm)\b/i, `at ${viewport.width} px`);
			assert.deepEqual(axisProblems(charts, today()), [], `at ${viewport.width} px`);
			assert.deepEqual(problems, []);
			await close();
		}
	});
});

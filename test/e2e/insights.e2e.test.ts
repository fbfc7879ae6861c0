// End to end: answers and votes through the API of `npm run dev`, then /insights in Chromium.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type Browser, chromium, type Page } from "playwright-core";
import { type DevServer, ROOT, startDevServer } from "./dev-server.ts";

const ARTIFACTS = join(ROOT, "test-results/e2e");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const GOOD = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
const POOR = "@cf/openai/gpt-oss-120b";
/** Answers per model: 18 in all, within the chat's rate limit of 20 a minute. */
const PER_MODEL = 9;

let server: DevServer;
let browser: Browser;
let adminToken: string;
const commented: string[] = [];

interface Answer {
	aiGatewayLogId: string;
	feedbackToken: string;
}

async function post(path: string, body: unknown) {
	const res = await fetch(`${server.url}${path}`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify(body),
	});
	assert.ok(res.ok, `${path}: ${res.status} ${await res.clone().text()}`);
	return res.json();
}

const admin = async (path: string) => {
	const res = await fetch(`${server.url}/api/admin${path}`, {
		headers: { authorization: `Bearer ${adminToken}` },
	});
	assert.equal(res.status, 200);
	return res.json();
};

before(async () => {
	mkdirSync(ARTIFACTS, { recursive: true });
	server = await startDevServer();
	adminToken = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"))?.[1] ?? "";
	browser = await chromium.launch({
		executablePath: CHROMIUM,
		args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
	});

	// One model is liked (8 of 9 up), the other is not (1 of 9): far apart beyond their intervals.
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
	const deadline = Date.now() + 30_000;
	for (;;) {
		const { delivery } = (await admin("/health")) as { delivery: { delivered: number } };
		if (delivery.delivered === 2 * PER_MODEL) break;
		assert.ok(Date.now() < deadline, `only ${delivery.delivered} votes delivered`);
		await new Promise((done) => setTimeout(done, 250));
	}
});

after(async () => {
	await browser?.close();
	await server?.stop();
});

/** Opens /insights, failing the test on any console error or CSP violation. */
async function openInsights(options: Parameters<Browser["newPage"]>[0] = {}) {
	const page = await browser.newPage(options);
	const problems: string[] = [];
	page.on("console", (message) => {
		if (message.type() === "error") problems.push(message.text());
	});
	page.on("pageerror", (error) => problems.push(error.message));
	await page.addInitScript(() => {
		document.addEventListener("securitypolicyviolation", (event) => {
			console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
		});
	});
	const response = await page.goto(`${server.url}/insights`);
	return { page, response, problems };
}

async function showInsights(page: Page) {
	await page.fill("#admin-token", adminToken);
	await page.fill("#debug-token", server.debugToken);
	await page.press("#admin-token", "Enter");
	await page.waitForSelector("#report:not([hidden]) #uprate-chart canvas");
}

test("shows up-rates with intervals, the A/B answer, comments with their logs, and delivery health", async () => {
	const { page, response, problems } = await openInsights();
	const csp = response?.headers()["content-security-policy"] ?? "";
	assert.match(csp, /script-src 'self'/);
	assert.match(csp, /style-src 'self'/);
	await showInsights(page);

	assert.equal(await page.locator("#uprate-chart canvas").count(), 1);
	assert.equal(await page.locator("#volume-chart canvas").count(), 1);
	assert.match((await page.textContent("#status")) ?? "", /18 answers and 18 votes from 2 models/);
	assert.equal(await page.textContent("#health-delivered"), "18");
	assert.equal(await page.textContent("#health-pending"), "0");
	assert.equal(await page.textContent("#health-refused"), "0");
	assert.equal(await page.textContent("#health-dead"), "0");

	const comparison = (await page.textContent("#comparison")) ?? "";
	assert.match(
		comparison,
		new RegExp(`^${GOOD} is rated better than ${POOR}, beyond their intervals`),
	);
	assert.match(comparison, /88\.9% up of 9 votes/);
	assert.equal(await page.getAttribute("#comparison", "data-verdict"), "differ");
	assert.match((await page.textContent("#models-table")) ?? "", /88\.9% \(\d+\.\d% to \d+\.\d%\)/);

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
	await page.close();
});

test("compares the two models the user picks, and hides one from the chart", async () => {
	const { page, problems } = await openInsights();
	await showInsights(page);
	await page.selectOption("#model-a", POOR);
	await page.selectOption("#model-b", POOR);
	assert.equal(await page.textContent("#comparison"), "Pick two different models to compare.");
	await page.selectOption("#model-b", GOOD);
	assert.match((await page.textContent("#comparison")) ?? "", /is rated better than/);
	// Hiding a model from the chart is a checkbox in its legend.
	await page.getByRole("checkbox", { name: POOR }).uncheck();
	assert.deepEqual(problems, []);
	await page.close();
});

test("refuses a wrong admin token and keeps nothing of it", async () => {
	const { page } = await openInsights();
	await page.fill("#admin-token", "not-the-admin-token-0123456789abcdef");
	await page.click("#show");
	await page.waitForFunction(() =>
		document.querySelector("#status")?.textContent?.includes("not accepted"),
	);
	assert.equal(await page.isHidden("#report"), true);
	assert.equal(await page.evaluate(() => sessionStorage.getItem("insights-admin-token")), null);
	await page.close();
});

test("works with the keyboard alone, on a phone, in dark mode", async () => {
	const { page, problems } = await openInsights({
		viewport: { width: 390, height: 844 },
		colorScheme: "dark",
		deviceScaleFactor: 2,
	});
	// The first stop is the navigation link, then the admin token.
	await page.keyboard.press("Tab");
	await page.keyboard.press("Tab");
	assert.equal(await page.evaluate(() => document.activeElement?.id), "admin-token");
	await page.keyboard.type(adminToken);
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
	await page.close();
});

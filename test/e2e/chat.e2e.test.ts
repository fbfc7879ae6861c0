// End to end: `npm run dev` on the local emulator, driven in Debian's Chromium.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { Page } from "playwright-core";
import { ARTIFACTS, lastAnswer, send } from "./browser.ts";
import { browserHarness } from "./harness.ts";

const e2e = browserHarness();

async function showLog(page: Page) {
	await page.fill("#debug-token", e2e.server.debugToken);
	await page.click("#debug-show");
	await page.waitForFunction(() =>
		document.querySelector("#debug-log")?.textContent?.startsWith("{"),
	);
	return JSON.parse((await page.textContent("#debug-log")) ?? "{}") as {
		id: string;
		feedback: number | null;
	};
}

test("chat, watch the answer stream in, rate it, and see the rating on the gateway log", async () => {
	const { page, response, problems, close } = await e2e.openChat();
	assert.match(response?.headers()["content-security-policy"] ?? "", /default-src 'none'/);
	assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);

	await send(page, "Hello from the browser test");
	const answer = lastAnswer(page);
	const text = answer.locator(".text");
	// Sample the answer while it streams: it must grow in steps, not arrive at once.
	const lengths = new Set<number>();
	while (await answer.evaluate((element) => element.classList.contains("streaming"))) {
		lengths.add(((await text.textContent()) ?? "").length);
		await page.waitForTimeout(15);
	}
	assert.ok(lengths.size >= 4, `saw ${lengths.size} partial lengths while streaming`);
	// Rendered as Markdown: one paragraph.
	const finalText = ((await text.textContent()) ?? "").trim();
	assert.match(finalText, /^\[emulated\] .*You said: Hello from the browser test$/);
	assert.equal(await answer.locator(".badge").isVisible(), true);
	assert.equal(await page.locator("#backend-notice").isVisible(), true);

	const down = answer.getByRole("button", { name: "Bad answer" });
	const up = answer.getByRole("button", { name: "Good answer" });
	const status = answer.locator(".vote-status");
	await down.click();
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "recorded",
		await status.elementHandle(),
	);
	assert.equal(await down.getAttribute("aria-pressed"), "true");
	assert.equal(await up.getAttribute("aria-pressed"), "false");
	assert.match((await status.textContent()) ?? "", /Recorded/);

	await page.click("#debug summary");
	let log = await showLog(page);
	assert.equal(log.feedback, -1);
	const logId = log.id;

	await up.click();
	await page.waitForFunction(
		(element) => element?.textContent === "Recorded: good answer",
		await status.elementHandle(),
	);
	assert.equal(await up.getAttribute("aria-pressed"), "true");
	assert.equal(await down.getAttribute("aria-pressed"), "false");
	log = await showLog(page);
	assert.equal(log.id, logId);
	assert.equal(log.feedback, 1);

	await page.screenshot({ path: join(ARTIFACTS, "chat.png"), fullPage: true });

	// The emulator's logs outlive the page.
	await page.reload();
	const afterReload = await page.evaluate(
		async ({ id, token }) => {
			const res = await fetch(`/api/logs/${id}`, { headers: { authorization: `Bearer ${token}` } });
			return (await res.json()) as { feedback: number };
		},
		{ id: logId, token: e2e.server.debugToken },
	);
	assert.equal(afterReload.feedback, 1);
	assert.deepEqual(problems, []);
	await close();
});

test("shows HTML in a model answer as text", async () => {
	const { page, problems, close } = await e2e.openChat();
	await page.evaluate(() => {
		(window as unknown as { injected: boolean }).injected = false;
	});
	const html = `<img src="x" onerror="window.injected = true"><b id="bold">bold</b>`;
	await send(page, html);
	const answer = lastAnswer(page);
	await answer.locator(".thumb:not([disabled])").first().waitFor();
	await page.waitForFunction(() => !document.querySelector(".message.assistant.streaming"));
	assert.ok(
		((await answer.locator(".text").textContent()) ?? "").trim().endsWith(`You said: ${html}`),
	);
	assert.equal(await page.locator("#bold").count(), 0);
	assert.equal(await page.locator(".message img").count(), 0);
	assert.equal(
		await page.evaluate(() => (window as unknown as { injected: boolean }).injected),
		false,
	);
	assert.deepEqual(problems, []);
	await close();
});

test("fits a phone screen in dark mode", async () => {
	const { page, problems, close } = await e2e.openChat({
		viewport: { width: 390, height: 844 },
		colorScheme: "dark",
		deviceScaleFactor: 2,
	});
	await send(page, "Short question on a phone");
	await page.waitForFunction(() =>
		document.querySelector(".message.assistant:not(.streaming) .thumb:not([disabled])"),
	);
	const overflow = await page.evaluate(
		() => document.documentElement.scrollWidth - window.innerWidth,
	);
	assert.ok(overflow <= 0, `page is ${overflow}px wider than the screen`);
	const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
	assert.equal(background, "rgb(20, 20, 23)");
	await page.screenshot({ path: join(ARTIFACTS, "chat-phone-dark.png") });
	assert.deepEqual(problems, []);
	await close();
});

test("is usable with the keyboard alone", async () => {
	const { page, close } = await e2e.openChat();
	// The message box has the focus from the start, as in every chat.
	assert.equal(await page.evaluate(() => document.activeElement?.id), "prompt");
	await page.keyboard.type("Keyboard only");
	await page.keyboard.press("Enter");
	await page.waitForFunction(() =>
		document.querySelector(".message.assistant:not(.streaming) .thumb:not([disabled])"),
	);
	// From the message box, Shift+Tab walks back to the answer's controls.
	await page.focus("#prompt");
	const names: string[] = [];
	for (let i = 0; i < 4; i++) {
		await page.keyboard.press("Shift+Tab");
		names.push(await page.evaluate(() => document.activeElement?.getAttribute("aria-label") ?? ""));
	}
	assert.ok(names.includes("Bad answer") && names.includes("Good answer"), names.join(", "));
	await page.focus("[aria-label='Good answer']");
	await page.keyboard.press("Enter");
	await page.waitForFunction(
		() => document.querySelector(".vote-status")?.getAttribute("data-state") === "recorded",
	);
	await close();
});

test("retries a vote the server turned away, and shows it until the gateway has it", async () => {
	const { page, problems, close } = await e2e.openChat();
	let turnedAway = 0;
	await page.route("**/api/feedback", async (route) => {
		if (route.request().method() === "POST" && turnedAway === 0) {
			turnedAway++;
			await route.fulfill({
				status: 503,
				contentType: "application/json",
				body: JSON.stringify({ error: { code: "upstream_error", message: "Try again" } }),
			});
		} else {
			await route.continue();
		}
	});
	await send(page, "Rate me through a failure");
	const answer = lastAnswer(page);
	await answer.locator(".thumb:not([disabled])").first().waitFor();
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Bad answer" }).click();
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "retrying",
		await status.elementHandle(),
	);
	assert.match((await status.textContent()) ?? "", /retrying in 1 s/);
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "recorded",
		await status.elementHandle(),
		{
			timeout: 15_000,
		},
	);
	assert.equal(await status.textContent(), "Recorded: bad answer");
	assert.equal(turnedAway, 1);
	// The 503 shows up as a failed request in the console; nothing else may.
	assert.deepEqual(
		problems.filter((problem) => !problem.includes("503")),
		[],
	);
	await close();
});

test("keeps a vote cast offline and delivers it when the page comes back", async () => {
	const context = await e2e.browser.newContext();
	const page = await context.newPage();
	await page.goto(e2e.server.url);
	await send(page, "Rate me offline");
	const answer = lastAnswer(page);
	await answer.locator(".thumb:not([disabled])").first().waitFor();
	await page.waitForFunction(() => !document.querySelector(".message.assistant.streaming"));
	const logId = await page.inputValue("#debug-answer");

	await context.setOffline(true);
	await answer.getByRole("button", { name: "Good answer" }).click();
	const status = answer.locator(".vote-status");
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "retrying",
		await status.elementHandle(),
	);
	const outbox = await page.evaluate(() =>
		JSON.parse(localStorage.getItem("feedback-outbox-v1") ?? "{}"),
	);
	assert.equal(outbox[logId]?.vote, "up");
	await page.close();

	// A later visit, online again, sends what the outbox kept.
	await context.setOffline(false);
	const later = await context.newPage();
	await later.goto(e2e.server.url);
	await later.waitForFunction(
		() => localStorage.getItem("feedback-outbox-v1") === "{}",
		undefined,
		{ timeout: 15_000 },
	);
	const log = await later.evaluate(
		async ({ id, token }) => {
			for (;;) {
				const res = await fetch(`/api/logs/${id}`, {
					headers: { authorization: `Bearer ${token}` },
				});
				const body = (await res.json()) as { feedback: number | null };
				if (body.feedback !== null) return body;
				await new Promise((done) => setTimeout(done, 200));
			}
		},
		{ id: logId, token: e2e.server.debugToken },
	);
	assert.equal(log.feedback, 1);
	await context.close();
});

test("withdraws a vote when its thumb is pressed again", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Rate me, then change your mind");
	const answer = lastAnswer(page);
	await answer.locator(".thumb:not([disabled])").first().waitFor();
	const up = answer.getByRole("button", { name: "Good answer" });
	const status = answer.locator(".vote-status");
	await up.click();
	await page.waitForFunction(
		(element) => element?.textContent === "Recorded: good answer",
		await status.elementHandle(),
	);
	await up.click();
	await page.waitForFunction(
		(element) => element?.textContent === "Vote withdrawn",
		await status.elementHandle(),
	);
	assert.equal(await up.getAttribute("aria-pressed"), "false");
	await page.click("#debug summary");
	const log = await showLog(page);
	assert.equal(log.feedback, null);
	await close();
});

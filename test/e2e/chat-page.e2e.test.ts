// The chat page's behaviour, one test per defect once found: scrolling, comments, failed turns,
// long messages, errors, refused votes, and the small things. `npm run dev` on the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Page, Route } from "playwright-core";
import {
	answered,
	fakeLongAnswers,
	gatewayLog,
	lastAnswer,
	send,
	settled,
	waitForLog,
} from "./browser.ts";
import { browserHarness } from "./harness.ts";

const e2e = browserHarness();

const DESKTOP = { viewport: { width: 1280, height: 800 } };

/** The part of an element's box that the composer does not cover, within the viewport. */
async function visibleAboveComposer(page: Page, selector: string) {
	return page.evaluate((selector) => {
		const target = [...document.querySelectorAll(selector)].at(-1);
		const composer = document.querySelector("#composer");
		if (!target || !composer) return null;
		const box = target.getBoundingClientRect();
		const composerTop = composer.getBoundingClientRect().top;
		return {
			top: box.top,
			bottom: box.bottom,
			composerTop,
			hidden: box.bottom > composerTop + 1 || box.bottom > window.innerHeight + 1,
		};
	}, selector);
}

const jsonError = (status: number, code: string, message: string, headers = {}) => ({
	status,
	contentType: "application/json",
	headers,
	body: JSON.stringify({ error: { code, message } }),
});

test("1. the newest answer sits above the message box, and a long answer is followed as it streams", async () => {
	const { page, close } = await e2e.openChat(DESKTOP);
	for (let i = 1; i <= 4; i++) {
		await send(page, `Question ${i}: ${"tell me more about the gateway and its logs, ".repeat(4)}`);
		await answered(page);
	}
	for (const selector of [".message.assistant .text", ".message.assistant .thumb"]) {
		const box = await visibleAboveComposer(page, selector);
		assert.equal(box?.hidden, false, `${selector} is under the composer: ${JSON.stringify(box)}`);
	}

	// A long answer: its newest text stays in view while it streams.
	const lines = Array.from({ length: 80 }, (_, i) => `Line ${i + 1} of a long answer.\n\n`);
	await fakeLongAnswers(page, lines, 15);
	await send(page, "A long answer, please");
	const hiddenSamples: string[] = [];
	let samples = 0;
	while (await lastAnswer(page).evaluate((element) => element.classList.contains("streaming"))) {
		const box = await visibleAboveComposer(page, ".message.assistant .text");
		if (box && box.bottom > 0) {
			samples++;
			if (box.hidden) hiddenSamples.push(JSON.stringify(box));
		}
		await page.waitForTimeout(50);
	}
	assert.ok(samples >= 10, `only ${samples} samples`);
	// One frame may lag behind a delta; the answer must not run away below the composer.
	assert.ok(hiddenSamples.length <= 2, `hidden in ${hiddenSamples.length} of ${samples}`);
	const end = await visibleAboveComposer(page, ".message.assistant .text");
	assert.equal(end?.hidden, false, JSON.stringify(end));

	// Unless the reader scrolled up: then the page leaves the scroll position alone.
	await send(page, "Another long answer");
	await page.waitForFunction(() =>
		document.querySelector(".message.assistant.streaming .text")?.textContent?.includes("Line 10"),
	);
	await page.mouse.move(640, 300);
	await page.mouse.wheel(0, -600);
	await page.waitForTimeout(100);
	const scrolledTo = await page.evaluate(
		() => [...document.querySelectorAll(".message.user")].at(-1)?.getBoundingClientRect().top ?? 0,
	);
	await page.waitForTimeout(600);
	const stillAt = await page.evaluate(
		() => [...document.querySelectorAll(".message.user")].at(-1)?.getBoundingClientRect().top ?? 0,
	);
	assert.ok(Math.abs(stillAt - scrolledTo) < 2, `moved from ${scrolledTo} to ${stillAt}`);
	await close();
});

test("2. a typed comment is sent with a button, and Recorded is said only once it is delivered", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Rate me with a comment");
	await answered(page);
	const answer = lastAnswer(page);
	const logId = await answer.getAttribute("data-log-id");
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Good answer" }).click();
	await page.waitForFunction(
		(element) => element?.textContent === "Recorded: good answer",
		await status.elementHandle(),
	);
	await answer.getByLabel("Comment on this answer").fill("Clear and short");
	// Typed, not sent: the page must not claim it is recorded.
	await page.waitForTimeout(300);
	assert.doesNotMatch((await status.textContent()) ?? "", /^Recorded/);
	await answer.getByRole("button", { name: "Send feedback" }).click({ timeout: 5_000 });
	await page.waitForFunction(
		(element) =>
			/^Recorded: good answer/.test(element?.textContent ?? "") &&
			/comment/.test(element?.textContent ?? ""),
		await status.elementHandle(),
	);
	const log = await gatewayLog(page, e2e.server, logId ?? "");
	assert.equal(log.feedback, 1);
	assert.equal(log.metadata?.comment, "Clear and short");
	await close();
});

test("3. emptying the comment removes it from the log, and withdrawing the vote clears the comment", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Rate me, comment, then take it back");
	await answered(page);
	const answer = lastAnswer(page);
	const logId = (await answer.getAttribute("data-log-id")) ?? "";
	const down = answer.getByRole("button", { name: "Bad answer" });
	await down.click();
	const comment = answer.getByLabel("Comment on this answer");
	await comment.fill("Out of date");
	await answer.getByLabel("Score (0 to 100)").fill("20", { timeout: 5_000 });
	await answer.getByRole("button", { name: "Send feedback" }).click();
	await waitForLog(
		page,
		e2e.server,
		logId,
		(log) => log.metadata?.comment === "Out of date" && log.score === 20,
	);

	await comment.fill("");
	await answer.getByRole("button", { name: "Send feedback" }).click();
	await waitForLog(
		page,
		e2e.server,
		logId,
		(log) => log.metadata?.comment === "" && log.score === 20,
	);
	const status = answer.locator(".vote-status");
	await page.waitForFunction(
		(element) => element?.textContent?.startsWith("Recorded: bad answer"),
		await status.elementHandle(),
	);

	await comment.fill("Still out of date");
	await down.click();
	await waitForLog(
		page,
		e2e.server,
		logId,
		(log) => log.feedback === null && log.metadata?.comment === "",
	);
	assert.equal(await comment.isVisible(), false, "the comment box stays in view after withdrawing");
	assert.equal(await answer.locator(".comment").inputValue(), "");
	await close();
});

test("4. failed turns are not sent as history, and the message is kept for a retry", async () => {
	const { page, close } = await e2e.openChat();
	const failures = [
		jsonError(500, "internal_error", "Internal error"),
		jsonError(429, "rate_limited", "Too many requests; slow down and retry later", {
			"retry-after": "1",
		}),
		jsonError(502, "upstream_error", "Workers AI failed"),
	];
	const bodies: Array<{ messages: Array<{ role: string; content: string }> }> = [];
	await page.route("**/api/chat", async (route: Route) => {
		bodies.push(JSON.parse(route.request().postData() ?? "{}"));
		const failure = failures.shift();
		if (failure) await route.fulfill(failure);
		else await route.continue();
	});
	for (const text of ["first", "second", "third"]) {
		await send(page, text);
		await settled(page);
		assert.equal(await page.inputValue("#prompt"), text, "the failed message is gone from the box");
		assert.equal(await lastAnswer(page).getByRole("button", { name: "Retry" }).count(), 1);
	}
	await send(page, "fourth");
	await answered(page);
	await send(page, "fifth");
	await answered(page);
	const last = bodies.at(-1)?.messages ?? [];
	assert.deepEqual(
		last.map((message) => message.role),
		["user", "assistant", "user"],
		JSON.stringify(last),
	);
	assert.equal(last[0]?.content, "fourth");
	assert.equal(last[2]?.content, "fifth");
	await close();
});

test("5. pasting past the limit keeps the text, shows a counter and says what happened", async () => {
	const { page, context, close } = await e2e.openChat();
	await context.grantPermissions(["clipboard-read", "clipboard-write"]);
	// The limits come from GET /api/models, which fills the model picker too: once it lists
	// the models, the page knows them.
	await page.waitForFunction(
		() => (document.querySelector("#model") as HTMLSelectElement | null)?.options[0]?.value,
	);
	await page.evaluate(() => navigator.clipboard.writeText("x".repeat(20_000)));
	await page.focus("#prompt");
	await page.keyboard.press("Control+V");
	assert.equal((await page.inputValue("#prompt")).length, 20_000, "the paste was cut silently");
	const counter = page.locator("#char-count");
	await counter.waitFor({ state: "visible" });
	assert.match((await counter.textContent()) ?? "", /20,000 \/ 16,000/);
	await page.waitForFunction(() =>
		document.querySelector("#composer-note")?.textContent?.includes("16,000"),
	);
	await page.press("#prompt", "Enter");
	assert.equal(await page.locator(".message").count(), 0, "an over-long message was sent");
	// Near the limit, the counter shows; far from it, it does not.
	await page.fill("#prompt", "y".repeat(15_000));
	assert.equal(await counter.isVisible(), true);
	await page.fill("#prompt", "short");
	assert.equal(await counter.isVisible(), false);
	await close();
});

test("6. errors are said in words, with a retry button, a countdown on 429, and no rating controls", async () => {
	const { page, close } = await e2e.openChat();
	const replies: Array<(route: Route) => Promise<void>> = [
		(route) => route.abort("failed"),
		(route) => route.fulfill(jsonError(502, "upstream_error", "Workers AI failed")),
		(route) =>
			route.fulfill(
				jsonError(429, "rate_limited", "Too many requests; slow down and retry later", {
					"retry-after": "3",
				}),
			),
	];
	await page.route("**/api/chat", async (route) => {
		const reply = replies.shift();
		if (reply) await reply(route);
		else await route.continue();
	});
	await send(page, "Network down");
	await settled(page);
	let answer = lastAnswer(page);
	let text = (await answer.textContent()) ?? "";
	assert.doesNotMatch(text, /Failed to fetch|Error:/);
	assert.match(text, /reach the server/i);
	assert.equal(
		await answer.locator(".thumb").filter({ visible: true }).count(),
		0,
		"thumbs on a failed answer",
	);
	assert.equal(
		await answer.locator(".comment").filter({ visible: true }).count(),
		0,
		"comment on a failed answer",
	);

	await answer.getByRole("button", { name: "Retry" }).click({ timeout: 5_000 });
	await settled(page);
	answer = lastAnswer(page);
	text = (await answer.textContent()) ?? "";
	assert.doesNotMatch(text, /HTTP 502|Error:/);
	assert.match(text, /model service/i);
	assert.equal(await page.locator(".message.user").count(), 1, "a retry repeats the question");

	await answer.getByRole("button", { name: "Retry" }).click();
	await settled(page);
	answer = lastAnswer(page);
	const retry = answer.getByRole("button", { name: "Retry" });
	assert.match((await answer.textContent()) ?? "", /Too many requests.*(3|2) s/);
	assert.equal(await retry.isDisabled(), true);
	await page.waitForFunction(() =>
		/1 s/.test(document.querySelector(".message.assistant:last-child")?.textContent ?? ""),
	);
	await retry.waitFor({ state: "visible" });
	await page.waitForFunction(
		() =>
			!(document.querySelector(".message.assistant:last-child .retry") as HTMLButtonElement | null)
				?.disabled,
		undefined,
		{ timeout: 5_000 },
	);
	await retry.click();
	await answered(page);
	assert.match(
		(await lastAnswer(page).locator(".text").textContent()) ?? "",
		/You said: Network down/,
	);
	assert.equal(await page.locator(".message.assistant").count(), 1);
	await close();
});

test("7. a vote the server refuses un-presses its thumb", async () => {
	const { page, close } = await e2e.openChat();
	await page.route("**/api/feedback", (route) =>
		route.request().method() === "POST"
			? route.fulfill(
					jsonError(
						403,
						"invalid_token",
						"The feedback token is not valid for this log id, or has expired",
					),
				)
			: route.continue(),
	);
	await send(page, "Refuse my vote");
	await answered(page);
	const answer = lastAnswer(page);
	const up = answer.getByRole("button", { name: "Good answer" });
	const status = answer.locator(".vote-status");
	await up.click();
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "failed",
		await status.elementHandle(),
	);
	assert.equal(await up.getAttribute("aria-pressed"), "false");
	assert.match((await status.textContent()) ?? "", /not/i);
	await close();
});

test("8a. Enter while an answer streams, and a blank message, say why nothing was sent; Escape stops", async () => {
	const { page, close } = await e2e.openChat();
	await fakeLongAnswers(
		page,
		Array.from({ length: 200 }, (_, i) => `word${i} `),
		20,
	);
	await send(page, "Stream for a while");
	await page.waitForFunction(
		() => document.querySelector(".message.assistant.streaming .text")?.textContent,
	);
	await send(page, "Too soon");
	assert.match((await page.textContent("#composer-note")) ?? "", /still|wait|Stop/i);
	assert.equal(await page.inputValue("#prompt"), "Too soon");
	await page.keyboard.press("Escape");
	await settled(page, 3_000);
	assert.match((await lastAnswer(page).textContent()) ?? "", /Stopped/);
	await send(page, "   \n  ");
	assert.match((await page.textContent("#composer-note")) ?? "", /empty|Type/i);
	assert.equal(await page.locator(".message.user").count(), 1);
	await close();
});

test("8b. the debug panel's status always describes the selected answer", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "First for the debug panel");
	await answered(page);
	await page.click("#debug summary");
	await page.fill("#debug-token", e2e.server.debugToken);
	// The gateway writes a log a moment after the answer: ask until it is there.
	for (let tries = 0; !(await page.textContent("#debug-log"))?.startsWith("{"); tries++) {
		assert.ok(tries < 50, "the log never showed");
		await page.click("#debug-show");
		await page.waitForTimeout(200);
	}
	await send(page, "Second for the debug panel");
	await answered(page);
	const selected = await page.inputValue("#debug-answer");
	const status = (await page.textContent("#debug-status")) ?? "";
	const shownLog = (await page.textContent("#debug-log")) ?? "";
	if (status.startsWith("Log "))
		assert.ok(status.includes(selected), `"${status}" while ${selected} is selected`);
	if (shownLog)
		assert.ok(shownLog.includes(selected), "the log shown is not the selected answer's");
	await close();
});

test("8c. only the latest answer's status is announced, the thumbs have tooltips, and a phone keeps the composer at the bottom", async () => {
	const { page, close } = await e2e.openChat({
		viewport: { width: 390, height: 844 },
	});
	const live = await page.evaluate(() =>
		document.querySelector("#messages")?.getAttribute("aria-live"),
	);
	assert.equal(live ?? null, null, "the whole conversation is a live region");
	await send(page, "Announce me once");
	await answered(page);
	await page.waitForFunction(() =>
		/answer complete/i.test(document.querySelector("#announcer")?.textContent ?? ""),
	);
	// The streaming text is in no live region: only the announcer speaks.
	const liveRegions = await page.evaluate(() =>
		[...document.querySelectorAll("[aria-live], [role=status], [role=alert], [role=log]")]
			.filter((element) => element.querySelector(".markdown") || element.closest(".markdown"))
			.map((element) => element.outerHTML.slice(0, 80)),
	);
	assert.deepEqual(liveRegions, []);
	const answer = lastAnswer(page);
	assert.equal(await answer.locator(".thumb[data-vote=up]").getAttribute("title"), "Good answer");
	assert.equal(await answer.locator(".thumb[data-vote=down]").getAttribute("title"), "Bad answer");
	const composerBottom = await page.evaluate(
		() => document.querySelector("#composer")?.getBoundingClientRect().bottom ?? 0,
	);
	assert.ok(composerBottom > 844 - 80, `composer ends at ${composerBottom} of 844`);
	await close();
});

test("9. a comment counts characters as the API does: 1,000 emoji are sent whole, 1,001 are refused in words", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Rate me with emoji");
	await answered(page);
	const answer = lastAnswer(page);
	const logId = (await answer.getAttribute("data-log-id")) ?? "";
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Good answer" }).click();
	const comment = answer.getByLabel("Comment on this answer");
	const emoji = "\u{1F600}";
	await comment.fill(emoji.repeat(1001));
	await answer.getByRole("button", { name: "Send feedback" }).click();
	await page.waitForFunction(
		(element) =>
			element?.textContent ===
			"The comment is 1,001 characters long; the limit is 1,000. Shorten it by 1 character to send it.",
		await status.elementHandle(),
		// Counting 1,001 emoji as they are typed takes a while on a busy 2-core machine.
		{ timeout: 15_000 },
	);
	assert.equal((await gatewayLog(page, e2e.server, logId)).metadata?.comment ?? "", "");

	await comment.fill(emoji.repeat(1000));
	await answer.getByRole("button", { name: "Send feedback" }).click();
	const log = await waitForLog(page, e2e.server, logId, (log) => Boolean(log.metadata?.comment));
	assert.equal(log.metadata?.comment, emoji.repeat(1000));
	await close();
});

// The score field.

/** The POST /api/feedback bodies the page sends from now on. */
function votesSent(page: Page) {
	const bodies: Record<string, unknown>[] = [];
	page.on("request", (request) => {
		if (request.method() === "POST" && new URL(request.url()).pathname === "/api/feedback") {
			bodies.push(request.postDataJSON());
		}
	});
	return bodies;
}

const SCORE_REFUSED = /^Score must be a whole number from 0 to 100: not sent\.?$/;

test("a score the field cannot read (e, 5e) says why nothing was sent, and sends nothing", async () => {
	const { page, close, problems } = await e2e.openChat();
	await send(page, "Score me with a typo");
	await answered(page);
	const answer = lastAnswer(page);
	const logId = (await answer.getAttribute("data-log-id")) ?? "";
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Good answer" }).click();
	await page.waitForFunction(
		(element) => element?.textContent === "Recorded: good answer",
		await status.elementHandle(),
	);
	const sent = votesSent(page);
	const score = answer.getByLabel("Score (0 to 100)");
	await answer.getByLabel("Comment on this answer").fill("Typed with a bad score");
	for (const typed of ["e", "5e"]) {
		await score.fill("");
		await score.pressSequentially(typed);
		await answer.getByRole("button", { name: "Send feedback" }).click();
		assert.match((await status.textContent()) ?? "", SCORE_REFUSED, `after typing ${typed}`);
		assert.equal(await status.getAttribute("data-state"), "invalid");
		await score.press("Enter");
		assert.match((await status.textContent()) ?? "", SCORE_REFUSED, `Enter after ${typed}`);
	}
	await page.waitForTimeout(500);
	assert.deepEqual(sent, [], "a vote was sent with an unreadable score");
	const log = await gatewayLog(page, e2e.server, logId);
	assert.equal(log.metadata?.comment ?? "", "", "the comment went out without its score");

	// A score it can read goes out with the comment.
	await score.fill("70");
	await answer.getByRole("button", { name: "Send feedback" }).click();
	await waitForLog(
		page,
		e2e.server,
		logId,
		(log) => log.score === 70 && log.metadata?.comment === "Typed with a bad score",
	);
	assert.equal(sent.length, 1);
	assert.deepEqual(problems, []);
	await close();
});

test("a refused score stays said until the field changes, while the vote before it is delivered", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Score me out of range");
	await answered(page);
	const answer = lastAnswer(page);
	const status = answer.locator(".vote-status");
	const sent = votesSent(page);
	// The page hears that the thumb's vote is delivered from its status poll.
	const thumbDelivered = page.waitForResponse(
		async (res) =>
			res.request().method() === "GET" &&
			new URL(res.url()).pathname.startsWith("/api/feedback/") &&
			((await res.json().catch(() => ({}))) as { state?: string }).state === "delivered",
		{ timeout: 30_000 },
	);
	// The thumb's vote is on its way (the emulator delays its log) when the score is refused.
	await answer.getByRole("button", { name: "Good answer" }).click();
	const score = answer.getByLabel("Score (0 to 100)");
	await score.fill("-5");
	await answer.getByRole("button", { name: "Send feedback" }).click();
	assert.equal(await status.getAttribute("data-state"), "invalid");
	// The thumb's vote is recorded meanwhile: the refusal is still what the page says.
	await thumbDelivered;
	await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => done(null))));
	assert.equal(
		await status.getAttribute("data-state"),
		"invalid",
		(await status.textContent()) ?? "",
	);
	assert.match((await status.textContent()) ?? "", SCORE_REFUSED);
	assert.equal(sent.length, 1, "only the thumb's vote went out");
	assert.equal(sent[0]?.score, undefined);

	// The field changes: the page says the change is not sent yet.
	await score.fill("5");
	assert.match((await status.textContent()) ?? "", /^Changes not sent yet/);
	await close();
});

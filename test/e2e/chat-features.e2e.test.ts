// The chat page's features: Markdown, streaming that leaves finished blocks
// alone, the conversation across reloads, New chat, regenerate, copy, the model picker, the
// vote states "superseded" and "refused", and a better answer after a thumbs-down. `npm run dev` on the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
	answered,
	axeViolations,
	fakeLongAnswers,
	lastAnswer,
	send,
	serious,
	settled,
	waitForLog,
} from "./browser.ts";
import { browserHarness } from "./harness.ts";

const e2e = browserHarness();

test("renders Markdown safely: links open in a new tab without referrer, no script links, no images", async () => {
	const { page, problems, close } = await e2e.openChat();
	await send(
		page,
		"L:\n\n## Heading\n\n- [safe](https://example.com/a) and [mail](mailto:a@example.com)\n- [bad](javascript:alert(1)) [rel](/x) ![img](https://e.com/x.png)\n\n| a | b |\n|---|---|\n| 1 | 2 |",
	);
	await answered(page);
	const text = lastAnswer(page).locator(".text");
	const links = await text.locator("a").evaluateAll((anchors) =>
		anchors.map((anchor) => ({
			href: anchor.getAttribute("href"),
			target: anchor.getAttribute("target"),
			rel: anchor.getAttribute("rel"),
		})),
	);
	assert.deepEqual(links, [
		{ href: "https://example.com/a", target: "_blank", rel: "noopener noreferrer" },
		{ href: "mailto:a@example.com", target: "_blank", rel: "noopener noreferrer" },
		// Images are not rendered (no request leaves for them): an image is a link, like any other.
		{ href: "https://e.com/x.png", target: "_blank", rel: "noopener noreferrer" },
	]);
	assert.equal(await text.locator("h4").textContent(), "Heading");
	assert.equal(await text.locator("li").count(), 2);
	assert.equal(await text.locator("table td").count(), 2);
	assert.equal(await page.locator(".message img").count(), 0);
	assert.match((await text.textContent()) ?? "", /\[bad\]\(javascript:alert\(1\)\)/);
	assert.deepEqual(problems, []);
	await close();
});

test("copies a code block and a whole answer", async () => {
	const { page, context, close } = await e2e.openChat();
	await context.grantPermissions(["clipboard-read", "clipboard-write"]);
	await send(page, "Code:\n\n```js\nconst answer = 42;\n```");
	await answered(page);
	const answer = lastAnswer(page);
	assert.equal(await answer.locator(".code-block .code-lang").textContent(), "js");
	await answer.getByRole("button", { name: "Copy code" }).click();
	assert.equal(await page.evaluate(() => navigator.clipboard.readText()), "const answer = 42;\n");
	await answer.getByRole("button", { name: "Copy answer" }).click();
	const copied = await page.evaluate(() => navigator.clipboard.readText());
	assert.match(copied, /^\[emulated\] .*You said: Code:\n\n```js\nconst answer = 42;\n```$/s);
	await close();
});

test("renders finished blocks once while the answer streams; only the open block changes", async () => {
	const { page, close } = await e2e.openChat();
	const deltas = [
		"First ",
		"paragraph ",
		"here.\n\n",
		"Second ",
		"paragraph.\n\n",
		"- item one\n",
		"- item two\n\n",
		"```js\n",
		"let x = 1;\n",
		"```\n\n",
		"Last ",
		"words.",
	];
	await fakeLongAnswers(page, deltas, 60);
	await send(page, "Stream some Markdown");
	// Once the second paragraph has begun, the first is finished.
	await page.waitForFunction(
		() => (document.querySelectorAll(".message.assistant.streaming .text p").length ?? 0) >= 2,
	);
	// Mark the first paragraph and watch for anything removed from the finished blocks.
	await page.evaluate(() => {
		const text = document.querySelector(".message.assistant.streaming .text") as HTMLElement;
		const first = text.querySelector("p") as HTMLElement & { marked?: boolean };
		first.marked = true;
		const removed: string[] = [];
		new MutationObserver((records) => {
			for (const record of records)
				for (const node of record.removedNodes)
					if (node.parentElement === null && record.target === text) removed.push(node.nodeName);
		}).observe(text, { childList: true });
		(window as unknown as { removedBlocks: string[] }).removedBlocks = removed;
	});
	await page.waitForFunction(() => !document.querySelector(".message.assistant.streaming"));
	const result = await page.evaluate(() => {
		const text = document.querySelector(".message.assistant .text") as HTMLElement;
		const first = text.querySelector("p") as HTMLElement & { marked?: boolean };
		return {
			sameFirst: first.marked === true,
			removed: (window as unknown as { removedBlocks: string[] }).removedBlocks,
			blocks: [...text.children].map((element) => element.tagName),
		};
	});
	assert.equal(result.sameFirst, true, "the first paragraph was rendered again");
	// The open block's container goes when the answer is complete; no finished block does.
	assert.deepEqual(
		result.removed.filter((name) => name !== "DIV"),
		[],
	);
	assert.deepEqual(result.blocks, ["P", "P", "UL", "DIV", "P"]);
	await close();
});

test("keeps the conversation and its votes across a reload, until New chat", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Remember this question");
	await answered(page);
	const first = lastAnswer(page);
	const logId = (await first.getAttribute("data-log-id")) ?? "";
	await first.getByRole("button", { name: "Good answer" }).click();
	await first.getByLabel("Comment on this answer").fill("Kept across reloads");
	await first.getByRole("button", { name: "Send feedback" }).click();
	await page.waitForFunction(
		() =>
			document.querySelector(".message.assistant .vote-status")?.getAttribute("data-state") ===
			"recorded",
	);
	await send(page, "And this one");
	await answered(page);

	await page.reload();
	await page.waitForSelector(".message.assistant .thumb:not([disabled])");
	assert.equal(await page.locator(".message.user").count(), 2);
	assert.equal(await page.locator(".message.assistant").count(), 2);
	const restored = page.locator(".message.assistant").first();
	assert.equal(await restored.getAttribute("data-log-id"), logId);
	assert.equal(
		await restored.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed"),
		"true",
	);
	assert.equal(
		await restored.getByLabel("Comment on this answer").inputValue(),
		"Kept across reloads",
	);
	assert.match((await restored.locator(".vote-status").textContent()) ?? "", /^Recorded/);
	assert.match((await restored.locator(".served-by").textContent()) ?? "", /llama/);
	// The restored history goes with the next question.
	const bodies: string[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat")) bodies.push(request.postData() ?? "");
	});
	await send(page, "Third");
	await answered(page);
	assert.equal(JSON.parse(bodies[0] ?? "{}").messages.length, 5);

	await page.getByRole("button", { name: "New chat" }).click();
	assert.equal(await page.locator(".message").count(), 0);
	assert.equal(await page.locator("#empty").isVisible(), true);
	await page.reload();
	await page.waitForSelector("#prompt");
	assert.equal(await page.locator(".message").count(), 0);
	await close();
});

test("regenerates an answer: a new log id and a vote of its own", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Answer me twice");
	await answered(page);
	const firstId = (await lastAnswer(page).getAttribute("data-log-id")) ?? "";
	await lastAnswer(page).getByRole("button", { name: "Bad answer" }).click();
	await waitForLog(page, e2e.server, firstId, (log) => log.feedback === -1);
	const bodies: string[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat")) bodies.push(request.postData() ?? "");
	});
	await lastAnswer(page).getByRole("button", { name: "Regenerate answer" }).click();
	await answered(page);
	const answer = lastAnswer(page);
	const secondId = (await answer.getAttribute("data-log-id")) ?? "";
	assert.notEqual(secondId, firstId);
	assert.equal(await page.locator(".message.assistant").count(), 1);
	assert.equal(await page.locator(".message.user").count(), 1);
	assert.deepEqual(JSON.parse(bodies[0] ?? "{}").messages, [
		{ role: "user", content: "Answer me twice" },
	]);
	assert.equal(
		await answer.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed"),
		"false",
	);
	await answer.getByRole("button", { name: "Good answer" }).click();
	await waitForLog(page, e2e.server, secondId, (log) => log.feedback === 1);
	// The first answer's vote stays on its own log.
	await waitForLog(page, e2e.server, firstId, (log) => log.feedback === -1);
	await close();
});

test("picks the model from the server's list and shows which model served each answer", async () => {
	const { page, close } = await e2e.openChat();
	const listed = await page.evaluate(
		async () =>
			(await (await fetch("/api/models")).json()) as {
				default: string;
				models: Array<{ id: string }>;
			},
	);
	await page.waitForFunction(
		(count) => document.querySelectorAll("#model option").length === count,
		listed.models.length,
	);
	const options = await page
		.locator("#model option")
		.evaluateAll((elements) => elements.map((element) => (element as HTMLOptionElement).value));
	assert.deepEqual(
		options,
		listed.models.map((model) => model.id),
	);
	assert.equal(await page.inputValue("#model"), listed.default);
	const other = listed.models.find((model) => model.id.includes("gpt-oss"))?.id ?? "";
	assert.ok(other, "the dev configuration offers gpt-oss");
	await page.selectOption("#model", other);
	const bodies: string[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat")) bodies.push(request.postData() ?? "");
	});
	await send(page, "Which model are you?");
	await answered(page);
	assert.equal(JSON.parse(bodies[0] ?? "{}").model, other);
	const servedBy = lastAnswer(page).locator(".served-by");
	assert.match((await servedBy.textContent()) ?? "", /gpt-oss-120b · workers-ai/);
	assert.equal(await servedBy.getAttribute("title"), `Served by ${other} (workers-ai)`);
	await page.reload();
	await page.waitForFunction(
		(id) => (document.querySelector("#model") as HTMLSelectElement)?.value === id,
		other,
	);
	await close();
});

test("says when the server kept a newer vote, and when the gateway takes no feedback", async () => {
	const { page, close } = await e2e.openChat();
	await send(page, "Vote states");
	await answered(page);
	await page.route("**/api/feedback", (route) =>
		route.fulfill({
			status: 200,
			contentType: "application/json",
			body: JSON.stringify({
				status: "superseded",
				vote: { feedback: "down", state: "delivered" },
			}),
		}),
	);
	const answer = lastAnswer(page);
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Good answer" }).click();
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "superseded",
		await status.elementHandle(),
	);
	assert.equal(await status.textContent(), "A newer vote was kept: bad answer");
	assert.equal(
		await answer.getByRole("button", { name: "Bad answer" }).getAttribute("aria-pressed"),
		"true",
	);
	assert.equal(
		await answer.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed"),
		"false",
	);

	await page.unroute("**/api/feedback");
	await page.route("**/api/feedback/*", (route) =>
		route.fulfill({
			status: 200,
			contentType: "application/json",
			body: JSON.stringify({ feedback: "up", state: "refused", error: "405 Method Not Allowed" }),
		}),
	);
	await answer.getByRole("button", { name: "Good answer" }).click();
	await page.waitForFunction(
		(element) => element?.getAttribute("data-state") === "refused",
		await status.elementHandle(),
	);
	assert.match((await status.textContent()) ?? "", /Kept, but not attached to the gateway log/);
	assert.equal(
		await answer.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed"),
		"true",
	);
	await close();
});

test("sends one conversation id per conversation: the same across turns and a reload, a new one after New chat", async () => {
	const { page, close } = await e2e.openChat();
	const ids: string[] = [];
	// The page keeps its listeners across a reload.
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat"))
			ids.push(JSON.parse(request.postData() ?? "{}").conversation);
	});
	await send(page, "Turn one");
	await answered(page);
	await send(page, "Turn two");
	await answered(page);
	await page.reload();
	await page.waitForSelector("#prompt");
	await send(page, "Turn three, after a reload");
	await answered(page);
	await page.getByRole("button", { name: "New chat" }).click();
	await send(page, "A new conversation");
	await answered(page);
	assert.equal(ids.length, 4);
	assert.match(ids[0] ?? "", /^[0-9a-f-]{36}$/);
	assert.deepEqual(ids.slice(0, 3), [ids[0], ids[0], ids[0]]);
	assert.notEqual(ids[3], ids[0]);
	assert.match(ids[3] ?? "", /^[0-9a-f-]{36}$/);
	await close();
});

test("trims a long conversation in Chinese and emoji to the API's body limit in bytes, and it is answered", async () => {
	const { page, close } = await e2e.openChat();
	// Each answer: 3,000 characters as JSON counts them, 3 or 4 UTF-8 bytes each (9.6 KB).
	const chunk = `${"长对话的回答。".repeat(12)}${"\u{1F600}".repeat(8)}`;
	await fakeLongAnswers(page, Array(30).fill(chunk), 1);
	for (let i = 1; i <= 8; i++) {
		await send(page, `第${i}个问题`);
		await settled(page);
	}
	const texts = await page.locator(".message.assistant .text").allTextContents();
	assert.deepEqual(
		texts.map((text) => text.trim().length),
		Array(8).fill(3000),
	);

	// The conversation is kept; after a reload the next question goes to the server itself.
	await page.reload();
	await page.waitForSelector(".message.assistant");
	const bodies: string[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat")) bodies.push(request.postData() ?? "");
	});
	await send(page, "还有吗？");
	await settled(page);
	const shown = ((await lastAnswer(page).textContent()) ?? "").replace(/\s+/g, " ").trim();
	assert.match(shown, /You said: 还有吗？/, `the page said: ${shown.slice(0, 100)}`);
	const body = bodies[0] ?? "";
	assert.ok(new TextEncoder().encode(body).length <= 64 * 1024, `${body.length} characters sent`);
	const { messages } = JSON.parse(body) as { messages: Array<{ role: string; content: string }> };
	// Trimmed from the start, to a conversation that still begins with the user.
	assert.ok(messages.length < 17, `all ${messages.length} messages were sent`);
	assert.equal(messages[0]?.role, "user");
	assert.equal(messages.at(-1)?.content, "还有吗？");
	await close();
});

test("checks and trims by the limits GET /api/models serves, and still chats when they cannot be loaded", async () => {
	const { page, close } = await e2e.openChat();
	// Smaller limits than the API's: the page must follow what the server says, not a copy.
	await page.route("**/api/models", async (route) => {
		const served = await (await route.fetch()).json();
		const limits = {
			...served.limits,
			messages: 3,
			contentChars: 100,
			commentChars: 5,
			score: { min: 1, max: 5 },
		};
		await route.fulfill({ json: { ...served, limits } });
	});
	await page.reload();
	// The picker is filled from the same answer, once the limits are read.
	await page.waitForFunction(() => document.querySelectorAll("#model option").length > 1);
	await send(page, "x".repeat(101));
	await page.waitForFunction(() =>
		/the limit is 100\b/.test(document.querySelector("#composer-note")?.textContent ?? ""),
	);
	assert.equal(await page.locator(".message").count(), 0, "a message over the limit was sent");
	const bodies: string[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/chat")) bodies.push(request.postData() ?? "");
	});
	for (const question of ["one", "two", "three"]) {
		await send(page, question);
		await answered(page);
	}
	const roles = JSON.parse(bodies.at(-1) ?? "{}").messages.map((m: { role: string }) => m.role);
	assert.deepEqual(roles, ["user", "assistant", "user"]);
	const answer = lastAnswer(page);
	const status = answer.locator(".vote-status");
	await answer.getByRole("button", { name: "Good answer" }).click();
	await answer.getByLabel("Score (1 to 5)").fill("6");
	await answer.getByRole("button", { name: "Send feedback" }).click();
	assert.equal(await status.textContent(), "Score must be a whole number from 1 to 5: not sent.");
	await answer.getByLabel("Score (1 to 5)").fill("5");
	await answer.getByLabel("Comment on this answer").fill("abcdef");
	await answer.getByRole("button", { name: "Send feedback" }).click();
	assert.match((await status.textContent()) ?? "", /the limit is 5\. Shorten it by 1 character/);

	// GET /api/models fails: the page checks nothing itself, and the chat goes on.
	await page.unroute("**/api/models");
	await page.route("**/api/models", (route) => route.abort("failed"));
	await page.getByRole("button", { name: "New chat" }).click();
	await page.reload();
	await send(page, "Still there?");
	await answered(page);
	assert.match(
		(await lastAnswer(page).locator(".text").textContent()) ?? "",
		/You said: Still there\?/,
	);
	assert.equal(await lastAnswer(page).getByLabel("Score", { exact: true }).count(), 1);
	await close();
});

test("offers a better answer after a thumbs-down, by keyboard, and keeps it off the gateway's log", async () => {
	const { page, problems, close } = await e2e.openChat();
	await send(page, "Which is the capital of Australia?");
	await answered(page);
	const answer = lastAnswer(page);
	const logId = (await answer.getAttribute("data-log-id")) ?? "";
	const better = answer.getByLabel(/Suggest a better answer/);
	assert.equal(await better.isVisible(), false);
	await answer.getByRole("button", { name: "Good answer" }).click();
	await answer.getByLabel("Comment on this answer").waitFor({ state: "visible" });
	assert.equal(await better.isVisible(), false, "offered after a thumbs-down only");
	await answer.getByRole("button", { name: "Bad answer" }).click();
	await better.waitFor({ state: "visible" });
	assert.equal(await better.evaluate((field) => field.tagName), "TEXTAREA");
	assert.deepEqual(serious(await axeViolations(page)), []);

	// The thumbs-down itself is sent at once, without a correction.
	await page.waitForFunction(() =>
		/^Recorded: bad answer$/.test(
			document.querySelector(".message.assistant:last-child .vote-status")?.textContent ?? "",
		),
	);
	// From the comment, Tab reaches the text area; Enter is a new line there, Ctrl+Enter sends.
	const posts: Record<string, unknown>[] = [];
	page.on("request", (request) => {
		if (request.url().endsWith("/api/feedback") && request.method() === "POST")
			posts.push(JSON.parse(request.postData() ?? "{}"));
	});
	await answer.getByLabel("Comment on this answer").focus();
	await page.keyboard.press("Tab");
	assert.equal(await better.evaluate((field) => field === document.activeElement), true);
	await page.keyboard.type("Canberra.");
	await page.keyboard.press("Enter");
	await page.keyboard.type("Not Sydney.");
	await page.keyboard.press("Control+Enter");
	await page.waitForFunction(() =>
		/^Recorded: bad answer, with your better answer/.test(
			document.querySelector(".message.assistant:last-child .vote-status")?.textContent ?? "",
		),
	);
	assert.deepEqual(
		posts.map((body) => [body.feedback, body.correction]),
		[["down", "Canberra.\nNot Sydney."]],
	);
	const log = await waitForLog(page, e2e.server, logId, (found) => found.feedback === -1);
	assert.doesNotMatch(JSON.stringify(log), /Canberra/);

	// Kept across a reload, and withdrawn with the vote.
	await page.reload();
	await page.waitForSelector(".message.assistant .thumb:not([disabled])");
	const restored = lastAnswer(page).getByLabel(/Suggest a better answer/);
	assert.equal(await restored.inputValue(), "Canberra.\nNot Sydney.");
	await lastAnswer(page).getByRole("button", { name: "Bad answer" }).click();
	await restored.waitFor({ state: "hidden" });
	await waitForLog(page, e2e.server, logId, (found) => found.feedback === null);
	assert.deepEqual(problems, []);
	await close();
});

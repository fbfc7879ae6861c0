// The chat page's features: Markdown, streaming that leaves finished blocks
// alone, the conversation across reloads, New chat, regenerate, copy, the model picker,
// and the vote states "superseded" and "refused". `npm run dev` on the emulator.
import assert from "node:assert/strict";
import { test } from "node:test";
import { answered, fakeLongAnswers, lastAnswer, send, waitForLog } from "./browser.ts";
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

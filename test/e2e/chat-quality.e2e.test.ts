// The chat page's quality, measured: axe-core finds no serious or critical accessibility
// violation on desktop and phone, light and dark; how long the first streamed delta takes
// from the stream to the screen; how much JavaScript and CSS the page loads. Also takes
// the README's screenshots (UPDATE_SCREENSHOTS=1 writes them to docs/).
import assert from "node:assert/strict";
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import type { BrowserContextOptions } from "playwright-core";
import { pageWeight } from "../../scripts/page-weight.mjs";
import {
	ARTIFACTS,
	answered,
	axeViolations,
	lastAnswer,
	send,
	serious,
	settled,
	VIEWS,
} from "./browser.ts";
import { ROOT } from "./dev-server.ts";
import { browserHarness } from "./harness.ts";

const e2e = browserHarness();

const CODE_MESSAGE =
	'Show code:\n\n## Steps\n\n1. Install\n2. Run `npm run dev`\n\n| Route | Method |\n|---|---|\n| /api/chat | POST |\n\n```ts\nconst res = await fetch("/api/chat");\n```';

for (const [name, options] of VIEWS) {
	test(`axe finds no serious or critical violation: ${name}`, async () => {
		const { page, problems, close } = await e2e.openChat(options);
		assert.deepEqual(await axeViolations(page).then(serious), [], "the empty page");
		// A failed answer (error, retry), an answer in Markdown with its rating open, the
		// character counter, the debug panel.
		let failed = false;
		await page.route("**/api/chat", async (route) => {
			if (failed) return route.continue();
			failed = true;
			await route.fulfill({
				status: 502,
				contentType: "application/json",
				body: JSON.stringify({ error: { code: "upstream_error", message: "Workers AI failed" } }),
			});
		});
		await send(page, "This one fails");
		await settled(page);
		await send(page, CODE_MESSAGE);
		await answered(page);
		await lastAnswer(page).getByRole("button", { name: "Good answer" }).click();
		await lastAnswer(page).getByLabel("Comment on this answer").fill("Clear");
		await page.fill("#prompt", "z".repeat(12_500));
		await page.click("#debug summary");
		const violations = await axeViolations(page);
		console.log(
			JSON.stringify({
				metric: "axe",
				view: name,
				violations: violations.map((v) => `${v.impact}: ${v.id}`),
			}),
		);
		assert.deepEqual(serious(violations), []);
		assert.deepEqual(
			problems.filter((problem) => !problem.includes("502")),
			[],
		);
		await close();
	});
}

test("measures how long the first delta of an answer takes from the stream to the screen", async () => {
	const { page, close } = await e2e.openChat({
		viewport: { width: 1280, height: 800 },
	});
	// In the page: when the fetch stream hands the page its first delta, when the answer's
	// text is first in the DOM, and the next frame (the text has been painted by then).
	await page.evaluate(() => {
		const timing = { read: 0, dom: 0, frame: 0 };
		(window as unknown as { timing: typeof timing }).timing = timing;
		const realFetch = window.fetch.bind(window);
		window.fetch = async (input, init) => {
			const res = await realFetch(input, init);
			if (String(input) !== "/api/chat" || !res.body) return res;
			const decoder = new TextDecoder();
			let seen = false;
			const body = res.body.pipeThrough(
				new TransformStream<Uint8Array, Uint8Array>({
					transform(chunk, controller) {
						if (!seen && decoder.decode(chunk, { stream: true }).includes('{"response"')) {
							seen = true;
							timing.read = performance.now();
						}
						controller.enqueue(chunk);
					},
				}),
			);
			return new Response(body, { status: res.status, headers: res.headers });
		};
		new MutationObserver(() => {
			if (timing.dom || !timing.read) return;
			const text = document.querySelector(".message.assistant.streaming .markdown");
			if (!text?.textContent) return;
			timing.dom = performance.now();
			requestAnimationFrame(() => {
				timing.frame = performance.now();
			});
		}).observe(document.querySelector("#messages") as Node, {
			subtree: true,
			childList: true,
			characterData: true,
		});
	});
	const samples: Array<{ toDom: number; toFrame: number }> = [];
	for (let i = 0; i < 8; i++) {
		await page.evaluate(() => {
			Object.assign((window as unknown as { timing: object }).timing, {
				read: 0,
				dom: 0,
				frame: 0,
			});
		});
		await send(page, `Measure me ${i}`);
		await answered(page);
		const timing = await page.evaluate(
			() => (window as unknown as { timing: { read: number; dom: number; frame: number } }).timing,
		);
		assert.ok(
			timing.read > 0 && timing.dom >= timing.read && timing.frame >= timing.dom,
			JSON.stringify(timing),
		);
		samples.push({ toDom: timing.dom - timing.read, toFrame: timing.frame - timing.read });
	}
	const stats = (values: number[]) => {
		const sorted = [...values].sort((a, b) => a - b);
		const round = (value: number) => Math.round(value * 10) / 10;
		return {
			median: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
			max: round(sorted.at(-1) ?? 0),
		};
	};
	const result = {
		metric: "first-delta-to-screen-ms",
		samples: samples.length,
		toDom: stats(samples.map((sample) => sample.toDom)),
		toNextFrame: stats(samples.map((sample) => sample.toFrame)),
	};
	console.log(JSON.stringify(result));
	// Rendered on the next animation frame: well under two frames at 60 Hz.
	assert.ok(result.toDom.median < 34, JSON.stringify(result));
	await close();
});

test("weighs the page's JavaScript and CSS, gzipped", () => {
	const weight = pageWeight();
	console.log(
		JSON.stringify({
			metric: "page-weight",
			js: weight.js,
			css: weight.css,
			total: weight.total,
			files: Object.fromEntries(weight.files.map((file) => [file.path, file.gzip])),
		}),
	);
	assert.ok(weight.files.some((file) => file.path === "/vendor/markdown-it/markdown-it.js"));
	assert.ok(weight.files.some((file) => file.path === "/js/chat.js"));
	// No framework: markdown-it, eventsource-parser and the page's own modules.
	assert.ok(weight.total.gzip < 80_000, `${weight.total.gzip} bytes gzipped`);
});

test("screenshots: desktop light, phone dark, an answer with code", async () => {
	const shots: Array<[string, BrowserContextOptions, string[]]> = [
		[
			"chat-desktop-light.png",
			{ viewport: { width: 1280, height: 800 }, colorScheme: "light" },
			["What is AI Gateway?", "How do I rate an answer?"],
		],
		[
			"chat-phone-dark.png",
			{
				viewport: { width: 390, height: 844 },
				colorScheme: "dark",
				deviceScaleFactor: 2,
				isMobile: true,
				hasTouch: true,
			},
			["What is AI Gateway?", "How do I rate an answer?"],
		],
		[
			"chat-code-answer.png",
			{ viewport: { width: 1280, height: 800 }, colorScheme: "light" },
			[CODE_MESSAGE],
		],
	];
	for (const [file, options, messages] of shots) {
		const { page, close } = await e2e.openChat(options);
		for (const message of messages) {
			await send(page, message);
			await answered(page);
		}
		const answer = lastAnswer(page);
		if (file !== "chat-code-answer.png") {
			await answer.getByRole("button", { name: "Good answer" }).click();
			await answer.getByLabel("Score (0 to 100)").fill("90");
			await answer.getByLabel("Comment on this answer").fill("Clear and short");
			await answer.getByRole("button", { name: "Send feedback" }).click();
			await page.waitForFunction(
				() =>
					document
						.querySelector(".message.assistant:last-child .vote-status")
						?.getAttribute("data-state") === "recorded",
				undefined,
				{ timeout: 20_000 },
			);
		}
		await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
		const path = join(ARTIFACTS, file);
		await page.screenshot({ path });
		if (process.env.UPDATE_SCREENSHOTS === "1") copyFileSync(path, join(ROOT, "docs", file));
		await close();
	}
});

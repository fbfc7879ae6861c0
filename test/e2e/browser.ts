// Shared by the browser tests: a page opened as a client of its own, axe-core, the views
// every page is checked in, and the helpers that drive the chat page. Chromium and the dev
// server come from harness.ts.
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { type DevServer, ROOT } from "./dev-server.ts";

export const ARTIFACTS = join(ROOT, "test-results/e2e");

/** The views every page is checked in: desktop and phone, light and dark. */
export const VIEWS: Array<[string, BrowserContextOptions]> = [
	["desktop light", { viewport: { width: 1280, height: 800 }, colorScheme: "light" }],
	["desktop dark", { viewport: { width: 1280, height: 800 }, colorScheme: "dark" }],
	[
		"phone light",
		{ viewport: { width: 390, height: 844 }, colorScheme: "light", isMobile: true, hasTouch: true },
	],
	[
		"phone dark",
		{ viewport: { width: 390, height: 844 }, colorScheme: "dark", isMobile: true, hasTouch: true },
	],
];

// axe-core from node_modules, run in the page: nothing is fetched from elsewhere. Playwright
// evaluates it through the DevTools protocol, which the page's CSP does not govern.
const AXE_SOURCE = readFileSync(
	createRequire(import.meta.url).resolve("axe-core/axe.min.js"),
	"utf8",
);

interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	nodes: Array<{ target: string[] }>;
}

export async function axeViolations(page: Page) {
	await page.evaluate(AXE_SOURCE);
	const violations = await page.evaluate(async () => {
		const axe = (
			window as unknown as {
				axe: { run: (...args: unknown[]) => Promise<{ violations: AxeViolation[] }> };
			}
		).axe;
		const result = await axe.run(document, { resultTypes: ["violations"] });
		return result.violations.map((violation) => ({
			id: violation.id,
			impact: violation.impact,
			help: violation.help,
			nodes: violation.nodes.map((node) => node.target.join(" ")).slice(0, 5),
		}));
	});
	return violations;
}

export function serious(violations: Array<{ impact: string | null }>) {
	return violations.filter(
		(violation) => violation.impact === "serious" || violation.impact === "critical",
	);
}

/**
 * Each page is a client of its own for the API's per-client rate limits (keyed by
 * CF-Connecting-IP, which the local runtime takes from the request), as each harness is in
 * the integration tests: a file's tests together send more than 20 chats a minute.
 */
export const clientHeaders = () => ({ "cf-connecting-ip": `203.0.113.${randomUUID()}` });

/** A script run in a page before the page's own. */
export type InitScript = Parameters<Page["addInitScript"]>[0];

/**
 * Opens `url` in a context of its own; `problems` collects console errors (CSP included).
 * `initScript` runs in the page before its own scripts.
 */
export async function openPage(
	browser: Browser,
	url: string,
	options: BrowserContextOptions = {},
	initScript?: InitScript,
) {
	const context = await browser.newContext({
		...options,
		extraHTTPHeaders: { ...clientHeaders(), ...options.extraHTTPHeaders },
	});
	const page = await context.newPage();
	const problems: string[] = [];
	page.on("console", (message) => {
		if (message.type() === "error") problems.push(message.text());
	});
	page.on("pageerror", (error) => problems.push(error.message));
	if (initScript) await page.addInitScript(initScript);
	const response = await page.goto(url);
	const close = () => context.close();
	return { page, context, response, problems, close };
}

export async function send(page: Page, text: string) {
	await page.fill("#prompt", text);
	await page.press("#prompt", "Enter");
}

export const lastAnswer = (page: Page) => page.locator(".message.assistant").last();

/** Waits until no answer is streaming and the latest one is ratable. */
export async function answered(page: Page, timeout = 15_000) {
	await page.waitForFunction(
		() =>
			document.querySelectorAll(".message.assistant").length > 0 &&
			!document.querySelector(".message.assistant.streaming") &&
			document.querySelector(".message.assistant:last-child .thumb:not([disabled])"),
		undefined,
		{ timeout },
	);
}

/** Waits until no answer is streaming (whatever the outcome). */
export async function settled(page: Page, timeout = 15_000) {
	await page.waitForFunction(
		() =>
			document.querySelectorAll(".message.assistant").length > 0 &&
			!document.querySelector(".message.assistant.streaming"),
		undefined,
		{ timeout },
	);
}

/** The gateway log of an answer, read from the debug route. */
export async function gatewayLog(page: Page, server: DevServer, logId: string) {
	return page.evaluate(
		async ({ id, token }) => {
			const res = await fetch(`/api/logs/${id}`, { headers: { authorization: `Bearer ${token}` } });
			return (await res.json()) as {
				id: string;
				feedback: number | null;
				score: number | null;
				metadata?: Record<string, unknown>;
			};
		},
		{ id: logId, token: server.debugToken },
	);
}

/** Polls the gateway log until `done` holds for it. */
export async function waitForLog(
	page: Page,
	server: DevServer,
	logId: string,
	done: (log: Awaited<ReturnType<typeof gatewayLog>>) => boolean,
	timeout = 15_000,
) {
	const start = Date.now();
	for (;;) {
		const log = await gatewayLog(page, server, logId);
		if (done(log)) return log;
		if (Date.now() - start > timeout) throw new Error(`log ${logId}: ${JSON.stringify(log)}`);
		await page.waitForTimeout(150);
	}
}

/**
 * Replaces the page's fetch of POST /api/chat with a stream made in the page: a meta event,
 * then `deltas` one every `intervalMs`, then [DONE]. For answers longer than the emulator's
 * (which quotes at most 200 characters of the message).
 */
export async function fakeLongAnswers(page: Page, deltas: string[], intervalMs = 20) {
	await page.evaluate(
		({ deltas, intervalMs }) => {
			const realFetch = window.fetch.bind(window);
			let answers = 0;
			window.fetch = async (input, init) => {
				if (String(input) !== "/api/chat") return realFetch(input, init);
				answers++;
				const encoder = new TextEncoder();
				const frame = (data: string, event?: string) =>
					encoder.encode(`${event ? `event: ${event}\n` : ""}data: ${data}\n\n`);
				const signal = init?.signal;
				let index = -1;
				let timer: ReturnType<typeof setTimeout> | undefined;
				let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
				const body = new ReadableStream<Uint8Array>({
					start(controller) {
						stream = controller;
					},
					pull(controller) {
						return new Promise<void>((resolve) => {
							timer = setTimeout(
								() => {
									if (index === -1) {
										controller.enqueue(
											frame(
												JSON.stringify({
													aiGatewayLogId: `fake-${answers}`,
													feedbackToken: null,
													model: "@cf/fake/long",
													provider: "workers-ai",
												}),
												"meta",
											),
										);
									} else if (index < deltas.length) {
										controller.enqueue(frame(JSON.stringify({ response: deltas[index] })));
									} else {
										controller.enqueue(frame("[DONE]"));
										controller.close();
									}
									index++;
									resolve();
								},
								index === -1 ? 0 : intervalMs,
							);
						});
					},
					cancel() {
						clearTimeout(timer);
					},
				});
				// As a real fetch does: an abort errors the body being read.
				signal?.addEventListener("abort", () => {
					clearTimeout(timer);
					stream?.error(new DOMException("The user aborted a request.", "AbortError"));
				});
				return new Response(body, {
					status: 200,
					headers: { "content-type": "text/event-stream" },
				});
			};
		},
		{ deltas, intervalMs },
	);
}

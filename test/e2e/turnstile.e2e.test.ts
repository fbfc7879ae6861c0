// The chat page with Turnstile on: `npm run dev` with Cloudflare's always-passes test keys,
// verified by the local Siteverify stand-in. The widget's script at challenges.cloudflare.com
// is served by the test (route()): a stand-in widget that hands over the tokens it is given.
import assert from "node:assert/strict";
import { test } from "node:test";
import { answered, clientHeaders, lastAnswer, send } from "./browser.ts";
import { browserHarness } from "./harness.ts";

const SITE_KEY = "1x00000000000000000000AA";
const DUMMY_TOKEN = "XXXX.DUMMY.TOKEN.XXXX";

const e2e = browserHarness({
	server: {
		vars: { TURNSTILE_SITE_KEY: SITE_KEY, TURNSTILE_SECRET: "1x0000000000000000000000000000000AA" },
	},
});

/** Turnstile's api.js as the page uses it: render() and reset() each hand over the next token. */
const widgetScript = (tokens: string[]) => `(() => {
	const tokens = ${JSON.stringify(tokens)};
	let params;
	const next = () => setTimeout(() => params.callback(tokens.length > 1 ? tokens.shift() : tokens[0]), 50);
	window.turnstileCalls = { render: [], reset: 0 };
	window.turnstile = {
		render(container, options) {
			params = options;
			window.turnstileCalls.render.push({ sitekey: options.sitekey, action: options.action });
			container.append(Object.assign(document.createElement("div"), { className: "stand-in-widget" }));
			next();
			return "widget-1";
		},
		reset() {
			window.turnstileCalls.reset++;
			next();
		},
	};
})();`;

async function openChat(tokens: string[]) {
	const context = await e2e.browser.newContext({ extraHTTPHeaders: clientHeaders() });
	await context.route("https://challenges.cloudflare.com/**", (route) =>
		route.fulfill({ contentType: "text/javascript", body: widgetScript(tokens) }),
	);
	const page = await context.newPage();
	const problems: string[] = [];
	page.on("console", (message) => {
		if (message.type() === "error") problems.push(message.text());
	});
	page.on("pageerror", (error) => problems.push(error.message));
	/** Each POST /api/chat's Turnstile headers. */
	const sent: Array<{ token?: string; pass?: string }> = [];
	page.on("request", (request) => {
		if (!request.url().endsWith("/api/chat")) return;
		const headers = request.headers();
		sent.push({ token: headers["x-turnstile-token"], pass: headers["x-turnstile-pass"] });
	});
	const response = await page.goto(e2e.server.url);
	return { page, response, problems, sent, close: () => context.close() };
}

test("one challenge a conversation: the widget's token once, then the pass", async () => {
	const { page, response, problems, sent, close } = await openChat([DUMMY_TOKEN]);
	const csp = response?.headers()["content-security-policy"] ?? "";
	assert.match(csp, /script-src 'self' https:\/\/challenges\.cloudflare\.com;/);
	assert.match(csp, /frame-src https:\/\/challenges\.cloudflare\.com;/);

	await send(page, "First message");
	await answered(page);
	await send(page, "Second message");
	await page.waitForFunction(() => document.querySelectorAll(".message.assistant").length === 2);
	await answered(page);

	const calls = await page.evaluate(
		() => (window as unknown as { turnstileCalls: unknown }).turnstileCalls,
	);
	assert.deepEqual(calls, { render: [{ sitekey: SITE_KEY, action: "chat" }], reset: 0 });
	assert.equal(sent.length, 2);
	assert.deepEqual(sent[0], { token: DUMMY_TOKEN, pass: undefined });
	assert.equal(sent[1]?.token, undefined);
	assert.match(sent[1]?.pass ?? "", /^tp1\./);
	assert.deepEqual(problems, []);
	await close();
});

test("a refused check says try again, resets the widget, and Retry goes through", async () => {
	// The first token is no dummy token: the always-passes test secret refuses it.
	const { page, problems, sent, close } = await openChat(["forged.token", DUMMY_TOKEN]);
	await send(page, "Hello");
	const answer = lastAnswer(page);
	await answer.locator(".answer-error").waitFor();
	assert.match(
		(await answer.locator(".error-text").textContent()) ?? "",
		/human check did not go through or has expired\. Try again/,
	);
	assert.equal(
		await page.evaluate(
			() => (window as unknown as { turnstileCalls: { reset: number } }).turnstileCalls.reset,
		),
		1,
	);
	await answer.getByRole("button", { name: "Retry" }).click();
	await answered(page);
	assert.deepEqual(
		sent.map((headers) => headers.token),
		["forged.token", DUMMY_TOKEN],
	);
	// The refusal is a 403 the browser reports; nothing else went wrong.
	assert.deepEqual(
		problems.filter((problem) => !/status of 403/.test(problem)),
		[],
	);
	await close();
});

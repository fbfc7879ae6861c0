// The chat page's human check (public/js/human-check.js), with a stand-in of Turnstile's
// widget API on `window`: which proof each POST /api/chat sends, and what a refusal resets.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHumanCheck, refusedHumanCheck } from "../../public/js/human-check.js";

const CONFIG = { siteKey: "1x00000000000000000000AA", action: "chat" };

/** Turnstile's api.js, as far as the page uses it: each render and reset hands over a new token. */
function fakeTurnstile() {
	let issued = 0;
	let callback: (token: string) => void = () => {};
	const calls = { render: [] as unknown[], reset: 0 };
	const api = {
		render(_container: unknown, options: { callback: (token: string) => void }) {
			calls.render.push(options);
			callback = options.callback;
			queueMicrotask(() => callback(`token-${++issued}`));
			return "widget-1";
		},
		reset() {
			calls.reset++;
			queueMicrotask(() => callback(`token-${++issued}`));
		},
	};
	return { api, calls };
}

const passFor = (secondsLeft: number) =>
	`tp1.kid12345.${Math.floor(Date.now() / 1000) + secondsLeft}.signature`;
const answerWith = (pass: string | null) =>
	new Response("{}", { headers: pass ? { "x-turnstile-pass": pass } : {} });
const container = () => ({ hidden: true, ownerDocument: null });
const signal = () => new AbortController().signal;

describe("the chat page's human check", () => {
	let turnstile: ReturnType<typeof fakeTurnstile>;
	beforeEach(() => {
		turnstile = fakeTurnstile();
		(globalThis as { window?: unknown }).window = { turnstile: turnstile.api };
	});
	afterEach(() => {
		delete (globalThis as { window?: unknown }).window;
	});

	it("adds nothing when the server asks for no check", async () => {
		const check = createHumanCheck(container(), async () => ({ turnstile: null }));
		expect(await check.headers(signal())).toEqual({});
		expect(turnstile.calls.render).toHaveLength(0);
	});

	it("renders the widget with the server's site key and action, shown only when needed", async () => {
		const box = container();
		const check = createHumanCheck(box, async () => ({ turnstile: CONFIG }));
		await check.headers(signal());
		expect(box.hidden).toBe(false);
		expect(turnstile.calls.render).toEqual([
			expect.objectContaining({
				sitekey: CONFIG.siteKey,
				action: "chat",
				appearance: "interaction-only",
			}),
		]);
	});

	it("sends the widget's token once, then the pass the answer brought", async () => {
		const check = createHumanCheck(container(), async () => ({ turnstile: CONFIG }));
		expect(await check.headers(signal())).toEqual({ "x-turnstile-token": "token-1" });
		const pass = passFor(600);
		check.accept(answerWith(pass));
		expect(await check.headers(signal())).toEqual({ "x-turnstile-pass": pass });
		expect(await check.headers(signal())).toEqual({ "x-turnstile-pass": pass });
		expect(turnstile.calls.reset).toBe(0);
	});

	it("waits for the widget's first token without restarting its challenge", async () => {
		let solve: (token: string) => void = () => {};
		turnstile.api.render = (
			_container: unknown,
			options: { callback: (token: string) => void },
		) => {
			solve = options.callback;
			return "widget-1";
		};
		const check = createHumanCheck(container(), async () => ({ turnstile: CONFIG }));
		const proof = check.headers(signal());
		await new Promise((resolve) => setTimeout(resolve, 10));
		solve("token-solved");
		expect(await proof).toEqual({ "x-turnstile-token": "token-solved" });
		expect(turnstile.calls.reset).toBe(0);
	});

	it("sends a new token instead of a pass about to expire, from a reset widget", async () => {
		const check = createHumanCheck(container(), async () => ({ turnstile: CONFIG }));
		await check.headers(signal());
		check.accept(answerWith(passFor(10)));
		expect(await check.headers(signal())).toEqual({ "x-turnstile-token": "token-2" });
		expect(turnstile.calls.reset).toBe(1);
	});

	it("drops the pass after a refusal and resets the widget for a new challenge", async () => {
		const check = createHumanCheck(container(), async () => ({ turnstile: CONFIG }));
		await check.headers(signal());
		check.accept(answerWith(passFor(600)));
		check.refused();
		expect(turnstile.calls.reset).toBe(1);
		expect(await check.headers(signal())).toEqual({ "x-turnstile-token": "token-2" });
	});

	it("gives up waiting for a token when the message is stopped", async () => {
		const check = createHumanCheck(container(), async () => ({ turnstile: CONFIG }));
		await check.headers(signal());
		// The widget hands over nothing more.
		turnstile.api.reset = () => {};
		const stop = new AbortController();
		const waiting = check.headers(stop.signal);
		stop.abort(new Error("stopped"));
		await expect(waiting).rejects.toThrow("stopped");
	});

	it("tells a refused check (complete it again) from Siteverify being unavailable", () => {
		for (const code of [
			"turnstile_missing",
			"turnstile_invalid",
			"turnstile_expired",
			"turnstile_replayed",
			"turnstile_mismatch",
		]) {
			expect(refusedHumanCheck(code)).toBe(true);
		}
		expect(refusedHumanCheck("turnstile_unavailable")).toBe(false);
		expect(refusedHumanCheck("rate_limited")).toBe(false);
	});
});

// The one harness of the browser tests: a file's Chromium and its `npm run dev`, started in
// node:test `before` hooks and stopped in `after` hooks, whatever the tests did. Each file has
// a dev server (and a fresh store) of its own; the files run one at a time.
import { mkdirSync } from "node:fs";
import { after, before } from "node:test";
import { type Browser, type BrowserContextOptions, chromium } from "playwright-core";
import { ARTIFACTS, type InitScript, openPage } from "./browser.ts";
import { type DevServer, startDevServer } from "./dev-server.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export interface ServeOptions {
	/** Overrides of the tests' settings (TEST_VARS, test/settings.ts), e.g. ALLOWED_MODELS. */
	vars?: Record<string, string>;
	/** Where the server keeps its state, asked for when it starts (so a `before` hook can fill it). */
	persistTo?: () => string;
}

/**
 * Registers the hooks that start Chromium and, unless `server` is false, `npm run dev` for the
 * file's tests. `serve()`, called inside a `describe`, gives that block a dev server of its own
 * instead (started before its tests, stopped after them). The getters throw when read before
 * the hooks ran; `open` and `openChat` open a page of the dev server as `openPage` does.
 */
export function browserHarness({ server = {} }: { server?: ServeOptions | false } = {}) {
	let browser: Browser | undefined;
	let current: DevServer | undefined;

	function serve({ vars, persistTo }: ServeOptions = {}) {
		before(async () => {
			current = await startDevServer(persistTo?.(), { vars });
		});
		after(async () => {
			await current?.stop();
			current = undefined;
		});
	}

	before(async () => {
		mkdirSync(ARTIFACTS, { recursive: true });
		browser = await chromium.launch({
			executablePath: CHROMIUM,
			args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
		});
	});
	after(async () => {
		await browser?.close();
	});
	if (server) serve(server);

	const harness = {
		get browser(): Browser {
			if (!browser) throw new Error("Chromium is not running: read `browser` inside a test");
			return browser;
		},
		get server(): DevServer {
			if (!current) throw new Error("no dev server is running: read `server` inside a test");
			return current;
		},
		serve,
		open: (path: string, options?: BrowserContextOptions, initScript?: InitScript) =>
			openPage(harness.browser, new URL(path, harness.server.url).href, options, initScript),
		openChat: (options?: BrowserContextOptions) => harness.open("/", options),
	};
	return harness;
}

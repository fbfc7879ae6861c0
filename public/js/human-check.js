// The human check (Cloudflare Turnstile), when the server asks for one: GET /api/models names
// its site key and action. The widget's token is sent once, in x-turnstile-token; the answer
// brings a pass (x-turnstile-pass) that the next messages send instead, until it nearly
// expires. A refusal (403 turnstile_*) drops both and resets the widget for a new challenge.

const SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit";
const PASS_HEADER = "x-turnstile-pass";
const TOKEN_HEADER = "x-turnstile-token";
/** A pass this close to its expiry is not sent: the next token earns a new one. */
const PASS_MARGIN_SECONDS = 30;

/** Whether the API refused the human check: complete it again, then retry. */
export const refusedHumanCheck = (code) =>
	typeof code === "string" && code.startsWith("turnstile_") && code !== "turnstile_unavailable";

function loadScript(documentRef) {
	if (window.turnstile) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const script = documentRef.createElement("script");
		script.src = SCRIPT;
		script.async = true;
		script.onload = () => resolve();
		script.onerror = () => reject(new Error("the human check's script did not load"));
		documentRef.head.append(script);
	});
}

/**
 * The page's human check, rendered into `container` when `loadModels()` (GET /api/models)
 * names one; `say(text)` tells the user what it waits for. Without one it adds nothing.
 */
export function createHumanCheck(container, loadModels, say = () => {}) {
	let widgetId = null;
	let token = null;
	/** { value, expires } of the latest pass (expires: Unix seconds, read from the pass). */
	let pass = null;
	let waiting = [];
	/** Whether the widget's latest token was sent: the next one needs a new challenge. */
	let spent = false;

	const deliver = (value) => {
		token = value;
		for (const resolve of waiting) resolve();
		waiting = [];
	};

	const ready = (async () => {
		let config;
		try {
			config = (await loadModels()).turnstile;
		} catch {
			return false; // Offline: /api/chat says what it needs.
		}
		if (!config) return false;
		container.hidden = false;
		try {
			await loadScript(container.ownerDocument);
			widgetId = window.turnstile.render(container, {
				sitekey: config.siteKey,
				action: config.action,
				// Shown only when the visitor has something to do.
				appearance: "interaction-only",
				callback: deliver,
				"expired-callback": () => {
					token = null;
				},
				"error-callback": () => {
					token = null;
					say("The human check failed. It tries again by itself; or reload the page.");
					return true;
				},
			});
		} catch {
			say("The human check could not load. Check your connection, then reload the page.");
		}
		return true;
	})();

	/** Resolves once the widget hands over a new token; Stop (`signal`) gives up. */
	function nextToken(signal) {
		return new Promise((resolve, reject) => {
			// Stopped before the wait began (while the script was loading).
			if (signal.aborted) return reject(signal.reason);
			const done = () => {
				signal.removeEventListener("abort", abort);
				resolve();
			};
			const abort = () => {
				waiting = waiting.filter((waiter) => waiter !== done);
				reject(signal.reason);
			};
			signal.addEventListener("abort", abort, { once: true });
			waiting.push(done);
		});
	}

	return {
		/** The headers that prove the check to POST /api/chat: a pass, or a fresh token. */
		async headers(signal) {
			if (!(await ready)) return {};
			if (pass && pass.expires - Date.now() / 1000 > PASS_MARGIN_SECONDS)
				return { [PASS_HEADER]: pass.value };
			pass = null;
			if (!token) {
				say("Waiting for the human check…");
				// A widget whose token was spent gets a new challenge; one still solving is left to it.
				if (spent && widgetId !== null && window.turnstile) window.turnstile.reset(widgetId);
				spent = false;
				while (!token) await nextToken(signal);
				say("");
			}
			const proof = token;
			token = null;
			spent = true;
			return { [TOKEN_HEADER]: proof };
		},
		/** Keeps the pass an answer brings. */
		accept(res) {
			const value = res.headers.get(PASS_HEADER);
			const expires = Number(value?.split(".")[2]);
			if (value && Number.isFinite(expires)) pass = { value, expires };
		},
		/** After a refusal of the check: a new challenge for the retry. */
		refused() {
			pass = null;
			token = null;
			spent = false;
			if (widgetId !== null && window.turnstile) window.turnstile.reset(widgetId);
		},
	};
}

// The message box: Enter sends, Shift+Enter is a new line, it grows with its text up to a
// point, counts characters near the API's limit, and says why a message was not sent.

/** The counter shows from this share of the API's limit on. */
const COUNTER_FROM_SHARE = 0.75;
const MAX_HEIGHT_PX = 240;

const number = (n) => n.toLocaleString("en-US");

/**
 * Wires the composer in `root`. `onSend(text)` gets a message to send and returns false
 * when it cannot take it now; `isBusy()` says whether an answer is streaming. `limits` is
 * the ServerLimits: its `contentChars` (UTF-16 units, as `string.length` counts) is the
 * longest message; nothing is counted until it is known.
 */
export function initComposer(root, { onSend, isBusy, onResize = () => {}, limits }) {
	const $ = (selector) => root.querySelector(selector);
	const form = $("#composer");
	const prompt = $("#prompt");
	const note = $("#composer-note");
	const counter = $("#char-count");
	const sendButton = $("#send");
	const stopButton = $("#stop");
	let pasted = false;

	const say = (text) => {
		note.textContent = text;
		onResize();
	};

	function refresh() {
		// Grows with its text (CSSOM, not a style attribute: the CSP allows it).
		prompt.style.height = "auto";
		prompt.style.height = `${Math.min(prompt.scrollHeight + 2, MAX_HEIGHT_PX)}px`;
		const length = prompt.value.length;
		const max = limits.current?.contentChars ?? Number.POSITIVE_INFINITY;
		counter.hidden = length < max * COUNTER_FROM_SHARE;
		const over = length - max;
		counter.textContent =
			over > 0
				? `${number(length)} / ${number(max)} characters: ${number(over)} over the limit`
				: `${number(length)} / ${number(max)} characters`;
		counter.dataset.over = String(over > 0);
		if (over > 0 && pasted) {
			say(
				`The pasted text makes this message ${number(length)} characters long; the limit is ${number(max)}. Nothing was cut: shorten it by ${number(over)} characters to send it.`,
			);
		} else if (over <= 0 && /limit/.test(note.textContent)) {
			say("");
		}
		// A paste is judged once the limits are known: until then it is remembered.
		if (limits.current) pasted = false;
		onResize();
	}

	prompt.addEventListener("paste", () => {
		pasted = true;
	});
	prompt.addEventListener("input", refresh);
	// Text typed or pasted before the server's limits arrived is measured once they do.
	void limits.load().then(() => {
		if (prompt.value) refresh();
	});

	form.addEventListener("submit", (event) => {
		event.preventDefault();
		const text = prompt.value;
		if (isBusy()) {
			say("An answer is still coming: wait for it, or press Stop (Esc) first.");
			return;
		}
		if (!text.trim()) {
			say("Type a message first: this one is empty.");
			prompt.focus();
			return;
		}
		const max = limits.current?.contentChars ?? Number.POSITIVE_INFINITY;
		if (text.length > max) {
			say(
				`This message is ${number(text.length)} characters long; the limit is ${number(max)}. Shorten it by ${number(text.length - max)} ${text.length - max === 1 ? "character" : "characters"} to send it.`,
			);
			return;
		}
		if (onSend(text.trim()) === false) return;
		say("");
		setText("");
	});

	prompt.addEventListener("keydown", (event) => {
		if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
			event.preventDefault();
			form.requestSubmit();
		}
	});

	function setText(text) {
		prompt.value = text;
		refresh();
	}

	return {
		prompt,
		setText,
		get text() {
			return prompt.value;
		},
		say,
		setBusy(busy) {
			sendButton.hidden = busy;
			stopButton.hidden = !busy;
			if (!busy && /still coming/.test(note.textContent)) say("");
		},
		refresh,
	};
}

// The message box: Enter sends, Shift+Enter is a new line, it grows with its text up to a
// point, counts characters near the API's limit, and says why a message was not sent.

/** POST /api/chat takes up to 16,000 characters a message. */
export const MAX_MESSAGE_CHARS = 16_000;
/** The counter shows from here on. */
const COUNTER_FROM = 12_000;
const MAX_HEIGHT_PX = 240;

const number = (n) => n.toLocaleString("en-US");

/**
 * Wires the composer in `root`. `onSend(text)` gets a message to send and returns false
 * when it cannot take it now; `isBusy()` says whether an answer is streaming.
 */
export function initComposer(root, { onSend, isBusy, onResize = () => {} }) {
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
		counter.hidden = length < COUNTER_FROM;
		const over = length - MAX_MESSAGE_CHARS;
		counter.textContent =
			over > 0
				? `${number(length)} / ${number(MAX_MESSAGE_CHARS)} characters: ${number(over)} over the limit`
				: `${number(length)} / ${number(MAX_MESSAGE_CHARS)} characters`;
		counter.dataset.over = String(over > 0);
		if (over > 0 && pasted) {
			say(
				`The pasted text makes this message ${number(length)} characters long; the limit is ${number(MAX_MESSAGE_CHARS)}. Nothing was cut: shorten it by ${number(over)} characters to send it.`,
			);
		} else if (over <= 0 && /limit/.test(note.textContent)) {
			say("");
		}
		pasted = false;
		onResize();
	}

	prompt.addEventListener("paste", () => {
		pasted = true;
	});
	prompt.addEventListener("input", refresh);

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
		if (text.length > MAX_MESSAGE_CHARS) {
			say(
				`This message is ${number(text.length)} characters long; the limit is ${number(MAX_MESSAGE_CHARS)}. Shorten it by ${number(text.length - MAX_MESSAGE_CHARS)} ${text.length - MAX_MESSAGE_CHARS === 1 ? "character" : "characters"} to send it.`,
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

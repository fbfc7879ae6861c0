// The conversation: sends it to POST /api/chat, streams the answer in, and turns on the
// thumbs under each answer. Model output is only ever inserted with textContent, never
// as HTML.

import { errorMessage } from "./http.js";
import { readEvents } from "./sse.js";

const MAX_MESSAGES = 50;
const MAX_BODY_CHARS = 60_000;

/** The latest messages that fit the API's limits (50 messages, 64 KiB body). */
export function conversationForRequest(history) {
	const messages = history.slice(-MAX_MESSAGES);
	while (messages.length > 1 && JSON.stringify(messages).length > MAX_BODY_CHARS) messages.shift();
	return messages;
}

/**
 * Wires the chat in `root` (the document). `senders` is a FeedbackSenders; `onRatable`
 * gets { aiGatewayLogId, token, element, number } for each answer that has a gateway log.
 */
export function initChat(root, { senders, onRatable = () => {} }) {
	const $ = (selector) => root.querySelector(selector);
	const messagesList = $("#messages");
	const emptyHint = $("#empty");
	const composer = $("#composer");
	const prompt = $("#prompt");
	const sendButton = $("#send");
	const stopButton = $("#stop");
	const backendNotice = $("#backend-notice");
	const answerTemplate = $("#answer-template");

	/** The conversation sent with each request: { role, content }. */
	const history = [];
	/** How many answers could be rated so far; numbers them in the debug panel. */
	let ratable = 0;
	let inFlight = null;

	composer.addEventListener("submit", (event) => {
		event.preventDefault();
		const content = prompt.value.trim();
		if (content && !inFlight) void ask(content);
	});

	prompt.addEventListener("keydown", (event) => {
		if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
			event.preventDefault();
			composer.requestSubmit();
		}
	});

	stopButton.addEventListener("click", () => inFlight?.abort());

	async function ask(content) {
		history.push({ role: "user", content });
		addMessage("user", content);
		prompt.value = "";
		const answer = addAnswer();
		const controller = new AbortController();
		inFlight = controller;
		setBusy(true);
		let text = "";
		try {
			const res = await fetch("/api/chat", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify({ messages: conversationForRequest(history), stream: true }),
				signal: controller.signal,
			});
			if (res.headers.get("x-ai-backend") === "emulator") {
				backendNotice.hidden = false;
				answer.element.querySelector(".badge").hidden = false;
			}
			if (!res.ok) throw new Error(await errorMessage(res));
			for await (const event of readEvents(res.body)) {
				if (event.event === "meta") {
					const meta = JSON.parse(event.data);
					enableRating(answer, meta.aiGatewayLogId, meta.feedbackToken);
				} else if (event.event === "error") {
					throw new Error(JSON.parse(event.data).error?.message ?? "The answer failed");
				} else if (event.data === "[DONE]") {
					break;
				} else {
					text += JSON.parse(event.data).response ?? "";
					answer.text.textContent = text;
				}
			}
			answer.element.classList.remove("streaming");
			history.push({ role: "assistant", content: text });
		} catch (error) {
			answer.element.classList.remove("streaming");
			const stopped = controller.signal.aborted;
			const note = document.createElement("p");
			note.className = "error";
			note.setAttribute("role", "alert");
			note.textContent = stopped ? "Stopped." : `Error: ${error.message}`;
			answer.element.append(note);
			if (text) history.push({ role: "assistant", content: text });
		} finally {
			inFlight = null;
			setBusy(false);
			prompt.focus();
		}
	}

	function setBusy(busy) {
		sendButton.disabled = busy;
		stopButton.hidden = !busy;
	}

	function addMessage(role, content) {
		emptyHint.hidden = true;
		const item = document.createElement("li");
		item.className = `message ${role}`;
		const label = document.createElement("span");
		label.className = "role";
		label.textContent = role === "user" ? "You" : "Assistant";
		const text = document.createElement("p");
		text.className = "text";
		text.textContent = content;
		item.append(label, text);
		messagesList.append(item);
		item.scrollIntoView({ block: "end" });
		return item;
	}

	function addAnswer() {
		emptyHint.hidden = true;
		const element = answerTemplate.content.firstElementChild.cloneNode(true);
		element.classList.add("streaming");
		messagesList.append(element);
		element.scrollIntoView({ block: "end" });
		return { element, text: element.querySelector(".text") };
	}

	function enableRating(answer, aiGatewayLogId, token) {
		if (!aiGatewayLogId) return;
		onRatable({ aiGatewayLogId, token, element: answer.element, number: ++ratable });
		const status = answer.element.querySelector(".vote-status");
		if (!token) {
			status.textContent = "Rating is off (no FEEDBACK_SECRET).";
			return;
		}
		const thumbs = [...answer.element.querySelectorAll(".thumb")];
		const comment = answer.element.querySelector(".comment");
		let current = null;
		const press = (vote) => {
			current = vote;
			for (const thumb of thumbs)
				thumb.setAttribute("aria-pressed", String(thumb.dataset.vote === current));
		};
		const sender = senders.senderFor(aiGatewayLogId, token, (state, text, kept) => {
			setVoteState(status, state, text);
			// The server kept a newer vote (another tab, another device): show that one.
			if (state === "superseded" && kept) press(kept === "clear" ? null : kept);
		});
		for (const thumb of thumbs) {
			thumb.disabled = false;
			thumb.addEventListener("click", () => {
				// Pressing the active thumb again withdraws the vote.
				press(current === thumb.dataset.vote ? null : thumb.dataset.vote);
				void sender.cast(current ?? "clear", comment.value.trim());
			});
		}
		comment.disabled = false;
		comment.addEventListener("change", () => {
			if (current) void sender.cast(current, comment.value.trim());
		});
	}
}

function setVoteState(status, state, text) {
	status.dataset.state = state;
	status.textContent = text;
}

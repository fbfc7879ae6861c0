// The chat page: streams answers from POST /api/chat, sends thumbs to POST /api/feedback,
// and shows a gateway log from GET /api/logs/:logId. No framework, no third-party code.
// Model output is only ever inserted with textContent, never as HTML.

const $ = (selector) => document.querySelector(selector);

const messagesList = $("#messages");
const emptyHint = $("#empty");
const composer = $("#composer");
const prompt = $("#prompt");
const sendButton = $("#send");
const stopButton = $("#stop");
const backendNotice = $("#backend-notice");
const answerTemplate = $("#answer-template");
const debugForm = $("#debug-form");
const debugToken = $("#debug-token");
const debugAnswer = $("#debug-answer");
const debugStatus = $("#debug-status");
const debugLog = $("#debug-log");

const MAX_MESSAGES = 50;
const MAX_BODY_CHARS = 60_000;
const RETRY_DELAYS_S = [1, 2, 4, 8, 16, 30];

/** The conversation sent with each request: { role, content }. */
const history = [];
/** Answers that can be rated: { logId, token, element, number }. */
const answers = [];
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
			body: JSON.stringify({ messages: conversationForRequest(), stream: true }),
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
				enableRating(answer, meta.logId, meta.feedbackToken);
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

/** The latest messages that fit the API's limits (50 messages, 64 KiB body). */
function conversationForRequest() {
	const messages = history.slice(-MAX_MESSAGES);
	while (messages.length > 1 && JSON.stringify(messages).length > MAX_BODY_CHARS) messages.shift();
	return messages;
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

/** Parses a text/event-stream body into { event, data } objects. */
async function* readEvents(body) {
	const reader = body.pipeThrough(new TextDecoderStream()).getReader();
	let buffer = "";
	for (;;) {
		const { done, value } = await reader.read();
		if (done) return;
		buffer += value.replaceAll("\r\n", "\n");
		let end = buffer.indexOf("\n\n");
		while (end !== -1) {
			const block = buffer.slice(0, end);
			buffer = buffer.slice(end + 2);
			const event = { event: undefined, data: "" };
			const data = [];
			for (const line of block.split("\n")) {
				const colon = line.indexOf(":");
				const field = colon === -1 ? line : line.slice(0, colon);
				const value = colon === -1 ? "" : line.slice(colon + 1).replace(/^ /, "");
				if (field === "event") event.event = value;
				else if (field === "data") data.push(value);
			}
			event.data = data.join("\n");
			if (data.length) yield event;
			end = buffer.indexOf("\n\n");
		}
	}
}

async function errorMessage(res) {
	try {
		const body = await res.json();
		return body.error?.message ?? `HTTP ${res.status}`;
	} catch {
		return `HTTP ${res.status}`;
	}
}

// --- Feedback ---------------------------------------------------------------------

function enableRating(answer, logId, token) {
	if (!logId) return;
	const entry = { logId, token, element: answer.element, number: answers.length + 1 };
	answers.push(entry);
	addDebugOption(entry);
	const status = answer.element.querySelector(".vote-status");
	if (!token) {
		status.textContent = "Rating is off (no FEEDBACK_SECRET).";
		return;
	}
	const thumbs = answer.element.querySelectorAll(".thumb");
	const comment = answer.element.querySelector(".comment");
	const sender = createVoteSender(entry, comment, status);
	for (const thumb of thumbs) {
		thumb.disabled = false;
		thumb.addEventListener("click", () => {
			for (const other of thumbs) other.setAttribute("aria-pressed", String(other === thumb));
			sender.cast(thumb.dataset.vote);
		});
	}
	comment.disabled = false;
	comment.addEventListener("change", () => sender.resend());
}

/**
 * Delivers the latest vote of one answer. A vote cast while another is on its way
 * replaces it; failures the server may recover from (503 log_not_ready, 429, 5xx,
 * network) are retried with backoff, and the status says so.
 */
function createVoteSender(entry, comment, status) {
	let wanted = null;
	let running = false;
	let changed = false;
	let wake = () => {};

	async function run() {
		running = true;
		let attempt = 0;
		for (;;) {
			changed = false;
			setVoteState(status, "sending", "Sending…");
			const outcome = await send(wanted);
			if (changed) {
				attempt = 0;
				continue;
			}
			if (outcome.ok) {
				setVoteState(status, "recorded", `Recorded: ${wanted === "up" ? "good" : "bad"} answer`);
				break;
			}
			if (!outcome.retry || attempt >= RETRY_DELAYS_S.length) {
				setVoteState(status, "failed", `Failed: ${outcome.reason}. Click a thumb to try again.`);
				break;
			}
			const delay = RETRY_DELAYS_S[attempt++];
			setVoteState(status, "retrying", `Not recorded yet, retrying in ${delay} s…`);
			await new Promise((resolve) => {
				const timer = setTimeout(resolve, delay * 1000);
				wake = () => {
					clearTimeout(timer);
					resolve();
				};
			});
			if (changed) attempt = 0;
		}
		running = false;
	}

	async function send(vote) {
		const body = { logId: entry.logId, token: entry.token, feedback: vote };
		const note = comment.value.trim();
		if (note) body.comment = note;
		try {
			const res = await fetch("/api/feedback", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(body),
			});
			if (res.ok) return { ok: true };
			const retry = res.status === 429 || res.status >= 500;
			return { ok: false, retry, reason: await errorMessage(res) };
		} catch {
			return { ok: false, retry: true, reason: "the network failed" };
		}
	}

	const trigger = () => {
		if (running) {
			changed = true;
			wake();
		} else {
			void run();
		}
	};
	return {
		cast(vote) {
			wanted = vote;
			trigger();
		},
		resend() {
			if (wanted) trigger();
		},
	};
}

function setVoteState(status, state, text) {
	status.dataset.state = state;
	status.textContent = text;
}

// --- Debug panel ------------------------------------------------------------------

debugToken.value = sessionStorage.getItem("debugToken") ?? "";
debugToken.addEventListener("change", () => sessionStorage.setItem("debugToken", debugToken.value));

function addDebugOption(entry) {
	const option = document.createElement("option");
	option.value = entry.logId;
	option.textContent = `Answer ${entry.number} (${entry.logId})`;
	debugAnswer.append(option);
	debugAnswer.value = entry.logId;
}

debugForm.addEventListener("submit", async (event) => {
	event.preventDefault();
	debugLog.textContent = "";
	if (!debugAnswer.value) {
		debugStatus.textContent = "No answer to inspect yet.";
		return;
	}
	debugStatus.textContent = "Loading…";
	try {
		const res = await fetch(`/api/logs/${encodeURIComponent(debugAnswer.value)}`, {
			headers: { authorization: `Bearer ${debugToken.value.trim()}` },
		});
		if (!res.ok) {
			debugStatus.textContent = `Error: ${await errorMessage(res)}`;
			return;
		}
		const log = await res.json();
		debugStatus.textContent = `Log ${log.id}: feedback ${log.feedback ?? "none"}`;
		debugLog.textContent = JSON.stringify(log, null, 2);
	} catch (error) {
		debugStatus.textContent = `Error: ${error.message}`;
	}
});

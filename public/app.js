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
//
// A vote goes into an outbox in localStorage first, so a vote cast offline, during a
// server error or just before the tab closes is sent later. Once the API accepts it
// (202), the page follows its delivery to the gateway and says "Recorded" only when
// the gateway has it.

const OUTBOX_KEY = "feedback-outbox-v1";
const VOTE_LABELS = {
	up: "Recorded: good answer",
	down: "Recorded: bad answer",
	clear: "Vote withdrawn",
};

const outbox = {
	read() {
		try {
			return JSON.parse(localStorage.getItem(OUTBOX_KEY) ?? "{}");
		} catch {
			return {};
		}
	},
	put(entry) {
		const entries = outbox.read();
		entries[entry.logId] = entry;
		localStorage.setItem(OUTBOX_KEY, JSON.stringify(entries));
	},
	/** Removes the entry unless a newer vote replaced it meanwhile. */
	remove(entry) {
		const entries = outbox.read();
		if (entries[entry.logId]?.sequence === entry.sequence) {
			delete entries[entry.logId];
			localStorage.setItem(OUTBOX_KEY, JSON.stringify(entries));
		}
	},
};

/** One sender per log id; the page's rating controls attach to it when they exist. */
const senders = new Map();

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
	const thumbs = [...answer.element.querySelectorAll(".thumb")];
	const comment = answer.element.querySelector(".comment");
	const sender = senderFor(logId, token, status);
	let current = null;
	for (const thumb of thumbs) {
		thumb.disabled = false;
		thumb.addEventListener("click", () => {
			// Pressing the active thumb again withdraws the vote.
			current = current === thumb.dataset.vote ? null : thumb.dataset.vote;
			for (const other of thumbs)
				other.setAttribute("aria-pressed", String(other.dataset.vote === current));
			sender.cast(current ?? "clear", comment.value.trim());
		});
	}
	comment.disabled = false;
	comment.addEventListener("change", () => {
		if (current) sender.cast(current, comment.value.trim());
	});
}

function senderFor(logId, token, status = null) {
	let sender = senders.get(logId);
	if (!sender) {
		sender = createVoteSender(logId, token);
		senders.set(logId, sender);
	}
	if (status) sender.attach(status);
	return sender;
}

/**
 * Sends the latest vote on one answer and follows its delivery. A newer vote replaces
 * an older one at any point; sending is retried with backoff while the network or
 * the server fails, and the status says so.
 */
function createVoteSender(logId, token) {
	let status = null;
	let pending = null;
	let running = false;
	let wake = () => {};
	let lastSequence = 0;

	const show = (state, text) => {
		if (status) setVoteState(status, state, text);
	};
	const sleep = (ms) =>
		new Promise((resolve) => {
			const timer = setTimeout(resolve, ms);
			wake = () => {
				clearTimeout(timer);
				resolve();
			};
		});

	async function run() {
		running = true;
		let attempt = 0;
		while (pending) {
			const entry = pending;
			show("sending", "Sending…");
			const outcome = await post(entry);
			if (pending !== entry) {
				attempt = 0;
				continue;
			}
			if (outcome.accepted) {
				outbox.remove(entry);
				pending = null;
				await follow(entry);
				if (pending) continue;
				break;
			}
			if (!outcome.retry) {
				outbox.remove(entry);
				pending = null;
				show("failed", `Failed: ${outcome.reason}.`);
				break;
			}
			const delay = RETRY_DELAYS_S[Math.min(attempt++, RETRY_DELAYS_S.length - 1)];
			show("retrying", `Not sent (${outcome.reason}), retrying in ${delay} s…`);
			await sleep(delay * 1000);
		}
		running = false;
	}

	async function post(entry) {
		const body = { logId, token, feedback: entry.vote, sequence: entry.sequence };
		if (entry.comment) body.comment = entry.comment;
		try {
			const res = await fetch("/api/feedback", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(body),
			});
			if (res.status === 202) return { accepted: true };
			const retry = res.status === 429 || res.status >= 500;
			return { accepted: false, retry, reason: await errorMessage(res) };
		} catch {
			return { accepted: false, retry: true, reason: "offline" };
		}
	}

	/** Polls the vote's delivery until the gateway has it, or delivery gave up. */
	async function follow(entry) {
		show("sending", "Accepted, delivering to the gateway…");
		for (let wait = 250; !pending; wait = Math.min(wait * 2, 5000)) {
			let delivery;
			try {
				const res = await fetch(`/api/feedback/${encodeURIComponent(logId)}`, {
					headers: { authorization: `Bearer ${token}` },
				});
				delivery = res.ok ? await res.json() : null;
			} catch {
				delivery = null;
			}
			if (delivery?.state === "delivered" && delivery.feedback === entry.vote) {
				show("recorded", VOTE_LABELS[entry.vote]);
				return;
			}
			if (delivery?.state === "failed") {
				show("failed", `Failed: ${delivery.error ?? "the gateway did not take the vote"}.`);
				return;
			}
			await sleep(wait);
		}
	}

	return {
		attach(element) {
			status = element;
		},
		cast(vote, comment = "", sequence = undefined) {
			lastSequence = sequence ?? Math.max(Date.now(), lastSequence + 1);
			pending = { logId, token, vote, comment, sequence: lastSequence };
			outbox.put(pending);
			if (running) wake();
			else void run();
		},
	};
}

function setVoteState(status, state, text) {
	status.dataset.state = state;
	status.textContent = text;
}

/** Votes left in the outbox by an earlier visit (offline, closed tab) go out now. */
function flushOutbox() {
	for (const entry of Object.values(outbox.read())) {
		const sender = senderFor(entry.logId, entry.token);
		sender.cast(entry.vote, entry.comment, entry.sequence);
	}
}
window.addEventListener("online", flushOutbox);
flushOutbox();

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

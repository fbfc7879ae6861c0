// The conversation: sends it to POST /api/chat, streams each answer in, keeps it in
// localStorage, and wires every answer's actions (retry, regenerate, copy, rating).
// Failed turns stay on the page with their error but are never sent as history.

import { copyText, createAnswerView, enableRating } from "./answer-view.js";
import { initComposer } from "./composer.js";
import { answered, ConversationStore, historyFor } from "./conversation-store.js";
import { ChatFailure, explainFailure } from "./http.js";
import { refusedHumanCheck } from "./human-check.js";
import { createFollower } from "./scroll.js";
import { readEvents } from "./sse.js";

const utf8 = new TextEncoder();
const bytes = (text) => utf8.encode(text).length;

/**
 * The body of POST /api/chat, as sent: `fields` (stream, model) and the latest messages of
 * `history` that fit the API's `limits` (its most messages, and its most body bytes counted
 * in UTF-8, as the server counts them: a CJK character is 3 bytes, an emoji 4). Without
 * `limits` (the server's could not be loaded), the whole history: the API says if it is too
 * long.
 */
export function chatRequestBody(history, fields, limits) {
	let messages = limits ? history.slice(-limits.messages) : history;
	if (limits) {
		// The body is its envelope plus each message's JSON and a comma between them: each
		// message is encoded once, however many are dropped.
		const envelope = bytes(JSON.stringify({ messages: [], ...fields }));
		const sizes = messages.map((message) => bytes(JSON.stringify(message)));
		let total = envelope + sizes.reduce((sum, size) => sum + size, 0) + sizes.length - 1;
		let first = 0;
		while (messages.length - first > 1 && total > limits.bodyBytes) total -= sizes[first++] + 1;
		messages = messages.slice(first);
	}
	// A conversation starts with the user.
	while (messages.length > 1 && messages[0].role !== "user") messages = messages.slice(1);
	return JSON.stringify({ messages, ...fields });
}

/** A new answer's record, as the page keeps it (see conversation-store.js). */
const newAnswerRecord = () => ({
	text: "",
	status: "streaming",
	error: null,
	model: null,
	provider: null,
	emulated: false,
	aiGatewayLogId: null,
	token: null,
	vote: null,
	score: null,
	comment: "",
	correction: "",
	voteState: null,
});

/** Any error of an ask as a ChatFailure: a TypeError of fetch is the network's. */
function asChatFailure(error) {
	if (error instanceof ChatFailure) return error;
	if (error?.name === "TypeError")
		return new ChatFailure({ kind: "network", detail: error.message });
	return new ChatFailure({ kind: "broken", detail: String(error?.message ?? error) });
}

/** What a failed answer keeps: the words to show, whether to offer Retry, and when. */
function failureRecord(failure) {
	const { text, retry } = explainFailure(failure);
	return {
		text,
		retry,
		code: failure.code ?? failure.kind,
		retryAt: failure.retryAfter ? Date.now() + failure.retryAfter * 1000 : undefined,
	};
}

/**
 * Wires the chat in `root` (the document). `senders` is a FeedbackSenders; `onRatable`
 * gets { aiGatewayLogId, token, element, number } for each answer that has a gateway log;
 * `storage` is localStorage (or anything with getItem and setItem); `selectedModel()` names
 * the model to ask, or "" for the server's default; `limits` is the ServerLimits
 * (limits.js) the page checks and trims by; `humanCheck` (human-check.js) proves the
 * Turnstile check when the server asks for one.
 */
export function initChat(
	root,
	{ senders, onRatable = () => {}, storage, selectedModel = () => "", limits, humanCheck },
) {
	const $ = (selector) => root.querySelector(selector);
	const messagesList = $("#messages");
	const emptyHint = $("#empty");
	const backendNotice = $("#backend-notice");
	const announcer = $("#announcer");
	const answerTemplate = $("#answer-template");
	const userTemplate = $("#user-template");
	const store = new ConversationStore(storage);
	const follower = createFollower($("#conversation"), $("#jump-latest"));

	/** The turns on the page, in order: { id, user, answer, userElement, view }. */
	let turns = [];
	/** How many answers could be rated so far; numbers them in the debug panel. */
	let ratable = 0;
	/** The request in flight: { controller, turn }. */
	let inFlight = null;

	const composer = initComposer(root, {
		isBusy: () => inFlight !== null,
		onSend: (text) => {
			void ask(newTurn(text));
		},
		onResize: () => follower.follow(),
		limits,
	});
	// Text typed before the limits came in is counted once they are here.
	void limits.load().then(() => composer.refresh());

	$("#stop").addEventListener("click", stop);
	root.addEventListener("keydown", (event) => {
		if (event.key === "Escape" && inFlight) {
			event.preventDefault();
			stop();
		}
	});
	$("#new-chat").addEventListener("click", newChat);

	// Copy buttons of code blocks, in any answer.
	messagesList.addEventListener("click", async (event) => {
		const button = event.target.closest?.(".copy-code");
		if (!button) return;
		const code = button.closest(".code-block")?.querySelector("code")?.textContent ?? "";
		button.textContent = (await copyText(code)) ? "Copied" : "Could not copy";
		setTimeout(() => {
			button.textContent = "Copy code";
		}, 2000);
	});

	const save = () =>
		store.save(
			turns.map(({ id, user, answer }) => ({ id, user, answer: answer && { ...answer } })),
		);

	function stop() {
		inFlight?.controller.abort();
	}

	function announce(text) {
		// A change of text is what screen readers announce: clear first, so the same words twice are said twice.
		announcer.textContent = "";
		setTimeout(() => {
			announcer.textContent = text;
		}, 50);
	}

	function newTurn(text) {
		const turn = { id: crypto.randomUUID(), user: text, answer: null };
		turns.push(turn);
		addUserMessage(turn);
		return turn;
	}

	function addUserMessage(turn) {
		emptyHint.hidden = true;
		const item = userTemplate.content.firstElementChild.cloneNode(true);
		item.querySelector(".text").textContent = turn.user;
		messagesList.append(item);
		turn.userElement = item;
	}

	function newChat() {
		stop();
		for (const turn of turns) turn.view?.stopCountdown();
		turns = [];
		store.newConversation();
		messagesList.replaceChildren();
		emptyHint.hidden = false;
		save();
		composer.say("");
		composer.prompt.focus();
		announce("New chat started.");
	}

	/** Marks which answer is the latest: only it offers retry and regenerate. */
	function refreshLatest() {
		const latest = turns.at(-1);
		for (const turn of turns) turn.view?.setLatest(turn === latest && inFlight === null);
	}

	function attachAnswer(turn, record) {
		const view = createAnswerView(answerTemplate, record);
		view.onResize = () => follower.follow();
		view.onRetry(() => {
			if (inFlight) {
				composer.say("An answer is still coming: wait for it, or press Stop (Esc) first.");
				return;
			}
			// The message kept in the box for a retry is being retried: take it out.
			if (composer.text.trim() === turn.user) composer.setText("");
			void ask(turn);
		});
		if (turn.view) {
			turn.view.stopCountdown();
			turn.view.element.replaceWith(view.element);
		} else {
			turn.userElement.after(view.element);
		}
		turn.view = view;
		turn.answer = record;
		return view;
	}

	function makeRatable(view) {
		const { record } = view;
		if (!record.aiGatewayLogId) return;
		onRatable({
			aiGatewayLogId: record.aiGatewayLogId,
			token: record.token,
			element: view.element,
			number: ++ratable,
		});
	}

	/** Asks for `turn`'s answer: a new turn, or again (retry, regenerate) with a new answer. */
	async function ask(turn) {
		const { view, signal } = startAnswer(turn);
		const { record } = view;
		const model = selectedModel();
		try {
			const res = await postChat(turn, model, view, signal);
			await readAnswer(res, model, view);
			record.status = "done";
		} catch (error) {
			if (signal.aborted) {
				record.status = "stopped";
			} else {
				record.status = "failed";
				record.error = failureRecord(asChatFailure(error));
			}
		} finally {
			endAnswer(turn, view);
		}
	}

	/** Puts an empty answer under `turn`, streaming, and makes it the request in flight. */
	function startAnswer(turn) {
		const view = attachAnswer(turn, newAnswerRecord());
		view.startStreaming();
		const controller = new AbortController();
		inFlight = { controller, turn };
		composer.setBusy(true);
		refreshLatest();
		follower.pin();
		save();
		return { view, signal: controller.signal };
	}

	/** POST /api/chat with the conversation up to `turn`; a refusal is thrown as a ChatFailure. */
	async function postChat(turn, model, view, signal) {
		const body = chatRequestBody(
			historyFor(turns, turn),
			{ stream: true, conversation: store.conversationId, ...(model ? { model } : {}) },
			limits.current ?? (await limits.load()),
		);
		const proof = humanCheck ? await humanCheck.headers(signal) : {};
		let res;
		try {
			res = await fetch("/api/chat", {
				method: "POST",
				headers: { "content-type": "application/json", ...proof },
				body,
				signal,
			});
		} catch (error) {
			if (signal.aborted) throw error;
			throw new ChatFailure({ kind: "network", detail: error.message });
		}
		humanCheck?.accept(res);
		if (res.headers.get("x-ai-backend") === "emulator") {
			backendNotice.hidden = false;
			view.record.emulated = true;
		}
		if (!res.ok) {
			const failure = await ChatFailure.fromResponse(res);
			// A new challenge begins at once: Retry sends its token.
			if (refusedHumanCheck(failure.code)) humanCheck?.refused();
			throw failure;
		}
		return res;
	}

	/**
	 * Reads the answer's events into `view`: its meta (log id, feedback token, who served it),
	 * its text, an error, [DONE]. A stream that ends without [DONE] is broken.
	 */
	async function readAnswer(res, model, view) {
		const { record } = view;
		for await (const event of readEvents(res.body)) {
			if (event.event === "meta") {
				const meta = JSON.parse(event.data);
				record.aiGatewayLogId = meta.aiGatewayLogId ?? null;
				record.token = meta.feedbackToken ?? null;
				record.model = meta.model ?? model ?? null;
				record.provider = meta.provider ?? null;
				view.showMeta();
				makeRatable(view);
				save();
			} else if (event.event === "error") {
				const error = JSON.parse(event.data).error ?? {};
				throw new ChatFailure({ kind: "stream", code: error.code, detail: error.message });
			} else if (event.data === "[DONE]") {
				return;
			} else {
				record.text += JSON.parse(event.data).response ?? "";
				view.update(record.text);
			}
		}
		throw new ChatFailure({ kind: "broken" });
	}

	/** The answer is in, stopped or failed: the page shows its outcome and is ready again. */
	function endAnswer(turn, view) {
		const { record } = view;
		inFlight = null;
		view.endStreaming();
		view.showMeta();
		view.showOutcome();
		if (record.status !== "failed" && record.text)
			enableRating(view, { senders, onChange: save, limits });
		composer.setBusy(false);
		refreshLatest();
		follower.follow();
		save();
		finishTurn(turn, record);
	}

	function finishTurn(turn, record) {
		if (record.status === "done") {
			announce("Answer complete.");
		} else if (record.status === "stopped") {
			announce("Answer stopped.");
		} else {
			announce(`The answer failed. ${record.error?.text ?? ""}`);
			// The message is kept for another try, unless something new was typed meanwhile.
			if (!composer.text.trim()) composer.setText(turn.user);
		}
		if (document.activeElement === document.body || document.activeElement === null)
			composer.prompt.focus({ preventScroll: true });
	}

	// The conversation as it was before the page was reloaded.
	function restore() {
		for (const saved of store.load()) {
			if (typeof saved?.user !== "string") continue;
			const turn = { id: saved.id ?? crypto.randomUUID(), user: saved.user, answer: null };
			turns.push(turn);
			addUserMessage(turn);
			if (!saved.answer) continue;
			const record = { ...saved.answer };
			// An answer that was still streaming when the page went away.
			if (record.status === "streaming") record.status = record.text ? "interrupted" : "failed";
			if (record.status === "failed" && !record.error)
				record.error = { text: "The page was closed before this answer came in.", retry: true };
			if (record.error?.retryAt && record.error.retryAt < Date.now()) delete record.error.retryAt;
			const view = attachAnswer(turn, record);
			view.render();
			if (record.emulated) backendNotice.hidden = false;
			makeRatable(view);
			if (record.status !== "failed" && record.text)
				enableRating(view, { senders, onChange: save, limits });
		}
		refreshLatest();
		follower.pin();
	}

	restore();
	composer.prompt.focus({ preventScroll: true });
	return { turns: () => turns, answered, newChat };
}

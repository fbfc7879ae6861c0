// The conversation: sends it to POST /api/chat, streams each answer in, keeps it in
// localStorage, and wires every answer's actions (retry, regenerate, copy, rating).
// Failed turns stay on the page with their error but are never sent as history.

import { copyText, createAnswerView, enableRating } from "./answer-view.js";
import { initComposer } from "./composer.js";
import { answered, ConversationStore, historyFor } from "./conversation-store.js";
import { ChatFailure, explainFailure } from "./http.js";
import { createFollower } from "./scroll.js";
import { readEvents } from "./sse.js";

const MAX_MESSAGES = 50;
const MAX_BODY_CHARS = 60_000;

/** The latest messages that fit the API's limits (50 messages, 64 KiB body). */
export function conversationForRequest(history) {
	const messages = history.slice(-MAX_MESSAGES);
	while (messages.length > 1 && JSON.stringify(messages).length > MAX_BODY_CHARS) messages.shift();
	// A conversation starts with the user.
	while (messages.length > 1 && messages[0].role !== "user") messages.shift();
	return messages;
}

/**
 * Wires the chat in `root` (the document). `senders` is a FeedbackSenders; `onRatable`
 * gets { aiGatewayLogId, token, element, number } for each answer that has a gateway log;
 * `storage` is localStorage (or anything with getItem and setItem); `selectedModel()` names
 * the model to ask, or "" for the server's default.
 */
export function initChat(
	root,
	{ senders, onRatable = () => {}, storage, selectedModel = () => "" },
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
	});

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
		const record = {
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
			voteState: null,
		};
		const view = attachAnswer(turn, record);
		view.startStreaming();
		const controller = new AbortController();
		inFlight = { controller, turn };
		composer.setBusy(true);
		refreshLatest();
		follower.pin();
		save();
		const model = selectedModel();
		let finished = false;
		try {
			let res;
			try {
				res = await fetch("/api/chat", {
					method: "POST",
					headers: { "content-type": "application/json" },
					body: JSON.stringify({
						messages: conversationForRequest(historyFor(turns, turn)),
						stream: true,
						...(model ? { model } : {}),
					}),
					signal: controller.signal,
				});
			} catch (error) {
				if (controller.signal.aborted) throw error;
				throw new ChatFailure({ kind: "network", detail: error.message });
			}
			if (res.headers.get("x-ai-backend") === "emulator") {
				backendNotice.hidden = false;
				record.emulated = true;
			}
			if (!res.ok) throw await ChatFailure.fromResponse(res);
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
					finished = true;
					break;
				} else {
					record.text += JSON.parse(event.data).response ?? "";
					view.update(record.text);
				}
			}
			if (!finished) throw new ChatFailure({ kind: "broken" });
			record.status = "done";
		} catch (error) {
			if (controller.signal.aborted) {
				record.status = "stopped";
			} else {
				const failure =
					error instanceof ChatFailure
						? error
						: error?.name === "TypeError"
							? new ChatFailure({ kind: "network", detail: error.message })
							: new ChatFailure({ kind: "broken", detail: String(error?.message ?? error) });
				const { text, retry } = explainFailure(failure);
				record.status = "failed";
				record.error = {
					text,
					retry,
					code: failure.code ?? failure.kind,
					retryAt: failure.retryAfter ? Date.now() + failure.retryAfter * 1000 : undefined,
				};
			}
		} finally {
			inFlight = null;
			view.endStreaming();
			view.showMeta();
			view.showOutcome();
			if (record.status !== "failed" && record.text)
				enableRating(view, { senders, onChange: save });
			composer.setBusy(false);
			refreshLatest();
			follower.follow();
			save();
			finishTurn(turn, record);
		}
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
				enableRating(view, { senders, onChange: save });
		}
		refreshLatest();
		follower.pin();
	}

	restore();
	composer.prompt.focus({ preventScroll: true });
	return { turns: () => turns, answered, newChat };
}

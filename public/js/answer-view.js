// One answer on the page: its Markdown, who served it, its error with a retry, its copy and
// regenerate buttons, and its rating (thumbs, an
// optional score and comment, and after a thumbs-down a better answer) sent through the
// feedback senders. Model output reaches the page only through markdown.js, which
// renders no raw HTML.

import { isScore } from "./feedback-outbox.js";
import { renderMarkdown, StreamingMarkdown } from "./markdown.js";

/**
 * POST /api/feedback counts a comment's characters as Unicode code points, as here (an
 * emoji is one): the input's maxlength would count UTF-16 units.
 */
const characters = (text) => [...text].length;
const number = (n) => n.toLocaleString("en-US");

/** A model id as people read it: the part after the author, or the route's name. */
export function shortModel(id) {
	if (!id) return "";
	if (id.startsWith("dynamic/")) return `route ${id.slice("dynamic/".length)}`;
	return (
		id
			.replace(/^@cf\//, "")
			.split("/")
			.at(-1) ?? id
	);
}

/** Creates the answer's element from the page's template. */
export function createAnswerView(template, record) {
	const element = template.content.firstElementChild.cloneNode(true);
	const $ = (selector) => element.querySelector(selector);
	const text = $(".text");
	const errorBox = $(".answer-error");
	const errorText = $(".error-text");
	const retryButton = $(".retry");
	const actions = $(".answer-actions");
	const actionStatus = $(".action-status");
	let countdown = 0;
	let markdown = null;

	const view = {
		element,
		record,
		/** Called after anything that changes the answer's height. */
		onResize: () => {},

		showMeta() {
			const servedBy = $(".served-by");
			if (record.model) {
				servedBy.hidden = false;
				servedBy.textContent = `${shortModel(record.model)}${record.provider ? ` · ${record.provider}` : ""}`;
				servedBy.title = `Served by ${record.model}${record.provider ? ` (${record.provider})` : ""}`;
			}
			$(".badge").hidden = !record.emulated;
			if (record.aiGatewayLogId) element.dataset.logId = record.aiGatewayLogId;
		},

		startStreaming() {
			element.classList.add("streaming");
			element.setAttribute("aria-busy", "true");
			markdown = new StreamingMarkdown(text);
			markdown.onRender = () => view.onResize();
		},

		update(textSoFar) {
			markdown?.update(textSoFar);
		},

		/** The stream is over (finished, stopped or failed): render what came whole. */
		endStreaming() {
			element.classList.remove("streaming");
			element.removeAttribute("aria-busy");
			if (markdown) markdown.finish(record.text);
			else text.innerHTML = renderMarkdown(record.text);
			markdown = null;
			text.hidden = record.text.length === 0;
		},

		/** Shows the record as it is (a restored answer). */
		render() {
			text.innerHTML = renderMarkdown(record.text);
			text.hidden = record.text.length === 0;
			view.showMeta();
			view.showOutcome();
		},

		/** The answer's ending: an error with a retry, "Stopped", or the actions. */
		showOutcome() {
			clearInterval(countdown);
			errorBox.hidden = true;
			element.classList.toggle("failed", record.status === "failed");
			element.querySelector(".stopped-note")?.remove();
			if (record.status === "failed") {
				errorBox.hidden = false;
				showError();
			} else if (record.status === "stopped" || record.status === "interrupted") {
				const note = document.createElement("p");
				note.className = "stopped-note";
				note.textContent =
					record.status === "stopped"
						? "Stopped."
						: "Interrupted: the page was closed while this answer came in.";
				text.after(note);
			}
			actions.hidden = record.status === "failed" || record.text.length === 0;
			view.onResize();
		},

		setLatest(latest) {
			$(".regenerate").hidden = !latest;
			retryButton.hidden = !latest || !record.error?.retry;
			if (record.status === "interrupted" && !record.text && latest) retryButton.hidden = false;
		},

		onRetry(handler) {
			retryButton.addEventListener("click", handler);
			$(".regenerate").addEventListener("click", handler);
		},

		stopCountdown() {
			clearInterval(countdown);
		},
	};

	function showError() {
		const error = record.error ?? { text: "The answer failed.", retry: true };
		retryButton.disabled = false;
		if (!error.retryAt) {
			errorText.textContent = error.text;
			return;
		}
		const tick = () => {
			const left = Math.ceil((error.retryAt - Date.now()) / 1000);
			if (left > 0) {
				errorText.textContent = `${error.text} You can retry in ${left} s.`;
				retryButton.disabled = true;
			} else {
				errorText.textContent = `${error.text} You can retry now.`;
				retryButton.disabled = false;
				clearInterval(countdown);
			}
		};
		tick();
		countdown = setInterval(tick, 250);
	}

	$(".copy-answer").addEventListener("click", async () => {
		actionStatus.textContent = (await copyText(record.text)) ? "Copied" : "Could not copy";
		setTimeout(() => {
			actionStatus.textContent = "";
		}, 2000);
	});

	return view;
}

/** Copies text to the clipboard; false where the browser refuses. */
export async function copyText(text) {
	try {
		await navigator.clipboard.writeText(text);
		return true;
	} catch {
		return false;
	}
}

/**
 * Turns on the rating controls of an answer with a gateway log: thumbs, then a score and a
 * comment, and after a thumbs-down a better answer (the correction), sent with "Send
 * feedback". The record keeps what was cast and what the server
 * said, so a reload shows the same. `limits` (a ServerLimits) gives the score range and
 * the longest comment; until it is known, the API's refusals say what is wrong.
 */
export function enableRating(view, { senders, onChange, limits }) {
	const { element, record } = view;
	const $ = (selector) => element.querySelector(selector);
	const fieldset = $(".feedback");
	const status = $(".vote-status");
	fieldset.hidden = false;
	if (!record.token) {
		$(".thumbs").hidden = false;
		for (const thumb of element.querySelectorAll(".thumb")) thumb.hidden = true;
		setStatus("off", "Rating is off (no FEEDBACK_SECRET).");
		return;
	}
	const thumbs = [...element.querySelectorAll(".thumb")];
	const details = $(".vote-details");
	const score = $(".score");
	const comment = $(".comment");
	const correctionField = $(".correction-field");
	const correction = $(".correction");
	const sendButton = $(".send-feedback");

	/** What was last cast: the page says "Recorded" only for that, once delivered. */
	let sent = {
		vote: record.vote ?? null,
		comment: record.comment ?? "",
		score: record.score ?? null,
		correction: record.correction ?? "",
	};
	let current = sent.vote;
	let lastState = record.voteState ?? null;
	/** Why the last send went nowhere: said until the score field changes. */
	let refusal = null;

	function setStatus(state, text) {
		status.dataset.state = state;
		status.textContent = text;
	}

	function press(vote) {
		current = vote;
		for (const thumb of thumbs)
			thumb.setAttribute("aria-pressed", String(thumb.dataset.vote === vote));
		const wasHidden = details.hidden;
		const wasOffered = !correctionField.hidden;
		details.hidden = !vote;
		// A better answer is offered after a thumbs-down only: it is what the user expected.
		correctionField.hidden = vote !== "down";
		if (!vote) {
			comment.value = "";
			score.value = "";
			correction.value = "";
			refusal = null;
		}
		if (wasHidden !== details.hidden || wasOffered === correctionField.hidden) view.onResize();
	}

	/** The score field as a number, null when empty, or undefined when it is not valid. */
	function scoreValue() {
		// A number field reads as "" when it cannot parse what was typed ("e", "5e"): not empty.
		if (score.validity.badInput) return undefined;
		const raw = score.value.trim();
		if (raw === "") return null;
		const value = Number(raw);
		return isScore(value, limits.current?.score) ? value : undefined;
	}

	// A thumb pressed with a score that could not be sent is a change too.
	/** The correction the vote carries: only a thumbs-down's. */
	const correctionText = () => (current === "down" ? correction.value.trim() : "");
	const dirty = () =>
		current !== sent.vote ||
		(current !== null &&
			(comment.value.trim() !== sent.comment ||
				(scoreValue() ?? null) !== sent.score ||
				correctionText() !== sent.correction));

	function describe(entry) {
		const parts = [];
		if (entry.score !== undefined) parts.push(`score ${entry.score}`);
		if (entry.comment) parts.push("with your comment");
		if (entry.correction) parts.push("with your better answer");
		return parts.length ? `, ${parts.join(", ")}` : "";
	}

	function showState() {
		if (refusal) {
			setStatus("invalid", refusal);
			return;
		}
		if (!lastState) {
			setStatus("", "");
		} else {
			setStatus(lastState.state, lastState.text);
		}
		if (dirty()) {
			const note = "Changes not sent yet: press Send feedback.";
			setStatus("draft", lastState?.state === "recorded" ? `${note} ${lastState.text}.` : note);
		}
	}

	const sender = senders.senderFor(
		record.aiGatewayLogId,
		record.token,
		(state, text, kept, entry) => {
			let shown = text;
			if (state === "recorded" && entry) shown = `${text}${describe(entry)}`;
			if (state === "superseded" && kept) {
				press(kept === "clear" ? null : kept);
				sent = { vote: current, comment: "", score: null, correction: "" };
			}
			if (state === "failed" && kept) {
				// The API turned the vote away: the one that counts is the last it accepted.
				press(kept === "clear" ? null : kept);
				sent = { ...sent, vote: current };
				shown =
					entry?.status === 403
						? "Not recorded: this answer can no longer be rated (its rating token is not valid, or has expired)."
						: `Not recorded: ${text.replace(/^Failed: /, "")}`;
				if (entry?.status === 403) for (const thumb of thumbs) thumb.disabled = true;
			}
			lastState = { state, text: shown };
			record.vote = current;
			record.voteState =
				state === "sending" || state === "retrying" ? { state, text: shown } : lastState;
			onChange();
			showState();
		},
	);

	function cast() {
		const value = scoreValue();
		if (value === undefined) {
			const range = limits.current?.score;
			refusal = `Score must be a whole number${range ? ` from ${range.min} to ${range.max}` : ""}: not sent.`;
			showState();
			score.focus();
			return;
		}
		refusal = null;
		const text = current ? comment.value.trim() : "";
		const better = correctionText();
		if (
			tooLong(text, limits.current?.commentChars, "comment", comment) ||
			tooLong(better, limits.current?.correctionChars, "better answer", correction)
		)
			return;
		sent = { vote: current, comment: text, score: current ? value : null, correction: better };
		record.vote = current;
		record.comment = sent.comment;
		record.score = sent.score;
		record.correction = better;
		onChange();
		void sender.cast(current ?? "clear", text, undefined, sent.score ?? undefined, better);
	}

	/** Says so, and focuses `field`, when `text` is longer than `max` characters. */
	function tooLong(text, max = Number.POSITIVE_INFINITY, what, field) {
		const length = characters(text);
		if (length <= max) return false;
		setStatus(
			"invalid",
			`The ${what} is ${number(length)} characters long; the limit is ${number(max)}. Shorten it by ${number(length - max)} ${length - max === 1 ? "character" : "characters"} to send it.`,
		);
		field.focus();
		return true;
	}

	for (const thumb of thumbs) {
		thumb.disabled = false;
		thumb.addEventListener("click", () => {
			// Pressing the active thumb again withdraws the vote, with its score and comment.
			press(current === thumb.dataset.vote ? null : thumb.dataset.vote);
			cast();
		});
	}
	sendButton.addEventListener("click", () => {
		if (!current) return;
		cast();
	});
	score.addEventListener("input", () => {
		refusal = null;
	});
	for (const field of [comment, score, correction]) {
		field.addEventListener("input", showState);
		field.addEventListener("keydown", (event) => {
			// In the better answer's text area, Enter is a new line; Ctrl or Cmd+Enter sends.
			const sends = field === correction ? event.ctrlKey || event.metaKey : true;
			if (event.key === "Enter" && !event.isComposing && sends) {
				event.preventDefault();
				if (current) cast();
			}
		});
	}

	// The score field says its range once the server has said it.
	void limits.load().then((known) => {
		if (!known) return;
		score.min = String(known.score.min);
		score.max = String(known.score.max);
		$(".score-range").textContent = ` (${known.score.min} to ${known.score.max})`;
	});

	// As it was before a reload.
	press(current);
	comment.value = record.comment ?? "";
	score.value = record.score ?? "";
	correction.value = record.correction ?? "";
	showState();
	if (
		record.voteState &&
		["sending", "retrying"].includes(record.voteState.state) &&
		current !== undefined
	) {
		// Accepted or queued before the reload: the outbox resends what was not accepted;
		// otherwise follow the delivery of what was.
		const queued = senders.outbox.read()[record.aiGatewayLogId];
		if (!queued)
			void sender.follow({
				vote: current ?? "clear",
				comment: record.comment ?? "",
				score: record.score ?? undefined,
				correction: record.correction ?? "",
				sequence: 0,
			});
	}
}

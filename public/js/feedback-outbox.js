// Feedback: the vote outbox and the senders that empty it. No DOM in here: storage, fetch
// and timers come in as parameters, so test/public/feedback-outbox.test.ts runs it as it is.
//
// A vote goes into an outbox in localStorage first, so a vote cast offline, during a
// server error or just before the tab closes is sent later. Once the API accepts it
// (202), the sender follows its delivery to the gateway and reports "recorded" only when
// the gateway has it.

import { errorMessage } from "./http.js";

export const OUTBOX_KEY = "feedback-outbox-v1";
/** Seconds between attempts to send a vote while the network or the server fails. */
export const RETRY_DELAYS_S = [1, 2, 4, 8, 16, 30];
/** Milliseconds between polls of a vote's delivery: doubling from the first to the last. */
export const DELIVERY_POLL_MS = { first: 250, max: 5000 };
export const VOTE_LABELS = {
	up: "Recorded: good answer",
	down: "Recorded: bad answer",
	clear: "Vote withdrawn",
};
/** What the server kept when this vote was older than one it already had. */
export const KEPT_LABELS = {
	up: "A newer vote was kept: good answer",
	down: "A newer vote was kept: bad answer",
	clear: "A newer vote was kept: no rating",
};

/**
 * A score the API takes: a whole number within `range` ({ min, max }, served by
 * GET /api/models); any whole number while the range is not known.
 */
export const isScore = (value, range) =>
	Number.isInteger(value) && (!range || (value >= range.min && value <= range.max));

const browserTimers = {
	set: (callback, ms) => setTimeout(callback, ms),
	clear: (timer) => clearTimeout(timer),
};

/**
 * The votes not yet accepted by the API, by log id: { aiGatewayLogId, token, vote, comment,
 * sequence }, and `score` and `correction` when the vote has them.
 * `storage` is anything with getItem and setItem, such as localStorage.
 */
export class FeedbackOutbox {
	#storage;
	#key;

	constructor(storage, key = OUTBOX_KEY) {
		this.#storage = storage;
		this.#key = key;
	}

	/** All entries, keyed by log id; an unreadable outbox reads as empty. */
	read() {
		try {
			return JSON.parse(this.#storage.getItem(this.#key) ?? "{}");
		} catch {
			return {};
		}
	}

	/** Stores the entry, replacing any older vote on the same log. */
	put(entry) {
		const entries = this.read();
		entries[entry.aiGatewayLogId] = entry;
		this.#storage.setItem(this.#key, JSON.stringify(entries));
	}

	/** Removes the entry unless a newer vote replaced it meanwhile. */
	remove(entry) {
		const entries = this.read();
		if (entries[entry.aiGatewayLogId]?.sequence === entry.sequence) {
			delete entries[entry.aiGatewayLogId];
			this.#storage.setItem(this.#key, JSON.stringify(entries));
		}
	}
}

/**
 * Sends the latest vote on one answer and follows its delivery. A newer vote replaces
 * an older one at any point; sending is retried with backoff while the network or
 * the server fails, and the listener is told so: listener(state, text, kept, entry) with
 * state "sending", "retrying", "recorded", "failed", "superseded" or "refused". `entry`
 * is the vote concerned ({ vote, comment, score, correction, sequence }). `kept` names the vote that
 * counts on the server when it is not this one: the newer vote it kept ("superseded"), or,
 * when the API turned this vote away for good ("failed" with `kept`), the last vote it
 * accepted ("clear" when none).
 */
export class VoteSender {
	#outbox;
	#fetch;
	#timers;
	#now;
	#scoreRange;
	#listener = null;
	#pending = null;
	#running = false;
	#done = Promise.resolve();
	#wake = () => {};
	#lastSequence = 0;
	/** The last vote the API accepted from this sender. */
	#accepted = null;

	/**
	 * @param options.outbox a FeedbackOutbox
	 * @param options.fetch defaults to the global fetch
	 * @param options.timers { set(callback, ms), clear(timer) }; defaults to setTimeout
	 * @param options.now the clock sequence numbers start from; defaults to Date.now
	 * @param options.scoreRange () => the API's score range { min, max }, or undefined
	 */
	constructor(
		aiGatewayLogId,
		token,
		{ outbox, fetch, timers = browserTimers, now, scoreRange = () => undefined },
	) {
		this.aiGatewayLogId = aiGatewayLogId;
		this.token = token;
		this.#outbox = outbox;
		// Called as a plain function: the browser's fetch throws when called as a method of
		// another object.
		this.#fetch = (...args) => (fetch ?? globalThis.fetch)(...args);
		this.#timers = timers;
		this.#now = now ?? (() => Date.now());
		this.#scoreRange = scoreRange;
	}

	/** Sets the one listener told about this vote's state. */
	attach(listener) {
		this.#listener = listener;
	}

	/**
	 * Queues a vote ("up", "down" or "clear") in the outbox and sends it. A sequence comes
	 * with votes replayed from the outbox; new votes get one above any earlier one. A
	 * `correction` (the answer the user expected) goes only with "down".
	 * Returns a promise that settles when the sender has nothing left to do.
	 */
	cast(vote, comment = "", sequence = undefined, score = undefined, correction = "") {
		// Checked by the page before it casts: a score the API would refuse, or one dropped
		// here, would tell the user a vote was recorded without the score they typed.
		const range = this.#scoreRange();
		if (score !== undefined && !isScore(score, range)) {
			throw new RangeError(
				`The score must be a whole number${range ? ` from ${range.min} to ${range.max}` : ""}, not ${score}`,
			);
		}
		this.#lastSequence = sequence ?? Math.max(this.#now(), this.#lastSequence + 1);
		this.#pending = {
			aiGatewayLogId: this.aiGatewayLogId,
			token: this.token,
			vote,
			comment,
			sequence: this.#lastSequence,
		};
		// A withdrawn vote carries no score; the server clears the log's score and comment.
		if (score !== undefined && vote !== "clear") this.#pending.score = score;
		if (correction && vote === "down") this.#pending.correction = correction;
		this.#outbox.put(this.#pending);
		if (this.#running) this.#wake();
		else this.#done = this.#run();
		return this.#done;
	}

	/**
	 * Follows the delivery of a vote the API accepted earlier (on a previous visit of the
	 * page), unless a newer vote is on its way.
	 */
	follow(entry) {
		if (this.#running) return this.#done;
		this.#lastSequence = Math.max(this.#lastSequence, entry.sequence ?? 0);
		this.#accepted = entry;
		this.#running = true;
		this.#done = (async () => {
			try {
				await this.#follow(entry);
			} finally {
				this.#running = false;
			}
			// A vote cast meanwhile stopped the polling: send it now.
			if (this.#pending) await this.#run();
		})();
		return this.#done;
	}

	#show(state, text, kept, entry) {
		this.#listener?.(state, text, kept, entry);
	}

	/** Waits ms, or less if a newer vote comes in. */
	#sleep(ms) {
		return new Promise((resolve) => {
			const timer = this.#timers.set(resolve, ms);
			this.#wake = () => {
				this.#timers.clear(timer);
				resolve();
			};
		});
	}

	async #run() {
		this.#running = true;
		try {
			let attempt = 0;
			while (this.#pending) {
				const entry = this.#pending;
				this.#show("sending", "Sending…", undefined, entry);
				const outcome = await this.#post(entry);
				if (this.#pending !== entry) {
					attempt = 0;
					continue;
				}
				if (outcome.accepted) {
					this.#accepted = entry;
					this.#outbox.remove(entry);
					this.#pending = null;
					await this.#follow(entry);
					if (this.#pending) continue;
					break;
				}
				if (outcome.superseded) {
					// Another tab or device cast a newer vote: show the one that counts.
					this.#outbox.remove(entry);
					this.#pending = null;
					this.#show(
						"superseded",
						KEPT_LABELS[outcome.kept] ?? "A newer vote was kept.",
						outcome.kept,
						entry,
					);
					break;
				}
				if (!outcome.retry) {
					this.#outbox.remove(entry);
					this.#pending = null;
					// Nothing changed on the server: the vote that counts is the last one accepted.
					this.#show("failed", `Failed: ${outcome.reason}.`, this.#accepted?.vote ?? "clear", {
						...entry,
						status: outcome.status,
					});
					break;
				}
				const delay = RETRY_DELAYS_S[Math.min(attempt++, RETRY_DELAYS_S.length - 1)];
				this.#show(
					"retrying",
					`Not sent (${outcome.reason}), retrying in ${delay} s…`,
					undefined,
					entry,
				);
				await this.#sleep(delay * 1000);
			}
		} finally {
			this.#running = false;
		}
	}

	/**
	 * One attempt: accepted (202), superseded by a newer vote (200), to retry (network, 429,
	 * 5xx), or refused for good.
	 */
	async #post(entry) {
		const body = {
			aiGatewayLogId: this.aiGatewayLogId,
			token: this.token,
			feedback: entry.vote,
			sequence: entry.sequence,
		};
		if (entry.comment) body.comment = entry.comment;
		if (entry.score !== undefined) body.score = entry.score;
		if (entry.correction) body.correction = entry.correction;
		try {
			const res = await this.#fetch("/api/feedback", {
				method: "POST",
				headers: { "content-type": "application/json" },
				body: JSON.stringify(body),
			});
			if (res.status === 202) return { accepted: true };
			if (res.status === 200) {
				const answer = await res.json().catch(() => null);
				if (answer?.status === "superseded")
					return { superseded: true, kept: answer.vote?.feedback };
			}
			const retry = res.status === 429 || res.status >= 500;
			return { accepted: false, retry, reason: await errorMessage(res), status: res.status };
		} catch {
			return { accepted: false, retry: true, reason: "offline" };
		}
	}

	/** Polls the vote's delivery until the gateway has it, or delivery gave up. */
	async #follow(entry) {
		this.#show("sending", "Accepted, delivering to the gateway…", undefined, entry);
		for (
			let wait = DELIVERY_POLL_MS.first;
			!this.#pending;
			wait = Math.min(wait * 2, DELIVERY_POLL_MS.max)
		) {
			let delivery;
			try {
				const res = await this.#fetch(`/api/feedback/${encodeURIComponent(this.aiGatewayLogId)}`, {
					headers: { authorization: `Bearer ${this.token}` },
				});
				delivery = res.ok ? await res.json() : null;
			} catch {
				delivery = null;
			}
			if (delivery?.state === "delivered" && delivery.feedback === entry.vote) {
				this.#show("recorded", VOTE_LABELS[entry.vote], undefined, entry);
				return;
			}
			if (delivery?.state === "refused") {
				this.#show(
					"refused",
					"Kept, but not attached to the gateway log: this gateway does not accept feedback on its logs.",
					undefined,
					entry,
				);
				return;
			}
			if (delivery?.state === "failed") {
				this.#show(
					"failed",
					`Failed: ${delivery.error ?? "the gateway did not take the vote"}.`,
					undefined,
					entry,
				);
				return;
			}
			await this.#sleep(wait);
		}
	}
}

/** One sender per log id over one outbox; the page's rating controls attach to them. */
export class FeedbackSenders {
	#options;
	#senders = new Map();

	/** options: { outbox, fetch, timers, now, scoreRange }, as for VoteSender. */
	constructor(options) {
		this.#options = options;
		this.outbox = options.outbox;
	}

	/** The log's sender, created on first use; a listener given replaces the previous one. */
	senderFor(aiGatewayLogId, token, listener = null) {
		let sender = this.#senders.get(aiGatewayLogId);
		if (!sender) {
			sender = new VoteSender(aiGatewayLogId, token, this.#options);
			this.#senders.set(aiGatewayLogId, sender);
		}
		if (listener) sender.attach(listener);
		return sender;
	}

	/** Sends the votes an earlier visit left in the outbox (offline, closed tab). */
	flush() {
		return Promise.all(
			Object.values(this.outbox.read()).map((entry) =>
				this.senderFor(entry.aiGatewayLogId, entry.token).cast(
					entry.vote,
					entry.comment,
					entry.sequence,
					entry.score,
					entry.correction,
				),
			),
		);
	}
}

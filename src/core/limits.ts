import { DAY_MS } from "./time";

/** Request limits of the public API (documented in the README). */
export const LIMITS = {
	bodyBytes: 64 * 1024,
	messages: 50,
	contentChars: 16_000,
	maxTokens: 4096,
	commentChars: 1000,
	/** A vote's correction: the answer the user expected, kept in the store only. */
	correctionChars: 8000,
} as const;

/** How far ahead of the server's clock a vote's `sequence` (a ms timestamp) may be. */
export const MAX_SEQUENCE_LEAD_MS = DAY_MS;

/**
 * Secrets shorter than this are ignored, as if unset: a short or placeholder value (such
 * as one a deploy form pre-filled) must not sign tokens or guard a route.
 */
export const MIN_SECRET_CHARS = 32;

/**
 * The largest message this Worker sends: Queues takes 128 KB including about 100 bytes of
 * its own. A larger answer is written directly instead, a larger judge message not sent.
 */
export const MAX_MESSAGE_BYTES = 120_000;

// Types of feedback-outbox.js for the unit tests (the page itself has no build step).

export type Vote = "up" | "down" | "clear";
export type VoteState = "sending" | "retrying" | "recorded" | "failed" | "superseded" | "refused";

export interface OutboxEntry {
	aiGatewayLogId: string;
	token: string;
	vote: Vote;
	comment: string;
	sequence: number;
	score?: number;
	/** The answer the user expected: only with "down". */
	correction?: string;
}

/** The vote a listener is told about; `status` is the HTTP status of a refusal. */
export interface VoteDetails extends OutboxEntry {
	status?: number;
}

export type VoteListener = (
	state: VoteState,
	text: string,
	kept?: Vote,
	entry?: VoteDetails,
) => void;

export interface OutboxStorage {
	getItem(key: string): string | null;
	setItem(key: string, value: string): void;
}

export interface Timers {
	set(callback: () => void, ms: number): unknown;
	clear(timer: unknown): void;
}

export interface SenderOptions {
	outbox: FeedbackOutbox;
	fetch?: (input: string, init?: RequestInit) => Promise<Response>;
	timers?: Timers;
	now?: () => number;
	/** The API's score range, or undefined while it is not known. */
	scoreRange?: () => ScoreRange | undefined;
}

export const OUTBOX_KEY: string;
export const RETRY_DELAYS_S: readonly number[];
export const DELIVERY_POLL_MS: { first: number; max: number };
export const VOTE_LABELS: Record<Vote, string>;
/** The whole numbers a score may take, as GET /api/models serves them. */
export interface ScoreRange {
	min: number;
	max: number;
}
/** A score the API takes: a whole number within `range` (any whole number without one). */
export function isScore(value: unknown, range?: ScoreRange): value is number;

export class FeedbackOutbox {
	constructor(storage: OutboxStorage, key?: string);
	read(): Record<string, OutboxEntry>;
	put(entry: OutboxEntry): void;
	remove(entry: OutboxEntry): void;
}

export class VoteSender {
	readonly aiGatewayLogId: string;
	readonly token: string;
	constructor(aiGatewayLogId: string, token: string, options: SenderOptions);
	attach(listener: VoteListener): void;
	/** Throws a RangeError, and sends nothing, for a score that is not `isScore`. */
	cast(
		vote: Vote,
		comment?: string,
		sequence?: number,
		score?: number,
		correction?: string,
	): Promise<void>;
	follow(entry: OutboxEntry): Promise<void>;
}

export class FeedbackSenders {
	readonly outbox: FeedbackOutbox;
	constructor(options: SenderOptions);
	senderFor(aiGatewayLogId: string, token: string, listener?: VoteListener | null): VoteSender;
	flush(): Promise<unknown>;
}

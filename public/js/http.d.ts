// Types of http.js for the unit tests (the pages themselves have no build step).

export function errorMessage(res: Response): Promise<string>;

/** A request the API refused: its HTTP status, and the API's error code and message. */
export class ApiFailure extends Error {
	constructor(status: number | undefined, code: string | undefined, message: string);
	status: number | undefined;
	code: string | undefined;
}

export type ChatFailureKind = "http" | "network" | "stream" | "broken";

export class ChatFailure extends ApiFailure {
	constructor(details: {
		kind: ChatFailureKind;
		status?: number;
		code?: string;
		detail?: string;
		retryAfter?: number;
	});
	kind: ChatFailureKind;
	detail: string | undefined;
	retryAfter: number | undefined;
	static fromResponse(res: Response): Promise<ChatFailure>;
}

export function retryAfterSeconds(value: string | null, now?: number): number | undefined;

export function explainFailure(failure: ChatFailure): { text: string; retry: boolean };

export function getJson(path: string, token: string): Promise<unknown>;

export function explainTokenFailure(
	error: { status?: number; code?: string; message: string },
	words: { token: string; off: string; doing: string },
): string;

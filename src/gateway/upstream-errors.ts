/**
 * What the Worker makes of the AI service's failures: every one leaves as an ApiError
 * with a stable code, and its details go to the log only (never to the client).
 */

import { ApiError } from "../core/errors";
import { describeError, log } from "../core/log";

/** A failed or aborted call: a timeout is 504, anything else 502. */
export function upstreamFailure(what: string, cause?: unknown, signal?: AbortSignal): ApiError {
	if (signal?.aborted) {
		const reason: unknown = signal.reason;
		if (reason instanceof DOMException && reason.name === "TimeoutError") {
			return new ApiError(504, "upstream_timeout", "The model did not answer in time", { cause });
		}
		// Otherwise the client left: nobody reads this answer, so do not log it as a failure.
	} else {
		logUpstream(what, cause);
	}
	return new ApiError(502, "upstream_error", "The AI service failed to answer", { cause });
}

/** What the gateway's Guardrails blocked: the prompt (code 2016) or the answer (2017). */
export type BlockedPart = "prompt" | "answer";

/** A Guardrails block: 422 content_blocked, with the log id of the blocked request. */
export class ContentBlocked extends ApiError {
	readonly part: BlockedPart;
	readonly aiGatewayLogId: string | null;

	constructor(part: BlockedPart, aiGatewayLogId: string | null) {
		super(422, "content_blocked", `The AI Gateway's guardrails blocked the ${part}`, {
			headers: aiGatewayLogId ? { "cf-aig-log-id": aiGatewayLogId } : {},
		});
		this.part = part;
		this.aiGatewayLogId = aiGatewayLogId;
	}
}

/** The gateway's own error codes that need their own answer. */
const PROMPT_BLOCKED = 2016;
const ANSWER_BLOCKED = 2017;
const OUT_OF_CREDITS = 2021;

/** Maps a non-2xx answer of the binding to this API's errors. */
export async function upstreamStatusError(res: Response): Promise<ApiError> {
	const { codes, details, json } = await upstreamErrorBody(res);
	logUpstream(`the AI service answered ${res.status}`, details[0] ?? "");
	if (codes.includes(PROMPT_BLOCKED) || codes.includes(ANSWER_BLOCKED)) {
		const part = codes.includes(PROMPT_BLOCKED) ? "prompt" : "answer";
		return new ContentBlocked(part, res.headers.get("cf-aig-log-id"));
	}
	if (res.status === 402 || codes.includes(OUT_OF_CREDITS)) {
		return new ApiError(503, "upstream_out_of_credits", "The AI Gateway account is out of credits");
	}
	switch (res.status) {
		case 400:
		case 413:
		case 422:
			return new ApiError(400, "invalid_request", "The model rejected the request");
		case 408:
		case 504:
			return new ApiError(504, "upstream_timeout", "The model did not answer in time");
		case 429:
			return new ApiError(429, "rate_limited", "The AI service is rate limiting; retry later", {
				headers: { "Retry-After": retryAfter(res) },
			});
		case 503:
			// Not a model's error (those are JSON): the service in front of it is down.
			if (!json) {
				return new ApiError(
					503,
					"upstream_unavailable",
					"The AI Gateway is unavailable; retry later",
					{
						headers: { "Retry-After": "30" },
					},
				);
			}
			return new ApiError(502, "upstream_error", "The AI service failed to answer");
		default:
			return new ApiError(502, "upstream_error", "The AI service failed to answer");
	}
}

/** Every error the upstream reported, as "code: message" (a universal request has one per step). */
export async function upstreamErrorDetails(res: Response): Promise<string[]> {
	return (await upstreamErrorBody(res)).details;
}

interface ErrorBody {
	internalCode?: number;
	description?: string;
	errors?: { code?: number; message?: string }[];
	error?: { code?: number; message?: string }[];
}

/** The error codes and "code: message" details of an error answer, in any of its shapes. */
async function upstreamErrorBody(
	res: Response,
): Promise<{ codes: number[]; details: string[]; json: boolean }> {
	const text = await res.text().catch(() => "");
	let parsed: ErrorBody;
	try {
		parsed = JSON.parse(text) as ErrorBody;
	} catch {
		// Not JSON (an HTML error page, say): keep the start of the text.
		return { codes: [], details: [text.slice(0, 200)], json: false };
	}
	const errors = [...(parsed.errors ?? []), ...(Array.isArray(parsed.error) ? parsed.error : [])];
	const codes = [parsed.internalCode, ...errors.map((error) => error.code)].filter(
		(code): code is number => typeof code === "number",
	);
	const details = parsed.internalCode
		? [`${parsed.internalCode}: ${parsed.description}`]
		: errors.map((error) => `${error.code}: ${error.message}`);
	return { codes, details: details.length > 0 ? details : [text.slice(0, 200)], json: true };
}

/** A failed call to the gateway's log or URL API: 502. */
export function gatewayFailure(err: unknown): ApiError {
	logUpstream("the gateway call failed", err);
	return new ApiError(502, "upstream_error", "The AI Gateway failed to answer", { cause: err });
}

export const isLogNotFound = (err: unknown): boolean =>
	err instanceof Error && err.name === "AiGatewayLogNotFound";

function retryAfter(res: Response): string {
	const value = res.headers.get("retry-after");
	return value && /^\d{1,6}$/.test(value) ? value : "1";
}

/** Only well-known fields are logged: prompts and secrets never reach the logs. */
export function logUpstream(what: string, cause: unknown): void {
	log.error(what, { detail: describeError(cause) });
}

/**
 * What the Worker makes of the AI service's failures: every one leaves as an ApiError
 * with a stable code. Its details go to the log only (never to the client), except the
 * model's own words when it rejects a request: the client can act on those.
 */

import { ApiError } from "../core/errors";
import { describeError, log } from "../core/log";

/** The AI service failed in a way the client cannot act on: 502 (the one home of its words). */
export const aiServiceFailed = (cause?: unknown): ApiError =>
	new ApiError(502, "upstream_error", "The AI service failed to answer", { cause });

/** The model took too long: 504. */
const timedOut = (cause?: unknown) =>
	new ApiError(504, "upstream_timeout", "The model did not answer in time", { cause });

/** A failed or aborted call: a timeout is 504, anything else 502. */
export function upstreamFailure(what: string, cause?: unknown, signal?: AbortSignal): ApiError {
	if (signal?.aborted) {
		const reason: unknown = signal.reason;
		if (reason instanceof DOMException && reason.name === "TimeoutError") {
			return timedOut(cause);
		}
		// Otherwise the client left: nobody reads this answer, so do not log it as a failure.
	} else {
		logUpstream(what, cause);
	}
	return aiServiceFailed(cause);
}

/** What the gateway's Guardrails blocked: the prompt (code 2016) or the answer (2017). */
export type BlockedPart = "prompt" | "answer";

/** A Guardrails block: 422 content_blocked, with the log id of the blocked request. */
export class ContentBlocked extends ApiError {
	// Declared, not defined, as ApiError's: the constructor sets them.
	declare readonly part: BlockedPart;
	declare readonly aiGatewayLogId: string | null;

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

/** Statuses with which a model refuses the request itself: the client's to fix. */
const MODEL_REJECTIONS = new Set([400, 413, 422]);

/**
 * Maps a non-2xx answer of the binding to this API's errors. A model's rejection is logged
 * as a warning (a client's mistake, not the Worker's) and passed on in the model's words.
 */
export async function upstreamStatusError(res: Response): Promise<ApiError> {
	const { codes, detail: raw, json, message, param } = await upstreamErrorBody(res);
	const blocked = codes.includes(PROMPT_BLOCKED) || codes.includes(ANSWER_BLOCKED);
	const outOfCredits = res.status === 402 || codes.includes(OUT_OF_CREDITS);
	const rejected = MODEL_REJECTIONS.has(res.status) && !blocked && !outOfCredits;
	const what = `the AI service answered ${res.status}`;
	const detail = withoutCredentials(raw);
	if (rejected) log.warn(what, { detail: describeError(detail) });
	else logUpstream(what, detail);
	if (blocked) {
		const part = codes.includes(PROMPT_BLOCKED) ? "prompt" : "answer";
		return new ContentBlocked(part, res.headers.get("cf-aig-log-id"));
	}
	if (outOfCredits) {
		return new ApiError(503, "upstream_out_of_credits", "The AI Gateway account is out of credits");
	}
	if (rejected) return modelRejection(message, param);
	if (res.status === 408 || res.status === 504) return timedOut();
	if (res.status === 429) {
		return new ApiError(429, "rate_limited", "The AI service is rate limiting; retry later", {
			headers: { "Retry-After": retryAfter(res) },
		});
	}
	// Not a model's error (those are JSON): the service in front of it is down.
	if (res.status === 503 && !json) {
		return new ApiError(503, "upstream_unavailable", "The AI Gateway is unavailable; retry later", {
			headers: { "Retry-After": "30" },
		});
	}
	return aiServiceFailed();
}

/** The longest part of a model's own words a client is shown. */
const REJECTION_CHARS = 300;

/**
 * 400 invalid_request in the model's own words, cut short and with anything like a
 * credential taken out, and `param` when the model names the field at fault (as it names
 * it: the request the model got, which the Worker built from the client's).
 */
function modelRejection(message: string, param: string | null): ApiError {
	const words = clientSafe(message.replace(/^Error:\s*/, ""));
	if (!words) return new ApiError(400, "invalid_request", "The model rejected the request");
	const text = param
		? `${param}: the model rejected the request: ${words}`
		: `The model rejected the request: ${words}`;
	return new ApiError(400, "invalid_request", text, param ? { param } : {});
}

/** Bearer credentials, and long mixed-case runs with digits (API keys, tokens). */
const CREDENTIAL = /\bBearer\s+\S+|\b(?=[\w-]*[a-z])(?=[\w-]*[A-Z])(?=[\w-]*\d)[\w-]{24,}/g;

const withoutCredentials = (text: string) => text.replace(CREDENTIAL, "[redacted]");

function clientSafe(text: string): string {
	const clean = withoutCredentials(text.replace(/\s+/g, " ").trim());
	return clean.length > REJECTION_CHARS ? `${clean.slice(0, REJECTION_CHARS - 1)}…` : clean;
}

/**
 * The request field a model's message names, in this API's notation (`tools[0].function`):
 * a JSON pointer in quotes (Workers AI's schema errors: `at '/tools/0'`) or a dotted path
 * (the gateway's: `Invalid value at messages.2`).
 */
function fieldNamed(message: string): string | null {
	const pointer = /\b(?:at|of) '\/([^']+)'/.exec(message)?.[1];
	const dotted = /\b(?:value|parameter) at ([A-Za-z_][\w.]*\w)/.exec(message)?.[1];
	const segments = pointer?.split("/") ?? dotted?.split(".");
	if (!segments?.[0]) return null;
	return segments
		.map((segment, index) =>
			/^\d+$/.test(segment) ? `[${segment}]` : index ? `.${segment}` : segment,
		)
		.join("");
}

interface ErrorBody {
	internalCode?: number;
	description?: string;
	errors?: { code?: number; message?: string }[];
	/** The gateway's own errors (an array), or a provider's in OpenAI's shape (an object). */
	error?: { code?: number; message?: string }[] | { message?: string; param?: string | null };
}

/**
 * The error codes and first "code: message" detail of an error answer, in any of its shapes,
 * and what a model said when it rejected a request, with the field it named.
 */
async function upstreamErrorBody(res: Response): Promise<{
	codes: number[];
	detail: string;
	json: boolean;
	message: string;
	param: string | null;
}> {
	const text = await res.text().catch(() => "");
	let parsed: ErrorBody;
	try {
		parsed = JSON.parse(text) as ErrorBody;
	} catch {
		// Not JSON (an HTML error page, say): keep the start of the text.
		const start = text.slice(0, 200);
		return { codes: [], detail: start, json: false, message: "", param: null };
	}
	const errors = [...(parsed.errors ?? []), ...(Array.isArray(parsed.error) ? parsed.error : [])];
	const codes = [parsed.internalCode, ...errors.map((error) => error.code)].filter(
		(code): code is number => typeof code === "number",
	);
	const [first] = errors;
	const detail = parsed.internalCode
		? `${parsed.internalCode}: ${parsed.description}`
		: errors.length > 0
			? `${first?.code}: ${first?.message}`
			: text.slice(0, 200);
	// A provider's own error object (OpenAI's shape) names its field itself.
	const own = parsed.error && !Array.isArray(parsed.error) ? parsed.error : undefined;
	// The message, not the gateway's `description`, which is only its category ("User Input Error").
	const message = String(own?.message ?? first?.message ?? parsed.description ?? "");
	const param = typeof own?.param === "string" && own.param ? own.param : fieldNamed(message);
	return { codes, detail, json: true, message, param };
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

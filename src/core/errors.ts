import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { LIMITS } from "./limits";

/** Stable, documented error codes: clients branch on these, never on messages. */
export type ErrorCode =
	| "invalid_json"
	| "incomplete_body"
	| "invalid_request"
	| "invalid_text"
	| "unsupported_parameter"
	| "empty_prompt"
	| "invalid_cursor"
	| "payload_too_large"
	| "unsupported_media_type"
	| "model_not_allowed"
	| "invalid_token"
	| "unauthorized"
	| "access_denied"
	| "not_found"
	| "feedback_disabled"
	| "log_not_found"
	| "method_not_allowed"
	| "rate_limited"
	| "content_blocked"
	| "logs_unsupported"
	| "upstream_error"
	| "upstream_out_of_credits"
	| "upstream_timeout"
	| "upstream_unavailable"
	| "turnstile_missing"
	| "turnstile_invalid"
	| "turnstile_expired"
	| "turnstile_replayed"
	| "turnstile_mismatch"
	| "turnstile_unavailable"
	| "internal_error";

/**
 * Each code's HTTP status and what a client does about it: the OpenAPI document's error
 * responses are built from it (scripts/openapi.mjs). No Worker code reads it, so the bundler
 * leaves it out of the Worker (scripts/check-bundle.mjs checks).
 */
export const ERROR_CODES = {
	invalid_json: { status: 400, means: "The body is not valid JSON: send valid JSON." },
	incomplete_body: { status: 400, means: "The body ended before it was complete: send it again." },
	invalid_request: {
		status: 400,
		means: "A field, parameter or path segment is wrong: the message names it and what it must be.",
	},
	invalid_text: {
		status: 400,
		means: "A string holds half of a UTF-16 surrogate pair: send whole characters.",
	},
	unsupported_parameter: {
		status: 400,
		means:
			"A parameter the chosen model cannot honour: leave it out, or pick a model the message names.",
	},
	empty_prompt: {
		status: 400,
		means: "No message has any text: send the question as a user message.",
	},
	invalid_cursor: {
		status: 400,
		means:
			"The cursor was not given out for these filters, or has expired: start from the first page.",
	},
	model_not_allowed: {
		status: 400,
		means: "The model is not in ALLOWED_MODELS: pick one of GET /api/models.",
	},
	payload_too_large: { status: 413, means: "The body is larger than the limit: send less." },
	unsupported_media_type: {
		status: 415,
		means: "Send the body as uncompressed JSON with Content-Type: application/json.",
	},
	invalid_token: {
		status: 403,
		means: "The feedback token is not valid for this log id, or has expired.",
	},
	unauthorized: {
		status: 401,
		means: "Send Authorization: Bearer with the token this route takes (see its security).",
	},
	access_denied: {
		status: 403,
		means:
			"The Cf-Access-Jwt-Assertion is not valid (the message says why): sign in through Cloudflare Access again.",
	},
	not_found: {
		status: 404,
		means: "No such route or thing (a debug or admin route whose token is unset).",
	},
	feedback_disabled: { status: 404, means: "Feedback is off: FEEDBACK_SECRET is not set." },
	log_not_found: { status: 404, means: "The gateway has no log with this id." },
	method_not_allowed: { status: 405, means: "Use a method the Allow header lists." },
	rate_limited: { status: 429, means: "Too many requests: retry after Retry-After seconds." },
	content_blocked: {
		status: 422,
		means: "The AI Gateway's guardrails blocked the prompt or the answer.",
	},
	logs_unsupported: {
		status: 501,
		means: "This gateway does not serve its logs to the binding: read them in the dashboard.",
	},
	upstream_error: { status: 502, means: "The AI service failed to answer: retry later." },
	upstream_out_of_credits: { status: 503, means: "The AI Gateway account is out of credits." },
	upstream_timeout: {
		status: 504,
		means: "The model did not answer in time: retry, or ask for less.",
	},
	upstream_unavailable: { status: 503, means: "The AI service is unavailable: retry later." },
	turnstile_missing: { status: 403, means: "Complete the human check (x-turnstile-token)." },
	turnstile_invalid: {
		status: 403,
		means: "The human check's token or pass is not valid: check again.",
	},
	turnstile_expired: { status: 403, means: "The human check's pass has expired: check again." },
	turnstile_replayed: { status: 403, means: "This human check was already used: check again." },
	turnstile_mismatch: {
		status: 403,
		means: "The human check was made for another page: check again.",
	},
	turnstile_unavailable: {
		status: 503,
		means: "The human check could not be verified just now: retry after Retry-After seconds.",
	},
	internal_error: { status: 500, means: "A fault of the Worker: it is logged; retry later." },
} as const satisfies Record<ErrorCode, { status: ContentfulStatusCode; means: string }>;

export interface ErrorBody {
	error: { code: ErrorCode; message: string };
}

/** An error that is safe to show the client as it is. */
export class ApiError extends HTTPException {
	// Declared, not defined: the constructor sets them (no field initialisers in the bundle).
	declare readonly code: ErrorCode;
	declare readonly headers: Record<string, string>;
	/** The request field at fault, when there is one (OpenAI's `param`). */
	declare readonly param: string | null;

	constructor(
		status: ContentfulStatusCode,
		code: ErrorCode,
		message: string,
		options: { headers?: Record<string, string>; cause?: unknown; param?: string } = {},
	) {
		super(status, { message, cause: options.cause });
		this.code = code;
		this.headers = options.headers ?? {};
		this.param = options.param ?? null;
	}

	get body(): ErrorBody {
		return { error: { code: this.code, message: this.message } };
	}
}

/** Maps anything thrown in a handler to the one error shape; internals stay in the logs. */
export function toApiError(err: unknown): ApiError {
	if (err instanceof ApiError) return err;
	// Thrown by a Hono middleware: keep the status, never the internals.
	if (err instanceof HTTPException && err.status < 500)
		return new ApiError(err.status, "invalid_request", err.message || "Bad request");
	return new ApiError(500, "internal_error", "Internal error", { cause: err });
}

export const payloadTooLarge = () =>
	new ApiError(
		413,
		"payload_too_large",
		`The request body is larger than ${LIMITS.bodyBytes / 1024} KiB`,
	);

export const notFound = (message = "Not found") => new ApiError(404, "not_found", message);

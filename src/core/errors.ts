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

export interface ErrorBody {
	error: { code: ErrorCode; message: string };
}

/** An error that is safe to show the client as it is. */
export class ApiError extends HTTPException {
	readonly code: ErrorCode;
	readonly headers: Record<string, string>;
	/** The request field at fault, when there is one (OpenAI's `param`). */
	readonly param: string | null;

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

import type { Context } from "hono";
import type { ApiError } from "../core/errors";

/** This API's error shape: `{ "error": { "code", "message" } }`. */
export function errorResponse(c: Context, error: ApiError): Response {
	return c.json(error.body, error.status, error.headers);
}

/** The same error in OpenAI's shape, for the OpenAI-compatible routes under /v1. */
export function openAiErrorResponse(c: Context, error: ApiError): Response {
	if (error.code === "content_blocked") {
		// OpenAI answers a filtered prompt with 400 and code `content_filter`.
		const body = {
			error: {
				message: error.message,
				type: "invalid_request_error",
				code: "content_filter",
				param: "messages",
			},
		};
		return c.json(body, 400, error.headers);
	}
	const type =
		error.status === 401
			? "authentication_error"
			: error.status === 403
				? "permission_error"
				: error.status === 404
					? "not_found_error"
					: error.status === 429
						? "rate_limit_error"
						: error.status >= 500
							? "api_error"
							: "invalid_request_error";
	const body = { error: { message: error.message, type, code: error.code, param: error.param } };
	return c.json(body, error.status, error.headers);
}

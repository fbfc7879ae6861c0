/**
 * What the Worker makes of the AI service's failures: every one leaves as an ApiError
 * with a stable code, and its details go to the log only (never to the client).
 */

import { ApiError } from "../lib/errors";

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

/** Maps a non-2xx answer of the binding to this API's errors. */
export async function upstreamStatusError(res: Response): Promise<ApiError> {
	const [detail = ""] = await upstreamErrorDetails(res);
	logUpstream(`the AI service answered ${res.status}`, detail);
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
		default:
			return new ApiError(502, "upstream_error", "The AI service failed to answer");
	}
}

/** Every error the upstream reported, as "code: message" (a universal request has one per step). */
export async function upstreamErrorDetails(res: Response): Promise<string[]> {
	const text = await res.text().catch(() => "");
	try {
		const parsed = JSON.parse(text) as {
			internalCode?: number;
			description?: string;
			errors?: { code?: number; message?: string }[];
		};
		if (parsed.internalCode) return [`${parsed.internalCode}: ${parsed.description}`];
		const errors = (parsed.errors ?? []).map((error) => `${error.code}: ${error.message}`);
		if (errors.length > 0) return errors;
	} catch {
		// Not JSON: keep the start of the text.
	}
	return [text.slice(0, 200)];
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
	const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause ?? "");
	console.error(JSON.stringify({ message: what, detail: detail.slice(0, 300) }));
}

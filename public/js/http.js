// Small helpers shared by the pages' modules (the chat page and /insights): requests to this
// Worker's API, its errors, and how to say them.

/** The API's `{ error: { code, message } }` in a failed response; each undefined when it has none. */
async function readError(res) {
	try {
		const { error } = await res.json();
		return { code: error?.code, message: error?.message };
	} catch {
		return {}; // Not JSON: the status says enough.
	}
}

/** The API's error message from a failed response, or its HTTP status. */
export async function errorMessage(res) {
	return (await readError(res)).message ?? `HTTP ${res.status}`;
}

/** A request the API refused: its HTTP status, and the API's error code and message. */
export class ApiFailure extends Error {
	/**
	 * @param {number | undefined} status
	 * @param {string | undefined} code
	 * @param {string} message
	 */
	constructor(status, code, message) {
		super(message);
		this.status = status;
		this.code = code;
	}
}

/**
 * GET a JSON resource of this Worker, with a bearer token unless `token` is empty (behind
 * Cloudflare Access the request carries the sign-in instead); a refusal throws an ApiFailure.
 */
export async function getJson(path, token) {
	const res = await fetch(path, {
		headers: token ? { authorization: `Bearer ${token}` } : {},
		cache: "no-store",
	});
	if (!res.ok) {
		const { code, message } = await readError(res);
		throw new ApiFailure(res.status, code, message ?? `the server answered ${res.status}`);
	}
	return res.json();
}

/**
 * What to say about a failed request made with a token ({ status, code, message }, or a
 * network error): the token refused, the route off because its secret is unset (a 404 of the
 * route itself, not of what it looked for), or what went wrong while `doing` it.
 * @param {{ status?: number, code?: string, message: string }} error
 * @param {{ token: string, off: string, doing: string }} words
 */
export function explainTokenFailure(error, { token, off, doing }) {
	if (error.status === 401) return `The ${token} was not accepted.`;
	if (error.status === 404 && (error.code ?? "not_found") === "not_found") return off;
	return `Could not ${doing}: ${error.message}`;
}

/** A failed chat request: what went wrong, in the API's terms. */
export class ChatFailure extends ApiFailure {
	/**
	 * @param {object} details
	 * @param {string} details.kind "http", "network", "stream" (an error event) or "broken" (the stream ended early)
	 * @param {number} [details.status]
	 * @param {string} [details.code] the API's error code
	 * @param {string} [details.detail] the API's message
	 * @param {number} [details.retryAfter] seconds, from Retry-After
	 */
	constructor({ kind, status, code, detail, retryAfter }) {
		super(status, code, detail ?? code ?? kind);
		this.kind = kind;
		this.detail = detail;
		this.retryAfter = retryAfter;
	}

	/** From a response that is not ok. */
	static async fromResponse(res) {
		const { code, message } = await readError(res);
		return new ChatFailure({
			kind: "http",
			status: res.status,
			code,
			detail: message,
			retryAfter: retryAfterSeconds(res.headers.get("retry-after")),
		});
	}
}

/** Retry-After as seconds (a number of seconds or an HTTP date), or undefined. */
export function retryAfterSeconds(value, now = Date.now()) {
	if (!value) return undefined;
	if (/^\d+$/.test(value.trim())) return Number(value.trim());
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * What to tell the user about a failed answer: { text, retry } where `retry` says whether
 * sending the same message again may help.
 */
export function explainFailure(failure) {
	if (failure.kind === "network")
		return { text: "Could not reach the server. Check your connection, then retry.", retry: true };
	if (failure.kind === "broken")
		return {
			text: "The answer broke off before it was complete. Retry to get a whole one.",
			retry: true,
		};
	const code = failure.code;
	const detail = failure.detail ? ` (${failure.detail.replace(/\.$/, "")})` : "";
	switch (code) {
		case "rate_limited":
			return { text: "Too many requests for now.", retry: true };
		case "content_blocked":
			return {
				text: `The gateway's guardrails blocked this${/answer/.test(failure.detail ?? "") ? " answer" : " message"}. Rephrase it and send it again.`,
				retry: false,
			};
		case "upstream_timeout":
			return {
				text: "The model took too long to answer. Retry, or pick another model.",
				retry: true,
			};
		case "upstream_unavailable":
			return {
				text: "AI Gateway is unavailable at the moment. Retry in a little while.",
				retry: true,
			};
		case "upstream_out_of_credits":
			return {
				text: "The gateway's credits for this model are spent. Pick another model, or add credits.",
				retry: false,
			};
		case "upstream_error":
			return {
				text: `The model service failed to answer${failure.kind === "stream" ? " to the end" : ""}. Retry, or pick another model.`,
				retry: true,
			};
		case "model_not_allowed":
			return { text: "This model is not offered any more. Pick another one.", retry: false };
		case "payload_too_large":
			return { text: "The conversation is too long to send. Start a new chat.", retry: false };
		case "invalid_request":
		case "invalid_json":
			return { text: `The server could not take this message${detail}.`, retry: false };
		case "internal_error":
			return { text: "Something went wrong on the server. Retry in a moment.", retry: true };
		case "turnstile_missing":
		case "turnstile_invalid":
		case "turnstile_expired":
		case "turnstile_replayed":
		case "turnstile_mismatch":
			return {
				text: "The human check did not go through or has expired. Try again: complete the check if it asks, then retry.",
				retry: true,
			};
		case "turnstile_unavailable":
			return {
				text: "The human check could not be verified just now. Retry in a moment.",
				retry: true,
			};
	}
	if (failure.status === 429) return { text: "Too many requests for now.", retry: true };
	if (failure.status && failure.status >= 500)
		return { text: "The server could not answer just now. Retry in a moment.", retry: true };
	return { text: `The request was refused${detail}.`, retry: false };
}

import { ApiError, type ErrorCode } from "./errors";
import { checkToken, signToken, type TokenCheck, unixNow } from "./signed-token";

/**
 * Turnstile on /api/chat: the rules, without the HTTP. The chat page's widget yields a token
 * that Siteverify accepts once; the Worker then hands out a pass, a signed token
 * (src/core/signed-token.ts) bound to the page's hostname and the client's address, so that a
 * conversation needs one challenge rather than one a message.
 */

/** The action the chat page's widget declares, which Siteverify must report back. */
export const TURNSTILE_ACTION = "chat";
/** How long a pass stands in for a challenge. */
export const TURNSTILE_PASS_TTL_SECONDS = 10 * 60;
/** The widget's token, sent once to earn a pass. */
export const TURNSTILE_TOKEN_HEADER = "x-turnstile-token";
/** The pass: in the answer that consumed a token, and in the client's next requests. */
export const TURNSTILE_PASS_HEADER = "x-turnstile-pass";
/** Siteverify's longest token. */
export const TURNSTILE_TOKEN_MAX_CHARS = 2048;
export const SITEVERIFY_URL = "https://challenges.cloudflare.com/turnstile/v0/siteverify";

/**
 * Cloudflare's published test secret keys (always passes, always fails, token already spent).
 * They accept only the dummy token `XXXX.DUMMY.TOKEN.XXXX`, so they protect nothing, and the
 * hostname and action Siteverify reports for them are placeholders: not checked.
 */
const TEST_SECRETS = new Set([
	"1x0000000000000000000000000000000AA",
	"2x0000000000000000000000000000000AA",
	"3x0000000000000000000000000000000AA",
]);
export const isTestSecret = (secret: string): boolean => TEST_SECRETS.has(secret);

const PASS_KIND = "tp1";
const passSubject = (hostname: string, client: string) => `${hostname}\n${client}`;

/** A pass for `client` (its address) on `hostname`, valid for TURNSTILE_PASS_TTL_SECONDS. */
export function signTurnstilePass(
	secret: string,
	hostname: string,
	client: string,
	now = unixNow(),
): Promise<string> {
	return signToken(
		PASS_KIND,
		passSubject(hostname, client),
		secret,
		now + TURNSTILE_PASS_TTL_SECONDS,
	);
}

export function checkTurnstilePass(
	pass: string,
	secret: string,
	hostname: string,
	client: string,
	now = unixNow(),
): Promise<TokenCheck> {
	return checkToken(pass, PASS_KIND, passSubject(hostname, client), [secret], now);
}

const REFUSALS = {
	turnstile_missing:
		"Complete the human check: send its token in x-turnstile-token, or the pass of an earlier answer in x-turnstile-pass",
	turnstile_invalid: "The human check's token or pass is not valid here: complete the check again",
	turnstile_expired: "The human check's pass has expired: complete the check again",
	turnstile_replayed: "This human check was already used or has timed out: complete it again",
	turnstile_mismatch:
		"This human check was made for another page or action: complete it again on this page",
} as const satisfies Partial<Record<ErrorCode, string>>;

export type TurnstileRefusal = keyof typeof REFUSALS;

/** 403 with one of the stable turnstile_* codes: the client completes the check again. */
export const turnstileRefusal = (code: TurnstileRefusal) => new ApiError(403, code, REFUSALS[code]);

/** 503: Siteverify could not say (unreachable, its own error, or it refused our secret). */
export const turnstileUnavailable = () =>
	new ApiError(
		503,
		"turnstile_unavailable",
		"The human check could not be verified just now: retry in a moment",
		{ headers: { "Retry-After": "5" } },
	);

/**
 * What Siteverify's `error-codes` of a failed verification mean for the client: a refusal it
 * can act on (check again), or null when the fault is not the client's (the secret, a
 * malformed request, Siteverify's internal error).
 */
export function refusalOf(errorCodes: readonly string[]): TurnstileRefusal | null {
	if (errorCodes.includes("timeout-or-duplicate")) return "turnstile_replayed";
	if (errorCodes.includes("invalid-input-response")) return "turnstile_invalid";
	if (errorCodes.includes("missing-input-response")) return "turnstile_missing";
	return null;
}

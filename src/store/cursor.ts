import { ApiError } from "../core/errors";
import { toBase64Url } from "../core/signed-token";
import type { FeedbackFilters, Keyset } from "./feedback-rows";

/**
 * Opaque page cursors: base64url of `2.<created_at in base 36>.<log id>.<tag>`, then
 * `.<D1 bookmark>` when the page was read in a session: the next page's session starts
 * from it, so it sees at least what this page saw (docs/feedback-store.md). The tag is an
 * HMAC-SHA-256 (its first 128 bits) over the rest and the filters the cursor was made for:
 * a cursor from another query, a damaged, tampered or hand-built one is refused with 400
 * invalid_cursor, and a page is only ever read from a position and a bookmark the list
 * gave out.
 */

const VERSION = "2";
const encoder = new TextEncoder();

/**
 * The key of the list's cursors, from ADMIN_TOKEN, or, with Cloudflare Access alone, from its
 * ACCESS_AUD: cursors exist only behind them, so whoever may use one holds it already (an
 * Access token carries its aud), and no other secret has to be set. The tag keeps a cursor
 * to the position and filters the list gave out; it hides nothing from the team. A label
 * keeps the key apart from the token's other use (compared as a bearer token, never as a
 * key); a new token makes the old cursors invalid, which costs a client one fresh first
 * page. Imported once per secret per isolate.
 */
let cached: { secret: string; key: Promise<CryptoKey> } | undefined;
export function cursorKey(secret: string): Promise<CryptoKey> {
	if (cached?.secret !== secret) {
		const key = crypto.subtle
			.digest("SHA-256", encoder.encode(`feedback list cursors\n${secret}`))
			.then((raw) =>
				crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]),
			);
		cached = { secret, key };
	}
	return cached.key;
}

/** The tag of a cursor's position and bookmark, tied to its filters (in a fixed order). */
async function tagOf(key: CryptoKey, position: string, filters: FeedbackFilters): Promise<string> {
	const signed = JSON.stringify([
		position,
		filters.model,
		filters.vote,
		filters.state,
		filters.hasComment,
		filters.since,
		filters.until,
		filters.judgeAgrees,
	]);
	const mac = await crypto.subtle.sign("HMAC", key, encoder.encode(signed));
	return toBase64Url(mac.slice(0, 16));
}

/** A D1 session bookmark, as D1 gives them out: hex, 8-8-8-32. */
const BOOKMARK = "[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}";
const A_BOOKMARK = new RegExp(`^${BOOKMARK}$`);

export async function encodeCursor(
	keyset: Keyset,
	filters: FeedbackFilters,
	bookmark: string | null,
	key: CryptoKey,
): Promise<string> {
	// A bookmark of another shape would make a cursor decodeCursor refuses: left out instead.
	const kept = bookmark !== null && A_BOOKMARK.test(bookmark) ? bookmark : "";
	const position = `${keyset.createdAt.toString(36)}.${keyset.aiGatewayLogId}.${kept}`;
	const tag = await tagOf(key, position, filters);
	const raw = `${VERSION}.${keyset.createdAt.toString(36)}.${keyset.aiGatewayLogId}.${tag}`;
	return toBase64Url(encoder.encode(kept ? `${raw}.${kept}` : raw).buffer);
}

const CURSOR = new RegExp(
	`^${VERSION}\\.([0-9a-z]{1,11})\\.([A-Za-z0-9_-]{1,128})\\.([A-Za-z0-9_-]{22})(?:\\.(${BOOKMARK}))?$`,
);
/** Longer than any cursor this list gives out (about 312 characters at most): not decoded at all. */
const MAX_CURSOR_CHARS = 320;

/** The position after which a cursor's page starts, and the bookmark its session starts from. */
export async function decodeCursor(
	cursor: string,
	filters: FeedbackFilters,
	key: CryptoKey,
): Promise<{ after: Keyset; bookmark: string | undefined }> {
	let raw = "";
	try {
		if (cursor.length <= MAX_CURSOR_CHARS)
			raw = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
	} catch {
		// Not base64: refused below.
	}
	const match = CURSOR.exec(raw);
	const [, createdAt = "", aiGatewayLogId = "", tag = "", bookmark] = match ?? [];
	const expected = match
		? await tagOf(key, `${createdAt}.${aiGatewayLogId}.${bookmark ?? ""}`, filters)
		: "";
	if (!match || !sameTag(tag, expected)) {
		throw new ApiError(
			400,
			"invalid_cursor",
			"cursor: not a cursor this list gave out for these filters; start again without it",
			{ param: "cursor" },
		);
	}
	return { after: { createdAt: Number.parseInt(createdAt, 36), aiGatewayLogId }, bookmark };
}

/** Tags compared in a time that tells nothing of where they differ (both are 22 characters). */
function sameTag(given: string, expected: string): boolean {
	const a = encoder.encode(given);
	const b = encoder.encode(expected);
	return a.byteLength === b.byteLength && crypto.subtle.timingSafeEqual(a, b);
}

import { ApiError } from "../core/errors";
import type { FeedbackFilters, Keyset } from "./feedback-rows";

/**
 * Opaque page cursors: base64url of `1.<created_at in base 36>.<log id>.<filters hash>`,
 * then `.<D1 bookmark>` when the page was read in a session: the next page's session starts
 * from it, so it sees at least what this page saw (docs/feedback-store.md). The hash ties a
 * cursor to the filters it was made for: a cursor from another query, a damaged one or one
 * that is not ours at all is refused with 400 invalid_cursor.
 */

/** FNV-1a over the filters in a fixed order: not a secret, a consistency check. */
function filtersHash(filters: FeedbackFilters): string {
	const text = JSON.stringify([
		filters.model,
		filters.vote,
		filters.state,
		filters.hasComment,
		filters.since,
		filters.until,
	]);
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
	return (hash >>> 0).toString(36);
}

/** A D1 session bookmark, as D1 gives them out: hex, 8-8-8-32. */
const BOOKMARK = "[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}";
const A_BOOKMARK = new RegExp(`^${BOOKMARK}$`);

export function encodeCursor(
	keyset: Keyset,
	filters: FeedbackFilters,
	bookmark: string | null = null,
): string {
	let raw = `1.${keyset.createdAt.toString(36)}.${keyset.aiGatewayLogId}.${filtersHash(filters)}`;
	// A bookmark of another shape would make a cursor decodeCursor refuses: left out instead.
	if (bookmark !== null && A_BOOKMARK.test(bookmark)) raw += `.${bookmark}`;
	return btoa(raw).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const CURSOR = new RegExp(
	`^1\\.([0-9a-z]{1,11})\\.([A-Za-z0-9_-]{1,128})\\.([0-9a-z]{1,7})(?:\\.(${BOOKMARK}))?$`,
);
/** Longer than any cursor this list gives out (about 280 characters at most): not decoded at all. */
const MAX_CURSOR_CHARS = 300;

/** The position after which a cursor's page starts, and the bookmark its session starts from. */
export function decodeCursor(
	cursor: string,
	filters: FeedbackFilters,
): { after: Keyset; bookmark: string | undefined } {
	let raw = "";
	try {
		if (cursor.length <= MAX_CURSOR_CHARS)
			raw = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
	} catch {
		// Not base64: refused below.
	}
	const match = CURSOR.exec(raw);
	if (!match || match[3] !== filtersHash(filters)) {
		throw new ApiError(
			400,
			"invalid_cursor",
			"cursor: not a cursor this list gave out for these filters; start again without it",
			{ param: "cursor" },
		);
	}
	return {
		after: {
			createdAt: Number.parseInt(match[1] as string, 36),
			aiGatewayLogId: match[2] as string,
		},
		bookmark: match[4],
	};
}

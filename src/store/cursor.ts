import { ApiError } from "../core/errors";
import type { FeedbackFilters, Keyset } from "./feedback-rows";

/**
 * Opaque page cursors: base64url of `1.<created_at in base 36>.<log id>.<filters hash>`.
 * The hash ties a cursor to the filters it was made for: a cursor from another query, a
 * damaged one or one that is not ours at all is refused with 400 invalid_cursor.
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

export function encodeCursor(keyset: Keyset, filters: FeedbackFilters): string {
	const raw = `1.${keyset.createdAt.toString(36)}.${keyset.aiGatewayLogId}.${filtersHash(filters)}`;
	return btoa(raw).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const CURSOR = /^1\.([0-9a-z]{1,11})\.([A-Za-z0-9_-]{1,128})\.([0-9a-z]{1,7})$/;
/** Longer than any cursor this list gives out (200 characters at most): not decoded at all. */
const MAX_CURSOR_CHARS = 300;

export function decodeCursor(cursor: string, filters: FeedbackFilters): Keyset {
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
	return { createdAt: Number.parseInt(match[1] as string, 36), aiGatewayLogId: match[2] as string };
}

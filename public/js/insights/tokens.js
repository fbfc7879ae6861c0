// The tokens /insights asks for, kept in this tab's sessionStorage only.

const ADMIN_KEY = "insights-admin-token";
const DEBUG_KEY = "insights-debug-token";

/** The tokens kept by an earlier load in this tab: { admin, debug }, "" for none. */
export function keptTokens() {
	return {
		admin: sessionStorage.getItem(ADMIN_KEY) ?? "",
		debug: sessionStorage.getItem(DEBUG_KEY) ?? "",
	};
}

/** Keeps the tokens of a load; an empty debug token removes the kept one. */
export function keepTokens({ admin, debug }) {
	sessionStorage.setItem(ADMIN_KEY, admin);
	if (debug) sessionStorage.setItem(DEBUG_KEY, debug);
	else sessionStorage.removeItem(DEBUG_KEY);
}

/** Forgets the admin token, which the API refused. */
export function forgetAdminToken() {
	sessionStorage.removeItem(ADMIN_KEY);
}

/** Forgets both tokens (*Forget tokens*). */
export function forgetTokens() {
	sessionStorage.removeItem(ADMIN_KEY);
	sessionStorage.removeItem(DEBUG_KEY);
}

/** Whether the last report loaded without an admin token: the page is behind Cloudflare Access. */
let behindAccess = false;
export const setBehindAccess = (value) => {
	behindAccess = value;
};
export const isBehindAccess = () => behindAccess;

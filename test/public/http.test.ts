// The pages' shared HTTP helpers (public/js/http.js): the API's error read from a response,
// the one GET with a token that /insights uses, and the words for a refused token.
import { afterEach, describe, expect, it, vi } from "vitest";
import { ChatFailure, errorMessage, explainTokenFailure, getJson } from "../../public/js/http.js";

const apiError = (status: number, code: string, message: string, headers = {}) =>
	Response.json({ error: { code, message } }, { status, headers });

describe("the API's error from a failed response", () => {
	it("errorMessage says the API's message, else the status", async () => {
		expect(await errorMessage(apiError(403, "forbidden", "Token expired"))).toBe("Token expired");
		expect(await errorMessage(new Response("<h1>Bad gateway</h1>", { status: 502 }))).toBe(
			"HTTP 502",
		);
		expect(await errorMessage(Response.json(null, { status: 500 }))).toBe("HTTP 500");
		expect(await errorMessage(Response.json({ error: {} }, { status: 400 }))).toBe("HTTP 400");
	});

	it("ChatFailure.fromResponse keeps the status, code, message and Retry-After", async () => {
		const failure = await ChatFailure.fromResponse(
			apiError(429, "rate_limited", "Slow down", { "retry-after": "7" }),
		);
		expect(failure).toMatchObject({
			kind: "http",
			status: 429,
			code: "rate_limited",
			detail: "Slow down",
			retryAfter: 7,
			message: "Slow down",
		});
		const bare = await ChatFailure.fromResponse(new Response("oops", { status: 503 }));
		expect(bare).toMatchObject({ kind: "http", status: 503, code: undefined, detail: undefined });
		expect(bare.message).toBe("http");
	});
});

describe("getJson", () => {
	afterEach(() => {
		vi.unstubAllGlobals();
	});

	it("sends the token, asks past the cache, and hands back the JSON", async () => {
		const fetch = vi.fn(async (_path: string, _init?: RequestInit) => Response.json({ ok: 1 }));
		vi.stubGlobal("fetch", fetch);
		expect(await getJson("/api/admin/health", "secret-token")).toEqual({ ok: 1 });
		expect(fetch).toHaveBeenCalledWith("/api/admin/health", {
			headers: { authorization: "Bearer secret-token" },
			cache: "no-store",
		});
	});

	it("sends no Authorization without a token: behind Cloudflare Access the sign-in goes instead", async () => {
		const fetch = vi.fn(async (_path: string, _init?: RequestInit) => Response.json({ ok: 1 }));
		vi.stubGlobal("fetch", fetch);
		expect(await getJson("/api/admin/health", "")).toEqual({ ok: 1 });
		expect(fetch).toHaveBeenCalledWith("/api/admin/health", { headers: {}, cache: "no-store" });
	});

	it("throws the refusal with its status, code and message, or the status alone", async () => {
		vi.stubGlobal("fetch", async () => apiError(401, "unauthorized", "Send a token"));
		await expect(getJson("/api/admin/stats", "x")).rejects.toMatchObject({
			status: 401,
			code: "unauthorized",
			message: "Send a token",
		});
		vi.stubGlobal("fetch", async () => new Response("down", { status: 502 }));
		await expect(getJson("/api/admin/stats", "x")).rejects.toMatchObject({
			status: 502,
			code: undefined,
			message: "the server answered 502",
		});
	});
});

describe("explainTokenFailure", () => {
	const words = {
		token: "admin token",
		off: "The admin API is off here: set the ADMIN_TOKEN secret.",
		doing: "load the insights",
	};

	it("says the token was refused, the route is off, or what failed", () => {
		expect(explainTokenFailure({ status: 401, code: "unauthorized", message: "x" }, words)).toBe(
			"The admin token was not accepted.",
		);
		expect(
			explainTokenFailure({ status: 404, code: "not_found", message: "Not found" }, words),
		).toBe(words.off);
		expect(explainTokenFailure({ status: 404, message: "the server answered 404" }, words)).toBe(
			words.off,
		);
		// A missing log is not a route that is off.
		expect(
			explainTokenFailure(
				{ status: 404, code: "log_not_found", message: "No gateway log has this id" },
				words,
			),
		).toBe("Could not load the insights: No gateway log has this id");
		expect(explainTokenFailure(new TypeError("Failed to fetch"), words)).toBe(
			"Could not load the insights: Failed to fetch",
		);
	});
});

import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Through the Worker's real entry point with its wrangler.jsonc bindings (plus the
// test-only AI_EMULATOR service binding of vitest.config.ts).
describe("the deployed entry point", () => {
	it("answers unknown paths with the JSON not_found error", async () => {
		const res = await exports.default.fetch("https://worker.test/nope");
		expect(res.status).toBe(404);
		expect(await res.json()).toEqual({ error: { code: "not_found", message: "Not found" } });
	});

	it("guards the debug route with DEBUG_TOKEN", async () => {
		const res = await exports.default.fetch("https://worker.test/api/logs/abc");
		expect(res.status).toBe(401);
		expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
	});

	it("validates before it calls the binding", async () => {
		const res = await exports.default.fetch("https://worker.test/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ messages: [] }),
		});
		expect(res.status).toBe(400);
	});

	it("answers through the AI binding, which the test config routes to the emulator", async () => {
		const res = await exports.default.fetch("https://worker.test/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
		});
		expect(res.status).toBe(200);
		expect(res.headers.get("x-ai-backend")).toBe("emulator");
		expect(((await res.json()) as { response: string }).response).toMatch(/^\[emulated\]/);
	});

	const preflight = (path: string) =>
		exports.default.fetch(`https://worker.test${path}`, {
			method: "OPTIONS",
			headers: {
				origin: "https://elsewhere.example",
				"access-control-request-method": "POST",
				"access-control-request-headers": "authorization, content-type",
			},
		});

	it("lets pages of any origin call the chat, feedback, models and /v1 routes", async () => {
		for (const path of [
			"/api/chat",
			"/api/feedback",
			"/api/feedback/abc",
			"/api/models",
			"/v1/chat/completions",
			"/v1/models",
		]) {
			const res = await preflight(path);
			expect(res.status, path).toBe(204);
			expect(res.headers.get("access-control-allow-origin"), path).toBe("*");
		}
	});

	it("keeps the admin and debug routes same-origin: no CORS answer, from any origin", async () => {
		for (const path of [
			"/api/admin/feedback",
			"/api/admin/stats",
			"/api/logs/abc",
			"/api/dead-letters",
			"/api/dead-letters/replay",
			"/api/dead-letters/answers/replay",
			"/api/store-writes",
		]) {
			const res = await preflight(path);
			expect(res.headers.get("access-control-allow-origin"), path).toBeNull();
			expect(res.headers.get("access-control-allow-headers"), path).toBeNull();
			const get = await exports.default.fetch(`https://worker.test${path}`, {
				headers: { origin: "https://elsewhere.example" },
			});
			expect(get.headers.get("access-control-allow-origin"), path).toBeNull();
			expect(get.headers.get("cache-control"), path).toBe("no-store");
		}
	});
});

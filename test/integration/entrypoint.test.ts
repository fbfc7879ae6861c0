import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

// Through the Worker's real entry point and its wrangler.jsonc bindings.
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

	it("turns a binding that cannot be reached into a clean 502", async () => {
		// Offline, the real AI binding throws "needs to be run remotely".
		const res = await exports.default.fetch("https://worker.test/api/chat", {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
		});
		expect(res.status).toBe(502);
		expect(await res.json()).toEqual({
			error: { code: "upstream_error", message: "The AI service failed to answer" },
		});
	});
});

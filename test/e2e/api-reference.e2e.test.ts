// The API reference page (/api-reference) against `npm run dev`, under the site's real
// headers: it renders every operation of /openapi.json with no CSP violation or script
// error, opens the operation a link names, and axe finds nothing serious in it.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { axeViolations, serious } from "./browser.ts";
import { ROOT } from "./dev-server.ts";
import { browserHarness } from "./harness.ts";

const e2e = browserHarness();

const document = JSON.parse(readFileSync(join(ROOT, "public/openapi.json"), "utf8")) as {
	paths: Record<string, Record<string, { operationId: string }>>;
};
const operations = Object.values(document.paths).flatMap(Object.values);

test("renders every operation of /openapi.json under the CSP, and opens the one a link names", async () => {
	const { page, response, problems, close } = await e2e.open("/api-reference#postApiChat");
	assert.match(response?.headers()["content-security-policy"] ?? "", /script-src 'self'/);
	await page.waitForSelector("#reference:not([aria-busy])");
	assert.equal(await page.locator("details.operation").count(), operations.length);
	const chat = page.locator("details#postApiChat");
	assert.equal(await chat.getAttribute("open"), "");
	// Its body's fields, an example, and its error codes are on the page.
	const text = (await chat.textContent()) ?? "";
	for (const expected of ["messages", "What is AI Gateway?", "rate_limited", "turnstile_missing"]) {
		assert.ok(text.includes(expected), `POST /api/chat's entry lacks ${expected}`);
	}
	assert.deepEqual(serious(await axeViolations(page)), []);
	assert.deepEqual(problems, []);
	await close();
});

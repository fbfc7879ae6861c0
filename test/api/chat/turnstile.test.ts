import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { DUMMY_TOKEN, SiteverifyStandIn, TEST_SECRETS } from "../../../emulator/src/index.ts";
import { signFeedbackToken } from "../../../src/core/feedback-token";
import { signTurnstilePass, TURNSTILE_PASS_TTL_SECONDS } from "../../../src/core/turnstile";
import { createHarness, type ErrorJson } from "../../harness";

// The harness's requests reach the Worker at https://worker.test.
const HOSTNAME = "worker.test";
const SITE_KEY = "0x4AAAAAAAstandinSiteKey";
const SECRET = "0x4AAAAAAAstandin-secret-0123456789abcdef";
const messages = [{ role: "user", content: "Hello" }];

/** The Worker with Turnstile on, verifying against a stand-in of its own. */
function turnstileHarness({
	secret = SECRET,
	standIn = new SiteverifyStandIn(),
}: {
	secret?: string;
	standIn?: SiteverifyStandIn;
} = {}) {
	const harness = createHarness(
		{},
		{
			TURNSTILE_SITE_KEY: SITE_KEY,
			TURNSTILE_SECRET: secret,
			TURNSTILE_EMULATOR: standIn as unknown as Fetcher,
		},
	);
	// A client of its own, for the per-client rate limit.
	const client = `203.0.113.${Math.floor(Math.random() * 250)}-${crypto.randomUUID()}`;
	const send = (headers: Record<string, string>, body: unknown = { messages }) =>
		harness.postJson("/api/chat", body, { headers: { "cf-connecting-ip": client, ...headers } });
	const token = (overrides: { action?: string; hostname?: string } = {}) =>
		standIn.issue({ secret, action: "chat", hostname: HOSTNAME, ...overrides });
	return { ...harness, standIn, client, send, token };
}

async function expectRefusal(res: Response, code: string) {
	const body = (await res.json()) as ErrorJson;
	expect({ status: res.status, code: body.error.code }).toEqual({ status: 403, code });
	expect(body.error.message).toMatch(/again|Complete the human check/);
	expect(res.headers.get("x-turnstile-pass")).toBeNull();
}

describe("Turnstile on /api/chat", () => {
	it("is off without TURNSTILE_SITE_KEY and TURNSTILE_SECRET, as before", async () => {
		const { ask, call } = createHarness();
		expect((await ask("Hello")).status).toBe(200);
		expect(await (await call("/api/models")).json()).toMatchObject({ turnstile: null });
		// One of the two is not enough.
		const halfway = createHarness({}, { TURNSTILE_SECRET: SECRET });
		expect((await halfway.ask("Hello")).status).toBe(200);
	});

	it("tells the page its site key and action through GET /api/models", async () => {
		const { call } = turnstileHarness();
		expect(await (await call("/api/models")).json()).toMatchObject({
			turnstile: { siteKey: SITE_KEY, action: "chat" },
		});
	});

	it("refuses a request with neither a token nor a pass: 403 turnstile_missing", async () => {
		const { send, standIn } = turnstileHarness();
		await expectRefusal(await send({}), "turnstile_missing");
		await expectRefusal(await send({ "x-turnstile-token": "" }), "turnstile_missing");
		expect(standIn.requests).toHaveLength(0);
	});

	it("verifies a token once with Siteverify and answers with a pass", async () => {
		const { send, standIn, client, token } = turnstileHarness();
		const widgetToken = token();
		const res = await send({ "x-turnstile-token": widgetToken });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-turnstile-pass")).toMatch(/^tp1\.[\w-]{8}\.\d+\.[\w-]+$/);
		expect(res.headers.get("access-control-expose-headers")).toContain("x-turnstile-pass");
		expect(standIn.requests).toEqual([
			{
				secret: SECRET,
				response: widgetToken,
				remoteip: client,
				idempotency_key: expect.stringMatching(/^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-/),
			},
		]);
	});

	it("takes the pass for the next messages without another challenge", async () => {
		const { send, standIn, token } = turnstileHarness();
		const first = await send({ "x-turnstile-token": token() });
		const pass = first.headers.get("x-turnstile-pass") ?? "";
		for (let i = 0; i < 3; i++) {
			const res = await send({ "x-turnstile-pass": pass }, { messages, stream: true });
			expect(res.status).toBe(200);
			await res.text();
		}
		expect(standIn.requests).toHaveLength(1);
	});

	it("refuses a token spent already: 403 turnstile_replayed", async () => {
		const { send, token } = turnstileHarness();
		const widgetToken = token();
		expect((await send({ "x-turnstile-token": widgetToken })).status).toBe(200);
		await expectRefusal(await send({ "x-turnstile-token": widgetToken }), "turnstile_replayed");
	});

	it("refuses a token older than Siteverify's 300 seconds: 403 turnstile_replayed", async () => {
		let now = Date.now();
		const { send, token } = turnstileHarness({
			standIn: new SiteverifyStandIn({ now: () => now }),
		});
		const widgetToken = token();
		now += 301_000;
		await expectRefusal(await send({ "x-turnstile-token": widgetToken }), "turnstile_replayed");
	});

	it("retries a verification whose answer was lost with the same idempotency key, not as a replay", async () => {
		const { send, standIn, token } = turnstileHarness();
		standIn.loseNextAnswers(1);
		const res = await send({ "x-turnstile-token": token() });
		expect(res.status).toBe(200);
		expect(res.headers.get("x-turnstile-pass")).toBeTruthy();
		const [first, retry] = standIn.requests;
		expect(standIn.requests).toHaveLength(2);
		expect(retry?.idempotency_key).toBe(first?.idempotency_key);
	});

	it("answers 503 turnstile_unavailable when Siteverify gives no verdict, and logs it", async () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const { send, standIn, token } = turnstileHarness();
		standIn.loseNextAnswers(2);
		const res = await send({ "x-turnstile-token": token() });
		const body = (await res.json()) as ErrorJson;
		expect({ status: res.status, code: body.error.code }).toEqual({
			status: 503,
			code: "turnstile_unavailable",
		});
		expect(res.headers.get("retry-after")).toBe("5");
		const logged = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
		expect(logged).toContainEqual(
			expect.objectContaining({ message: "turnstile: siteverify gave no verdict" }),
		);
		expect(JSON.stringify(logged)).not.toContain(SECRET);
		errors.mockRestore();
	});

	it("refuses a token solved on another hostname or for another action: 403 turnstile_mismatch", async () => {
		const { send, token } = turnstileHarness();
		await expectRefusal(
			await send({ "x-turnstile-token": token({ hostname: "elsewhere.example" }) }),
			"turnstile_mismatch",
		);
		await expectRefusal(
			await send({ "x-turnstile-token": token({ action: "login" }) }),
			"turnstile_mismatch",
		);
	});

	it("refuses a token Siteverify does not know, or one too long to be a token: 403 turnstile_invalid", async () => {
		const { send, standIn } = turnstileHarness();
		await expectRefusal(await send({ "x-turnstile-token": "forged.token" }), "turnstile_invalid");
		await expectRefusal(await send({ "x-turnstile-token": "x".repeat(2049) }), "turnstile_invalid");
		expect(standIn.requests).toHaveLength(1);
	});

	it("refuses a pass that is tampered with, another client's, or another kind of token: 403 turnstile_invalid", async () => {
		const { send, client, token } = turnstileHarness();
		const pass =
			(await send({ "x-turnstile-token": token() })).headers.get("x-turnstile-pass") ?? "";
		const [kind, kid, expires, signature] = pass.split(".");
		const later = `${kind}.${kid}.${Number(expires) + 60}.${signature}`;
		await expectRefusal(await send({ "x-turnstile-pass": later }), "turnstile_invalid");
		await expectRefusal(
			await send({ "x-turnstile-pass": pass, "cf-connecting-ip": `${client}-elsewhere` }),
			"turnstile_invalid",
		);
		const feedbackToken = await signFeedbackToken(`${HOSTNAME}\n${client}`, SECRET);
		await expectRefusal(await send({ "x-turnstile-pass": feedbackToken }), "turnstile_invalid");
		// A pass of the same client on another hostname.
		const elsewhere = await signTurnstilePass(SECRET, "elsewhere.example", client);
		await expectRefusal(await send({ "x-turnstile-pass": elsewhere }), "turnstile_invalid");
	});

	it("refuses a pass past its minutes: 403 turnstile_expired", async () => {
		const { send, client } = turnstileHarness();
		const now = Math.floor(Date.now() / 1000);
		const fresh = await signTurnstilePass(
			SECRET,
			HOSTNAME,
			client,
			now - TURNSTILE_PASS_TTL_SECONDS + 30,
		);
		expect((await send({ "x-turnstile-pass": fresh })).status).toBe(200);
		const stale = await signTurnstilePass(
			SECRET,
			HOSTNAME,
			client,
			now - TURNSTILE_PASS_TTL_SECONDS - 1,
		);
		await expectRefusal(await send({ "x-turnstile-pass": stale }), "turnstile_expired");
		// Signed with another secret: not a pass of this Worker, expired or not.
		const foreign = await signTurnstilePass(`${SECRET}-other`, HOSTNAME, client, now - 3600);
		await expectRefusal(await send({ "x-turnstile-pass": foreign }), "turnstile_invalid");
	});

	it("hands over the pass with a refusal of the body too: the token is spent either way", async () => {
		const { send, token } = turnstileHarness();
		const res = await send({ "x-turnstile-token": token() }, { messages: [] });
		expect(res.status).toBe(400);
		const pass = res.headers.get("x-turnstile-pass") ?? "";
		expect(pass).toMatch(/^tp1\./);
		expect((await send({ "x-turnstile-pass": pass })).status).toBe(200);
	});

	it("leaves /v1 to API_KEYS: no human check there", async () => {
		const { postJson } = turnstileHarness();
		const res = await postJson("/v1/chat/completions", {
			model: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
			messages,
		});
		expect(res.status).toBe(200);
	});
});

describe("Turnstile's published test keys, on the Siteverify stand-in", () => {
	it("1x…AA (always passes) accepts the dummy token and no other", async () => {
		const { send } = turnstileHarness({ secret: TEST_SECRETS.passes });
		const res = await send({ "x-turnstile-token": DUMMY_TOKEN });
		// Its hostname and action are placeholders ("localhost", "test"): not checked for test keys.
		expect(res.status).toBe(200);
		expect(res.headers.get("x-turnstile-pass")).toMatch(/^tp1\./);
		await expectRefusal(await send({ "x-turnstile-token": "standin.real" }), "turnstile_invalid");
	});

	it("2x…AA (always fails) refuses: 403 turnstile_invalid", async () => {
		const { send } = turnstileHarness({ secret: TEST_SECRETS.fails });
		await expectRefusal(await send({ "x-turnstile-token": DUMMY_TOKEN }), "turnstile_invalid");
	});

	it("3x…AA (token already spent) refuses: 403 turnstile_replayed", async () => {
		const { send } = turnstileHarness({ secret: TEST_SECRETS.spent });
		await expectRefusal(await send({ "x-turnstile-token": DUMMY_TOKEN }), "turnstile_replayed");
	});

	it("are served by the emulator Worker through the dev-only TURNSTILE_EMULATOR binding", async () => {
		if (!env.TURNSTILE_EMULATOR) throw new Error("vitest.config.ts binds no TURNSTILE_EMULATOR");
		const { chat } = createHarness(
			{},
			{ TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET: TEST_SECRETS.passes },
		);
		const res = await chat({ messages }, { headers: { "x-turnstile-token": DUMMY_TOKEN } });
		expect(res.status).toBe(200);
		const refused = await chat({ messages }, { headers: { "x-turnstile-token": "not-the-dummy" } });
		expect(refused.status).toBe(403);
	});
});

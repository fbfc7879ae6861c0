/**
 * Cloudflare Access in front of the team's routes (src/http/auth.ts, src/http/access.ts): a
 * valid Cf-Access-Jwt-Assertion lets a request into the admin API and the debug routes without
 * a bearer token. Tokens are signed here with keys generated per test and served by a
 * stand-in for the team's certs URL (the dev-only ACCESS_EMULATOR binding).
 */
import {
	exportJWK,
	exportSPKI,
	generateKeyPair,
	importJWK,
	type JWK,
	SignJWT,
	UnsecuredJWT,
} from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DAY_MS } from "../../src/core/time";
import { cursorKey, encodeCursor } from "../../src/store/cursor";
import { createHarness, type ErrorJson, TEST_DEBUG_TOKEN } from "../harness";
import { seed, TEST_ADMIN_TOKEN, testModel } from "../store/helpers";

const TEAM = "feedback-team.cloudflareaccess.com";
const ISSUER = `https://${TEAM}`;
const AUD = "4714c1358e65fe4b408ad6d432a5f878f08194bdb4752441fd56faefa9b2b6f2";
const EMAIL = "ada@example.com";

interface SigningKey {
	kid: string;
	privateKey: CryptoKey;
	publicKey: CryptoKey;
	jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
	const { privateKey, publicKey } = await generateKeyPair("RS256");
	return {
		kid,
		privateKey,
		publicKey,
		jwk: { ...(await exportJWK(publicKey)), kid, alg: "RS256", use: "sig" },
	};
}

/** The team's certs URL, as a test controls it: which keys it serves, and who asked. */
function certsStandIn(keys: SigningKey[]) {
	const stand = {
		served: keys.map((key) => key.jwk),
		requested: [] as string[],
		status: 200,
		fetcher: {
			fetch: async (input: RequestInfo | URL) => {
				stand.requested.push(String(input instanceof Request ? input.url : input));
				if (stand.status !== 200) return new Response("down", { status: stand.status });
				return Response.json({ keys: stand.served });
			},
		} as unknown as Fetcher,
	};
	return stand;
}

const now = () => Math.floor(Date.now() / 1000);

/** A JSON object as a JWT segment (base64url). */
const segment = (value: object) =>
	btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** An assertion as Access signs it; `claims` and `options` change what a test needs. */
function assertion(
	key: SigningKey,
	{
		aud = AUD,
		iss = ISSUER,
		exp = now() + 300,
		nbf,
		kid = key.kid,
		email = EMAIL,
		signWith = key.privateKey,
	}: {
		aud?: string | string[];
		iss?: string;
		exp?: number | null;
		nbf?: number;
		kid?: string;
		email?: string;
		signWith?: CryptoKey;
	} = {},
): Promise<string> {
	const jwt = new SignJWT({ email, type: "app" })
		.setProtectedHeader({ alg: "RS256", kid })
		.setIssuer(iss)
		.setAudience(aud)
		.setSubject("7335d417-61da-459d-899c-0a01c76a2a26")
		.setIssuedAt(now() - 60);
	if (exp !== null) jwt.setExpirationTime(exp);
	if (nbf !== undefined) jwt.setNotBefore(nbf);
	return jwt.sign(signWith);
}

/** The Worker with Access configured against `stand`; both bearer tokens unset unless given. */
function team(stand: ReturnType<typeof certsStandIn>, overrides: Partial<Cloudflare.Env> = {}) {
	const harness = createHarness(
		{},
		{
			ACCESS_TEAM_DOMAIN: TEAM,
			ACCESS_AUD: AUD,
			ACCESS_EMULATOR: stand.fetcher,
			ADMIN_TOKEN: "",
			DEBUG_TOKEN: "",
			...overrides,
		},
	);
	const get = (path: string, headers: Record<string, string> = {}) =>
		harness.call(path, { headers });
	const asMember = (path: string, jwt: string, headers: Record<string, string> = {}) =>
		get(path, { "cf-access-jwt-assertion": jwt, ...headers });
	return { ...harness, get, asMember };
}

async function expectRefused(res: Response, token: string, reason: RegExp) {
	const text = await res.text();
	expect(res.status, text).toBe(403);
	const { error } = JSON.parse(text) as ErrorJson;
	expect(error.code).toBe("access_denied");
	expect(error.message).toMatch(reason);
	// Never the token, nor any part of it, in the answer.
	for (const part of token.split(".").filter((p) => p.length > 8)) expect(text).not.toContain(part);
}

afterEach(() => {
	vi.useRealTimers();
	vi.restoreAllMocks();
});

describe("Cloudflare Access: who gets in", () => {
	it("lets a valid assertion into the admin API and the debug routes, with no bearer token set", async () => {
		const key = await signingKey("key-1");
		const stand = certsStandIn([key]);
		const { asMember } = team(stand);
		const jwt = await assertion(key);
		for (const path of [
			"/api/admin/stats",
			"/api/admin/health",
			"/api/admin/feedback",
			"/api/dead-letters",
		]) {
			const res = await asMember(path, jwt);
			expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
			expect(res.headers.get("cache-control")).toBe("no-store");
		}
		// From the team's certs URL, once: the keys are kept for the next requests.
		expect(stand.requested).toEqual([`${ISSUER}/cdn-cgi/access/certs`]);
	});

	it("takes aud as Access sends it, a list holding ACCESS_AUD", async () => {
		const key = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]));
		const jwt = await assertion(key, { aud: [AUD] });
		expect((await asMember("/api/admin/health", jwt)).status).toBe(200);
		const others = await assertion(key, { aud: ["0".repeat(64), "1".repeat(64)] });
		await expectRefused(
			await asMember("/api/admin/health", others),
			others,
			/another Access application/,
		);
	});

	it("takes ACCESS_TEAM_DOMAIN with https:// and a trailing slash too", async () => {
		const key = await signingKey("key-1");
		const stand = certsStandIn([key]);
		const { asMember } = team(stand, { ACCESS_TEAM_DOMAIN: `https://${TEAM.toUpperCase()}/` });
		expect((await asMember("/api/admin/health", await assertion(key))).status).toBe(200);
		expect(stand.requested).toEqual([`${ISSUER}/cdn-cgi/access/certs`]);
	});

	it("without an assertion: the bearer token still works when set, and nothing else does", async () => {
		const key = await signingKey("key-1");
		const { get } = team(certsStandIn([key]), { ADMIN_TOKEN: TEST_ADMIN_TOKEN });
		expect(
			(await get("/api/admin/health", { authorization: `Bearer ${TEST_ADMIN_TOKEN}` })).status,
		).toBe(200);
		const wrong = await get("/api/admin/health", {
			authorization: "Bearer not-the-admin-token-0123456789",
		});
		expect(wrong.status).toBe(401);
		expect(((await wrong.json()) as ErrorJson).error.code).toBe("unauthorized");
	});

	it("without an assertion and without a bearer token set: 401 unauthorized, asking to sign in through Access", async () => {
		const { get } = team(certsStandIn([await signingKey("key-1")]));
		for (const path of ["/api/admin/health", "/api/logs/some-log", "/api/dead-letters"]) {
			const res = await get(path, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` });
			expect(res.status, path).toBe(401);
			expect(await res.json()).toEqual({
				error: {
					code: "unauthorized",
					message:
						"Sign in through Cloudflare Access: this request carries no Cf-Access-Jwt-Assertion",
				},
			});
		}
	});

	it("an assertion decides alone: a valid one passes a wrong bearer token, an invalid one is refused despite the right one", async () => {
		const key = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]), { ADMIN_TOKEN: TEST_ADMIN_TOKEN });
		const valid = await asMember("/api/admin/health", await assertion(key), {
			authorization: "Bearer not-the-admin-token-0123456789",
		});
		expect(valid.status).toBe(200);
		const expired = await assertion(key, { exp: now() - 60 });
		await expectRefused(
			await asMember("/api/admin/health", expired, { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }),
			expired,
			/expired/,
		);
	});

	it("ignores assertions while Access is not configured, or half configured: the bearer tokens decide", async () => {
		const key = await signingKey("key-1");
		const jwt = await assertion(key);
		for (const overrides of [
			{ ACCESS_TEAM_DOMAIN: "", ACCESS_AUD: "" },
			{ ACCESS_AUD: "" },
			{ ACCESS_TEAM_DOMAIN: "" },
			{ ACCESS_TEAM_DOMAIN: "not a host" },
		]) {
			const stand = certsStandIn([key]);
			vi.spyOn(console, "error").mockImplementation(() => {});
			const withToken = team(stand, { ADMIN_TOKEN: TEST_ADMIN_TOKEN, ...overrides });
			expect(
				(await withToken.asMember("/api/admin/health", jwt)).status,
				JSON.stringify(overrides),
			).toBe(401);
			const withoutToken = team(stand, overrides);
			expect((await withoutToken.asMember("/api/admin/health", jwt)).status).toBe(404);
			expect(stand.requested).toEqual([]);
		}
	});
});

describe("Cloudflare Access: every refusal is 403 access_denied, saying why", () => {
	it.each([
		["a wrong audience", { aud: "0".repeat(64) }, /another Access application/],
		[
			"a wrong issuer",
			{ iss: "https://other-team.cloudflareaccess.com" },
			/not issued by ACCESS_TEAM_DOMAIN/,
		],
		["an expired token", { exp: now() - 60 }, /expired/],
		["a token without expiry", { exp: null }, /no expiry/],
		["a token not valid yet", { nbf: now() + 600 }, /not valid yet/],
		["an unknown kid", { kid: "never-published" }, /key the team does not publish/],
	] as const)("refuses %s", async (_name, options, reason) => {
		const key = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]));
		// Times are taken when the test runs, not when the table was built.
		const fresh = { ...options } as Parameters<typeof assertion>[1] & object;
		if ("exp" in options && options.exp !== null) fresh.exp = now() - 60;
		if ("nbf" in options) fresh.nbf = now() + 600;
		const jwt = await assertion(key, fresh);
		for (const path of ["/api/admin/health", "/api/dead-letters"])
			await expectRefused(await asMember(path, jwt), jwt, reason);
	});

	it("refuses a forged signature: signed by another key under the team's kid", async () => {
		const key = await signingKey("key-1");
		const forger = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]));
		const jwt = await assertion(key, { signWith: forger.privateKey });
		await expectRefused(await asMember("/api/admin/health", jwt), jwt, /bad signature/);
		// The payload changed after signing: the same.
		const [header, , signature] = (await assertion(key)).split(".");
		const payload = btoa(
			JSON.stringify({ email: "mallory@example.com", iss: ISSUER, aud: AUD, exp: now() + 300 }),
		)
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "");
		const tampered = `${header}.${payload}.${signature}`;
		await expectRefused(await asMember("/api/admin/health", tampered), tampered, /bad signature/);
	});

	it("refuses alg none, with or without the team's kid", async () => {
		const { asMember } = team(certsStandIn([await signingKey("key-1")]));
		const jwt = new UnsecuredJWT({ email: EMAIL })
			.setIssuer(ISSUER)
			.setAudience(AUD)
			.setExpirationTime(now() + 300)
			.encode();
		await expectRefused(await asMember("/api/admin/health", jwt), `${jwt}x`, /not a signed JWT/);
		const [, payload] = jwt.split(".");
		const withKid = `${segment({ alg: "none", kid: "key-1" })}.${payload}.`;
		await expectRefused(
			await asMember("/api/admin/health", withKid),
			`${withKid}x`,
			/not a signed JWT/,
		);
	});

	it("takes RS256 alone, even from a key published without an alg: RS384 and PS256 made with the team's key are refused", async () => {
		const { privateKey, publicKey } = await generateKeyPair("RS256", { extractable: true });
		const privateJwk = await exportJWK(privateKey);
		const stand = certsStandIn([]);
		stand.served = [{ ...(await exportJWK(publicKey)), kid: "no-alg" }];
		const { asMember } = team(stand);
		const signed = async (alg: string) =>
			new SignJWT({ email: EMAIL })
				.setProtectedHeader({ alg, kid: "no-alg" })
				.setIssuer(ISSUER)
				.setAudience(AUD)
				.setExpirationTime(now() + 300)
				.sign(await importJWK(privateJwk, alg));
		// The key itself is good: as RS256 it lets the request in.
		expect((await asMember("/api/admin/health", await signed("RS256"))).status).toBe(200);
		for (const alg of ["RS384", "PS256"]) {
			const jwt = await signed(alg);
			await expectRefused(await asMember("/api/admin/health", jwt), jwt, /not signed with RS256/);
		}
	});

	it("refuses HS256 signed with the team's public key as the HMAC secret", async () => {
		const key = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]));
		const secret = new TextEncoder().encode(await exportSPKI(key.publicKey));
		const jwt = await new SignJWT({ email: EMAIL })
			.setProtectedHeader({ alg: "HS256", kid: key.kid })
			.setIssuer(ISSUER)
			.setAudience(AUD)
			.setExpirationTime(now() + 300)
			.sign(secret);
		await expectRefused(await asMember("/api/admin/health", jwt), jwt, /not signed with RS256/);
	});

	it("refuses a token signed by an RSA key shorter than 2048 bits, even one the team publishes", async () => {
		const pair = (await crypto.subtle.generateKey(
			{
				name: "RSASSA-PKCS1-v1_5",
				modulusLength: 1024,
				publicExponent: new Uint8Array([1, 0, 1]),
				hash: "SHA-256",
			},
			true,
			["sign", "verify"],
		)) as CryptoKeyPair;
		const jwk = {
			...((await crypto.subtle.exportKey("jwk", pair.publicKey)) as JWK),
			kid: "short",
			alg: "RS256",
		};
		const stand = certsStandIn([]);
		stand.served = [jwk];
		const { asMember } = team(stand);
		const signed = `${segment({ alg: "RS256", kid: "short" })}.${segment({ email: EMAIL, iss: ISSUER, aud: AUD, exp: now() + 300 })}`;
		const signature = await crypto.subtle.sign(
			"RSASSA-PKCS1-v1_5",
			pair.privateKey,
			new TextEncoder().encode(signed),
		);
		const jwt = `${signed}.${btoa(String.fromCharCode(...new Uint8Array(signature)))
			.replaceAll("+", "-")
			.replaceAll("/", "_")
			.replace(/=+$/, "")}`;
		await expectRefused(
			await asMember("/api/admin/health", jwt),
			jwt,
			/key the team does not publish/,
		);
	});

	it("refuses what is not a JWT", async () => {
		const { asMember } = team(certsStandIn([await signingKey("key-1")]));
		for (const jwt of ["", "not-a-jwt", "a.b.c"]) {
			const res = await asMember("/api/admin/health", jwt);
			expect(res.status, jwt).toBe(403);
			expect(await res.json()).toEqual({
				error: {
					code: "access_denied",
					message: "Cf-Access-Jwt-Assertion: not a signed JWT",
				},
			});
		}
	});

	it("answers 503 upstream_unavailable, not a refusal, when the team's keys cannot be fetched", async () => {
		const key = await signingKey("key-1");
		const stand = certsStandIn([key]);
		stand.status = 500;
		const { asMember } = team(stand);
		const res = await asMember("/api/admin/health", await assertion(key));
		expect(res.status).toBe(503);
		expect(res.headers.get("retry-after")).toBe("30");
		expect(((await res.json()) as ErrorJson).error.code).toBe("upstream_unavailable");
		// Once the keys are served again, the same request passes.
		stand.status = 200;
		expect((await asMember("/api/admin/health", await assertion(key))).status).toBe(200);
	});
});

describe("Cloudflare Access: the team's keys", () => {
	it("are kept, fetched again when a new kid appears, and a removed key no longer verifies", async () => {
		vi.useFakeTimers({ toFake: ["Date"] });
		const old = await signingKey("key-old");
		const next = await signingKey("key-new");
		const stand = certsStandIn([old]);
		const { asMember } = team(stand);
		expect((await asMember("/api/admin/health", await assertion(old))).status).toBe(200);
		expect((await asMember("/api/admin/health", await assertion(old))).status).toBe(200);
		expect(stand.requested).toHaveLength(1);
		// Access rotates: the new key is published and the old one removed.
		stand.served = [next.jwk];
		// An unknown kid fetches the keys again, at most once in 30 seconds.
		vi.setSystemTime(Date.now() + 31_000);
		expect((await asMember("/api/admin/health", await assertion(next))).status).toBe(200);
		expect(stand.requested).toHaveLength(2);
		const stale = await assertion(old);
		await expectRefused(
			await asMember("/api/admin/health", stale),
			stale,
			/key the team does not publish/,
		);
		// Made-up kids within those 30 seconds do not make the Worker fetch again.
		for (const kid of ["made-up-1", "made-up-2"]) {
			const jwt = await assertion(next, { kid });
			await expectRefused(
				await asMember("/api/admin/health", jwt),
				jwt,
				/key the team does not publish/,
			);
		}
		expect(stand.requested).toHaveLength(2);
	});
});

describe("Cloudflare Access: who read what", () => {
	it("logs the person's email for each read, export and replay of the admin API and the debug routes", async () => {
		const key = await signingKey("key-1");
		const { asMember, call, ask } = team(certsStandIn([key]));
		const answer = (await (await ask("Who reads this?")).json()) as { aiGatewayLogId: string };
		const jwt = await assertion(key);
		const lines: Record<string, unknown>[] = [];
		vi.spyOn(console, "log").mockImplementation((line: unknown) => {
			if (typeof line === "string" && line.startsWith("{")) lines.push(JSON.parse(line));
		});
		const reads = [
			"/api/admin/feedback",
			"/api/admin/feedback/export",
			"/api/admin/stats",
			"/api/admin/health",
			`/api/logs/${answer.aiGatewayLogId}`,
			"/api/dead-letters",
			"/api/dead-letters/answers",
		];
		for (const path of reads) {
			const res = await asMember(path, jwt);
			await res.arrayBuffer();
		}
		for (const path of ["/api/dead-letters/replay", "/api/dead-letters/answers/replay"]) {
			const res = await call(path, {
				method: "POST",
				headers: { "cf-access-jwt-assertion": jwt, "content-type": "application/json" },
				body: JSON.stringify({ aiGatewayLogIds: [] }),
			});
			expect(res.status, await res.clone().text()).toBe(200);
		}
		const used = lines.filter((line) => line.message === "team route used");
		expect(used.map((line) => line.path)).toEqual([
			...reads,
			"/api/dead-letters/replay",
			"/api/dead-letters/answers/replay",
		]);
		for (const line of used) {
			expect(line).toMatchObject({ via: "access", email: EMAIL });
			expect(JSON.stringify(line)).not.toContain(jwt.split(".")[2]);
		}
		expect(used.find((line) => line.path === "/api/admin/stats")).toMatchObject({
			surface: "admin",
			method: "GET",
			status: 200,
		});
	});

	it("logs a bearer token's use without the token", async () => {
		const { get } = createHarnessWithTokens();
		const lines: string[] = [];
		vi.spyOn(console, "log").mockImplementation((line: unknown) => void lines.push(String(line)));
		expect(
			(await get("/api/dead-letters", { authorization: `Bearer ${TEST_DEBUG_TOKEN}` })).status,
		).toBe(200);
		const used = lines.filter((line) => line.includes("team route used"));
		expect(used).toHaveLength(1);
		expect(JSON.parse(used[0] ?? "")).toMatchObject({
			surface: "debug",
			path: "/api/dead-letters",
			via: "token",
		});
		expect(used[0]).not.toContain(TEST_DEBUG_TOKEN);
	});
});

function createHarnessWithTokens() {
	const harness = createHarness();
	return {
		get: (path: string, headers: Record<string, string>) => harness.call(path, { headers }),
	};
}

describe("Cloudflare Access: the signal /insights opens with", () => {
	it("GET /api/admin/access says whether a request came through Access, always 200, checking and reading nothing", async () => {
		const stand = certsStandIn([await signingKey("key-1")]);
		const { get, asMember } = team(stand);
		const through = await asMember("/api/admin/access", "whatever Access sent");
		expect(through.status).toBe(200);
		expect(through.headers.get("cache-control")).toBe("no-store");
		expect(await through.json()).toEqual({ throughAccess: true });
		expect(await (await get("/api/admin/access")).json()).toEqual({ throughAccess: false });
		// The guard did not run: no keys fetched, nothing logged as a team read.
		expect(stand.requested).toEqual([]);
		// Access not configured (and no token set either): an assertion says nothing, still 200.
		for (const overrides of [
			{ ACCESS_TEAM_DOMAIN: "", ACCESS_AUD: "" },
			{ ADMIN_TOKEN: TEST_ADMIN_TOKEN, ACCESS_AUD: "" },
		]) {
			vi.spyOn(console, "error").mockImplementation(() => {});
			const off = team(stand, overrides);
			const res = await off.asMember("/api/admin/access", "forged");
			expect(res.status, JSON.stringify(overrides)).toBe(200);
			expect(await res.json()).toEqual({ throughAccess: false });
		}
	});
});

describe("Cloudflare Access: list cursors", () => {
	it("are signed with a key from ACCESS_AUD when no ADMIN_TOKEN is set: its pages walk on, a cursor signed with no secret is refused", async () => {
		const key = await signingKey("key-1");
		const { asMember } = team(certsStandIn([key]));
		const jwt = await assertion(key);
		const model = testModel();
		const start = Date.now() - DAY_MS;
		await seed(
			[0, 1, 2].map((i) => ({
				id: `${model.slice(6)}-${i}`,
				model,
				createdAt: start + i * 1000,
				vote: "up" as const,
			})),
		);
		const list = (cursor?: string) =>
			asMember(
				`/api/admin/feedback?${new URLSearchParams({ model, limit: "1", ...(cursor && { cursor }) })}`,
				jwt,
			);
		const first = (await (await list()).json()) as {
			items: { aiGatewayLogId: string; createdAt: string }[];
			nextCursor: string;
		};
		expect(first.nextCursor).toBeTruthy();
		const second = await list(first.nextCursor);
		expect(second.status, await second.clone().text()).toBe(200);
		const last = first.items[0];
		const unsigned = await encodeCursor(
			{ createdAt: Date.parse(last?.createdAt ?? ""), aiGatewayLogId: last?.aiGatewayLogId ?? "" },
			{ model },
			null,
			await cursorKey(""),
		);
		const refused = await list(unsigned);
		expect(refused.status).toBe(400);
		expect(((await refused.json()) as ErrorJson).error.code).toBe("invalid_cursor");
	});
});

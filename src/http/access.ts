/**
 * Cloudflare Access assertions: the `Cf-Access-Jwt-Assertion` header Access adds to each
 * request it lets through (developers.cloudflare.com, "Validate JWTs"). Only src/http/auth.ts
 * loads this module, on the first request that carries one: nothing of it runs at start-up.
 *
 * Checked with WebCrypto rather than jose: jose's verifier alone is about 5 KiB gzipped, more
 * than the Worker's bundle budget has left. The tests sign their tokens with jose.
 */
import * as v from "valibot";
import type { AccessConfig } from "../core/config";
import { ApiError } from "../core/errors";

/** Who signed in through Access: a person's email, or a service token's client id. */
export interface AccessIdentity {
	email: string | null;
	serviceToken: string | null;
}

/** The team's keys are fetched again after this long (as jose's `cacheMaxAge`)... */
const KEYS_MAX_AGE_MS = 10 * 60_000;
/** ...or when a token names a kid they lack, but not twice within this (jose's `cooldownDuration`). */
const KEYS_REFETCH_COOLDOWN_MS = 30_000;
const KEYS_FETCH_TIMEOUT_MS = 5_000;
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** One RS256 signing key of the team's certs (`keys`, JWK); other entries are skipped. */
const SigningJwk = v.object({
	kty: v.literal("RSA"),
	kid: v.string(),
	n: v.string(),
	e: v.string(),
	alg: v.optional(v.literal("RS256")),
	use: v.optional(v.literal("sig")),
});
const Certs = v.object({ keys: v.array(v.unknown()) });

interface KeySet {
	keys: Map<string, CryptoKey>;
	fetchedAt: number;
}

/**
 * The team's keys per certs URL and per way of fetching them, kept for the isolate's life.
 * `certs` is the dev-only ACCESS_EMULATOR binding (tests and offline development;
 * wrangler.jsonc never declares it): then the keys come from it, not the network.
 */
const keySets = new WeakMap<object, Map<string, KeySet>>();
const NETWORK = {};

class KeysUnavailable extends Error {}

async function fetchKeys(url: string, certs: Fetcher | undefined): Promise<KeySet> {
	const fetchedAt = Date.now();
	const init: RequestInit = {
		headers: { accept: "application/json" },
		redirect: "manual",
		signal: AbortSignal.timeout(KEYS_FETCH_TIMEOUT_MS),
	};
	let body: unknown;
	try {
		const res = await (certs ? certs.fetch(url, init) : fetch(url, init));
		if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
		body = await res.json();
	} catch (err) {
		throw new KeysUnavailable("Access keys unavailable", { cause: err });
	}
	if (!v.is(Certs, body)) throw new KeysUnavailable("Access keys: not a key set");
	const keys = new Map<string, CryptoKey>();
	for (const jwk of body.keys) {
		if (!v.is(SigningJwk, jwk)) continue;
		const key = await crypto.subtle
			.importKey("jwk", { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256" }, RS256, false, ["verify"])
			.catch(() => null);
		// Shorter RSA keys are too weak to trust (as jose, which wants 2048 bits).
		const bits = (key?.algorithm as { modulusLength?: number } | undefined)?.modulusLength ?? 0;
		if (key && bits >= 2048) keys.set(jwk.kid, key);
	}
	return { keys, fetchedAt };
}

/** The key named `kid`: from the kept set, fetched again when it is old or lacks the kid. */
async function signingKey(
	kid: string,
	access: AccessConfig,
	certs: Fetcher | undefined,
): Promise<CryptoKey | undefined> {
	const owner = certs ?? NETWORK;
	let sets = keySets.get(owner);
	if (!sets) {
		sets = new Map();
		keySets.set(owner, sets);
	}
	const age = (set: KeySet | undefined) =>
		set ? Date.now() - set.fetchedAt : Number.POSITIVE_INFINITY;
	let set = sets.get(access.certsUrl);
	if (!set || age(set) >= KEYS_MAX_AGE_MS) {
		set = await fetchKeys(access.certsUrl, certs);
		sets.set(access.certsUrl, set);
	}
	if (!set.keys.has(kid) && age(set) >= KEYS_REFETCH_COOLDOWN_MS) {
		set = await fetchKeys(access.certsUrl, certs);
		sets.set(access.certsUrl, set);
	}
	return set.keys.get(kid);
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** The bytes of a base64url segment, or null when it is not one. */
function base64urlBytes(text: string): Uint8Array<ArrayBuffer> | null {
	if (!BASE64URL.test(text)) return null;
	try {
		const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
		return Uint8Array.from(binary, (char) => char.charCodeAt(0));
	} catch {
		return null; // A length no base64 has.
	}
}

/** A JSON object from a base64url segment, or null. */
function jsonSegment(text: string): Record<string, unknown> | null {
	const bytes = base64urlBytes(text);
	if (!bytes) return null;
	try {
		const value: unknown = JSON.parse(
			new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes),
		);
		return typeof value === "object" && value !== null && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: null;
	} catch {
		return null;
	}
}

/** A 403 access_denied saying why, never quoting the token. */
const denied = (why: string) =>
	new ApiError(403, "access_denied", `Cf-Access-Jwt-Assertion: ${why}`);

/**
 * The identity of a valid assertion. It must be a JWS signed with RS256 (the only algorithm
 * taken: not `none`, not HS256) by a key the team publishes at its certs URL, and carry this
 * application's audience, the team's issuer, an expiry not yet reached and, if it has one, a
 * not-before already reached. Anything else is 403 access_denied; keys that cannot be
 * fetched are 503 upstream_unavailable.
 */
export async function verifyAccessAssertion(
	assertion: string,
	access: AccessConfig,
	certs: Fetcher | undefined,
): Promise<AccessIdentity> {
	const parts = assertion.split(".");
	const [head = "", body = "", signature = ""] = parts;
	const header = parts.length === 3 ? jsonSegment(head) : null;
	// `crit` names extensions a verifier must understand: none is understood here.
	if (!header || "crit" in header) throw denied("not a signed JWT");
	if (header.alg !== "RS256") throw denied("not signed with RS256");
	const signatureBytes = base64urlBytes(signature);
	if (!signatureBytes || !BASE64URL.test(body)) throw denied("not a signed JWT");
	let key: CryptoKey | undefined;
	try {
		key = typeof header.kid === "string" ? await signingKey(header.kid, access, certs) : undefined;
	} catch (err) {
		if (!(err instanceof KeysUnavailable)) throw err;
		throw new ApiError(
			503,
			"upstream_unavailable",
			"Could not fetch Cloudflare Access's signing keys; try again shortly",
			{ cause: err, headers: { "Retry-After": "30" } },
		);
	}
	if (!key) throw denied("signed with a key the team does not publish");
	const signed = new TextEncoder().encode(`${head}.${body}`);
	if (!(await crypto.subtle.verify(RS256, key, signatureBytes, signed))) {
		throw denied("bad signature");
	}
	const claims = jsonSegment(body);
	if (!claims) throw denied("not a signed JWT");
	const now = Date.now() / 1000;
	const { iss, aud, exp, nbf, email, common_name } = claims;
	if (iss !== access.issuer) throw denied("not issued by ACCESS_TEAM_DOMAIN");
	if (!(aud === access.audience || (Array.isArray(aud) && aud.includes(access.audience)))) {
		throw denied("for another Access application (aud is not ACCESS_AUD)");
	}
	if (typeof exp !== "number" || !Number.isFinite(exp)) throw denied("no expiry");
	if (exp <= now) throw denied("expired: sign in again");
	if (nbf !== undefined && (typeof nbf !== "number" || !(nbf <= now))) {
		throw denied("not valid yet");
	}
	return {
		email: typeof email === "string" && email ? email : null,
		serviceToken: typeof common_name === "string" && common_name ? common_name : null,
	};
}

/**
 * Cloudflare Access assertions: the `Cf-Access-Jwt-Assertion` header Access adds to each
 * request it lets through (developers.cloudflare.com, "Validate JWTs"), checked by
 * src/http/auth.ts.
 *
 * One algorithm, RS256, so the signature is checked by Web Crypto itself (RSASSA-PKCS1-v1_5
 * with SHA-256, the team's key imported as the JWK it publishes); this module reads the
 * token's parts (with Hono's base64url decoder) and checks its claims: iss, aud, exp, nbf and
 * iat, the five an Access assertion is judged by. (Hono's JWT verifier, which wraps the same
 * Web Crypto calls for every algorithm, cost 1.7 KiB gzipped more; jose's about 5 KiB.) It
 * also keeps the team's keys: fetched, kept, and fetched again when a token names a kid they
 * lack; it picks the one the assertion names.
 */
import { decodeBase64Url } from "hono/utils/encode";
import * as v from "valibot";
import type { AccessConfig } from "../core/config";
import { ApiError } from "../core/errors";
import { once } from "../core/once";

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

/**
 * One RS256 signing key of the team's certs (`keys`, JWK); other entries are skipped, and
 * only these fields reach the verifier. A modulus under 342 base64url characters is under
 * 2048 bits: too weak to trust (jose refuses them too).
 */
const schemas = once(() => {
	const SigningJwk = v.object({
		kty: v.literal("RSA"),
		kid: v.string(),
		n: v.pipe(v.string(), v.minLength(342)),
		e: v.string(),
		alg: v.optional(v.literal("RS256")),
	});
	const Certs = v.object({ keys: v.array(v.unknown()) });
	return { SigningJwk, Certs };
});
type SigningJwk = v.InferOutput<ReturnType<typeof schemas>["SigningJwk"]>;

interface KeySet {
	keys: Map<string, SigningJwk>;
	fetchedAt: number;
}

/**
 * The team's keys per certs URL and per way of fetching them, kept for the isolate's life.
 * `certs` is the dev-only ACCESS_EMULATOR binding (tests and offline development;
 * wrangler.jsonc never declares it): then the keys come from it, not the network.
 */
const keySets = new WeakMap<object, Map<string, KeySet>>();
const NETWORK = {};

/** Keys that cannot be fetched: 503, not a refusal (the assertion may well be valid). */
const keysUnavailable = (cause: unknown) =>
	new ApiError(
		503,
		"upstream_unavailable",
		"Could not fetch Cloudflare Access's signing keys; try again shortly",
		{ cause, headers: { "Retry-After": "30" } },
	);

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
		throw keysUnavailable(err);
	}
	const { SigningJwk, Certs } = schemas();
	if (!v.is(Certs, body)) throw keysUnavailable(new Error("not a key set"));
	const keys = new Map<string, SigningJwk>();
	for (const entry of body.keys) {
		const jwk = v.safeParse(SigningJwk, entry);
		if (jwk.success) keys.set(jwk.output.kid, jwk.output);
	}
	return { keys, fetchedAt };
}

/** The team's keys: the kept set, fetched again when it is old or lacks `kid`. */
async function teamKeys(
	kid: unknown,
	access: AccessConfig,
	certs: Fetcher | undefined,
): Promise<KeySet> {
	const owner = certs ?? NETWORK;
	let sets = keySets.get(owner);
	if (!sets) {
		sets = new Map();
		keySets.set(owner, sets);
	}
	let set = sets.get(access.certsUrl);
	const age = set ? Date.now() - set.fetchedAt : 0;
	if (
		!set ||
		age >= KEYS_MAX_AGE_MS ||
		(typeof kid === "string" && !set.keys.has(kid) && age >= KEYS_REFETCH_COOLDOWN_MS)
	) {
		set = await fetchKeys(access.certsUrl, certs);
		sets.set(access.certsUrl, set);
	}
	return set;
}

/** RS256, the one algorithm Access signs with, as Web Crypto names it. */
const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

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
	let header: Record<string, unknown>;
	let claims: Record<string, unknown>;
	try {
		// Three parts, the last a signature: an unsigned token (alg none) has an empty one.
		if (parts.length !== 3 || !parts[2]) throw new Error("not a JWS");
		[header, claims] = parts.slice(0, 2).map((part) => {
			const json: unknown = JSON.parse(new TextDecoder().decode(decodeBase64Url(part)));
			if (typeof json !== "object" || json === null) throw new Error("not an object");
			return json as Record<string, unknown>;
		}) as [Record<string, unknown>, Record<string, unknown>];
	} catch {
		throw denied("not a signed JWT");
	}
	const { kid } = header;
	const { keys } = await teamKeys(kid, access, certs);
	// Access names the signing key in every assertion it makes.
	if (typeof kid !== "string") throw denied("not a signed JWT");
	// The algorithm is pinned: a header naming any other (none, HS256) is refused.
	if (header.alg !== "RS256") throw denied("not signed with RS256");
	const key = keys.get(kid);
	if (!key) throw denied("signed with a key the team does not publish");
	let signed = false;
	try {
		signed = await crypto.subtle.verify(
			RS256.name,
			await crypto.subtle.importKey("jwk", key, RS256, false, ["verify"]),
			decodeBase64Url(parts[2] ?? ""),
			new TextEncoder().encode(`${parts[0]}.${parts[1]}`),
		);
	} catch {
		// A signature that is not base64url, or a key WebCrypto refuses: not a valid assertion.
	}
	if (!signed) throw denied("bad signature");
	const now = Date.now() / 1000;
	const { iss, aud, exp, nbf, iat } = claims;
	if (iss !== access.issuer) throw denied("not issued by ACCESS_TEAM_DOMAIN");
	if (!(Array.isArray(aud) ? aud : [aud]).includes(access.audience))
		throw denied("for another Access application (aud is not ACCESS_AUD)");
	// Access always sets an expiry.
	if (typeof exp !== "number") throw denied("no expiry");
	if (exp <= now) throw denied("expired: sign in again");
	if ((typeof nbf === "number" && nbf > now) || (typeof iat === "number" && iat > now))
		throw denied("not valid yet");
	const { email, common_name } = claims;
	return {
		email: typeof email === "string" && email ? email : null,
		serviceToken: typeof common_name === "string" && common_name ? common_name : null,
	};
}

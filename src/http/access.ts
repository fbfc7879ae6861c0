/**
 * Cloudflare Access assertions: the `Cf-Access-Jwt-Assertion` header Access adds to each
 * request it lets through (developers.cloudflare.com, "Validate JWTs"), checked by
 * src/http/auth.ts.
 *
 * The JOSE work (header, algorithm, signature, iss, aud, exp, nbf) is Hono's own JWT
 * verifier, `verify`, told to take RS256 alone (jose's verifier alone would cost about 5 KiB
 * gzipped). This module keeps the team's keys: fetched, kept, and fetched again when a token
 * names a kid they lack; it picks the one the assertion names.
 */
import { decode, verify } from "hono/utils/jwt/jwt";
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

/**
 * Why Hono's verifier refused a token, by its error's name (its messages quote the token, so
 * they are never passed on).
 */
const REFUSALS: Record<string, string> = {
	JwtAlgorithmMismatch: "not signed with RS256",
	JwtTokenSignatureMismatched: "bad signature",
	JwtTokenIssuer: "not issued by ACCESS_TEAM_DOMAIN",
	JwtTokenAudience: "for another Access application (aud is not ACCESS_AUD)",
	JwtPayloadRequiresAud: "for another Access application (aud is not ACCESS_AUD)",
	JwtTokenExpired: "expired: sign in again",
	JwtTokenNotBefore: "not valid yet",
	JwtTokenIssuedAt: "not valid yet",
};

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
	let kid: unknown;
	try {
		// decode, which verify uses too, rather than a second decoder for the header alone.
		kid = (decode(assertion).header as { kid?: unknown } | null)?.kid;
	} catch {
		throw denied("not a signed JWT");
	}
	const { keys } = await teamKeys(kid, access, certs);
	// Access names the signing key in every assertion it makes.
	if (typeof kid !== "string") throw denied("not a signed JWT");
	const key = keys.get(kid);
	if (!key) throw denied("signed with a key the team does not publish");
	let claims: Record<string, unknown>;
	try {
		// `alg` pins the algorithm: a header naming any other (none, HS256) is refused.
		claims = await verify(assertion, key, {
			alg: "RS256",
			iss: access.issuer,
			aud: access.audience,
		});
	} catch (err) {
		throw denied(REFUSALS[err instanceof Error ? err.name : ""] ?? "not a signed JWT");
	}
	// Hono checks `exp` only when a token has one; Access always sets it.
	if (typeof claims.exp !== "number") throw denied("no expiry");
	const { email, common_name } = claims;
	return {
		email: typeof email === "string" && email ? email : null,
		serviceToken: typeof common_name === "string" && common_name ? common_name : null,
	};
}

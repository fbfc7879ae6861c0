/**
 * Signed tokens, the one signing primitive of the Worker: `<kind>.<kid>.<expires>.<signature>`,
 * where the signature is HMAC-SHA-256 over the kind, the key id, the expiry (Unix seconds) and
 * the subject the token is bound to. The kind keeps tokens of one use from passing for another
 * (a feedback token is no Turnstile pass); the key id names the secret that signed it, so a
 * rotated-out secret can still verify the tokens it issued until they expire.
 */

import { decodeBase64Url, encodeBase64Url } from "hono/utils/encode";

const encoder = new TextEncoder();

interface SigningKey {
	kid: string;
	key: CryptoKey;
}

// Importing a key costs a digest and an import: do it once per secret per isolate.
const keyCache = new Map<string, Promise<SigningKey>>();

function signingKey(secret: string): Promise<SigningKey> {
	let key = keyCache.get(secret);
	if (!key) {
		key = (async () => {
			const raw = encoder.encode(secret);
			const digest = await crypto.subtle.digest("SHA-256", encoder.encode(`kid:${secret}`));
			const cryptoKey = await crypto.subtle.importKey(
				"raw",
				raw,
				{ name: "HMAC", hash: "SHA-256" },
				false,
				["sign", "verify"],
			);
			return { kid: toBase64Url(digest).slice(0, 8), key: cryptoKey };
		})();
		keyCache.set(secret, key);
	}
	return key;
}

function signedPayload(kind: string, subject: string, kid: string, expires: number): Uint8Array {
	return encoder.encode(`${kind}\n${kid}\n${expires}\n${subject}`);
}

/** A token of `kind` for `subject`, signed with `secret`, valid until `expires` (Unix seconds). */
export async function signToken(
	kind: string,
	subject: string,
	secret: string,
	expires: number,
): Promise<string> {
	const { kid, key } = await signingKey(secret);
	const signature = await crypto.subtle.sign(
		"HMAC",
		key,
		signedPayload(kind, subject, kid, expires),
	);
	return `${kind}.${kid}.${expires}.${toBase64Url(signature)}`;
}

/** What a token is worth: signed for this subject and in date, signed but past its expiry, or neither. */
export type TokenCheck = "valid" | "expired" | "invalid";

/**
 * Whether `token` is a token of `kind` signed by one of `secrets` for `subject`, and in date at
 * `now` (Unix seconds). The signature is checked before the expiry, so only a genuine token is
 * ever called expired. HMAC verification by Web Crypto compares in constant time.
 */
export async function checkToken(
	token: string,
	kind: string,
	subject: string,
	secrets: readonly string[],
	now: number,
): Promise<TokenCheck> {
	const parts = token.split(".");
	if (parts.length !== 4) return "invalid";
	const [tokenKind, kid, expiresText, signatureText] = parts as [string, string, string, string];
	// One accepted spelling per token: no leading zeros, no unused base64url bits.
	if (tokenKind !== kind || !/^[1-9]\d{0,11}$/.test(expiresText)) return "invalid";
	const expires = Number(expiresText);
	const signature = fromBase64Url(signatureText);
	if (!signature || toBase64Url(signature.buffer) !== signatureText) return "invalid";
	for (const secret of secrets) {
		const key = await signingKey(secret);
		if (key.kid !== kid) continue;
		const signed = await crypto.subtle.verify(
			"HMAC",
			key.key,
			signature,
			signedPayload(kind, subject, kid, expires),
		);
		if (!signed) return "invalid";
		return expires <= now ? "expired" : "valid";
	}
	return "invalid";
}

export function unixNow(): number {
	return Math.floor(Date.now() / 1000);
}

/** Base64url without padding (Hono's encoder pads). */
export const toBase64Url = (bytes: ArrayBufferLike): string =>
	encodeBase64Url(bytes).replace(/=+$/, "");

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
	if (!/^[A-Za-z0-9_-]{1,128}$/.test(text)) return null;
	try {
		return decodeBase64Url(text);
	} catch {
		return null;
	}
}

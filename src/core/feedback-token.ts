import type { Config } from "./config";

/**
 * Feedback tokens: proof that the holder received the answer logged under a
 * log id. Format `v1.<kid>.<expires>.<signature>`, where the signature is
 * HMAC-SHA-256 over the log id, the key id and the expiry (Unix seconds).
 * The key id names the secret that signed it, so a rotated-out secret can
 * still verify the tokens it issued until they expire.
 */

const VERSION = "v1";
export const DEFAULT_TOKEN_TTL_SECONDS = 7 * 24 * 60 * 60;

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
			return { kid: toBase64Url(new Uint8Array(digest)).slice(0, 8), key: cryptoKey };
		})();
		keyCache.set(secret, key);
	}
	return key;
}

function signedPayload(aiGatewayLogId: string, kid: string, expires: number): Uint8Array {
	return encoder.encode(`${VERSION}\n${kid}\n${expires}\n${aiGatewayLogId}`);
}

export interface TokenOptions {
	/** Unix time in seconds; defaults to now. */
	now?: number;
	ttlSeconds?: number;
}

export async function signFeedbackToken(
	aiGatewayLogId: string,
	secret: string,
	{ now = unixNow(), ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS }: TokenOptions = {},
): Promise<string> {
	const { kid, key } = await signingKey(secret);
	const expires = now + ttlSeconds;
	const signature = await crypto.subtle.sign(
		"HMAC",
		key,
		signedPayload(aiGatewayLogId, kid, expires),
	);
	return `${VERSION}.${kid}.${expires}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * True when `token` was signed by one of `secrets` for `aiGatewayLogId` and has not
 * expired. HMAC verification by Web Crypto compares in constant time.
 */
export async function verifyFeedbackToken(
	token: string,
	aiGatewayLogId: string,
	secrets: readonly string[],
	now = unixNow(),
): Promise<boolean> {
	const parts = token.split(".");
	if (parts.length !== 4) return false;
	const [version, kid, expiresText, signatureText] = parts as [string, string, string, string];
	// One accepted spelling per token: no leading zeros, no unused base64url bits.
	if (version !== VERSION || !/^[1-9]\d{0,11}$/.test(expiresText)) return false;
	const expires = Number(expiresText);
	if (expires <= now) return false;
	const signature = fromBase64Url(signatureText);
	if (!signature || toBase64Url(signature) !== signatureText) return false;
	for (const secret of secrets) {
		const key = await signingKey(secret);
		if (key.kid !== kid) continue;
		return crypto.subtle.verify(
			"HMAC",
			key.key,
			signature,
			signedPayload(aiGatewayLogId, kid, expires),
		);
	}
	return false;
}

/** A token for the answer logged as `aiGatewayLogId`, or null when feedback is not configured. */
export async function issueFeedbackToken(
	config: Config,
	aiGatewayLogId: string | null,
): Promise<string | null> {
	const [secret] = config.feedbackSecrets;
	// Without a log kept by the gateway (collectLog off) there is nothing to put a vote on.
	if (!aiGatewayLogId || !secret || !config.collectLog) return null;
	return signFeedbackToken(aiGatewayLogId, secret);
}

function unixNow(): number {
	return Math.floor(Date.now() / 1000);
}

function toBase64Url(bytes: Uint8Array): string {
	let binary = "";
	for (const byte of bytes) binary += String.fromCharCode(byte);
	return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | null {
	if (!/^[A-Za-z0-9_-]{1,128}$/.test(text)) return null;
	let binary: string;
	try {
		binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
	} catch {
		return null;
	}
	const bytes = new Uint8Array(binary.length);
	for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
	return bytes;
}

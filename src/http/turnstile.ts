import { createMiddleware } from "hono/factory";
import * as v from "valibot";
import { describeError, log } from "../core/log";
import {
	checkTurnstilePass,
	isTestSecret,
	refusalOf,
	SITEVERIFY_URL,
	signTurnstilePass,
	TURNSTILE_ACTION,
	TURNSTILE_PASS_HEADER,
	TURNSTILE_TOKEN_HEADER,
	TURNSTILE_TOKEN_MAX_CHARS,
	turnstileRefusal,
	turnstileUnavailable,
} from "../core/turnstile";
import type { AppEnv } from "./app-env";

/** Siteverify's answer, as far as the Worker reads it. */
const SiteverifyAnswer = v.object({
	success: v.boolean(),
	"error-codes": v.optional(v.array(v.string()), []),
	hostname: v.optional(v.string()),
	action: v.optional(v.string()),
});
type SiteverifyAnswer = v.InferOutput<typeof SiteverifyAnswer>;

/** Tries per verification: a second one only when the first got no usable answer. */
const SITEVERIFY_ATTEMPTS = 2;
const SITEVERIFY_TIMEOUT_MS = 5000;

/**
 * Siteverify's verdict on `token`, or null when it gave none (unreachable, a 5xx, its
 * `internal-error`). A retry sends the same `idempotency_key`, so Siteverify answers it as the
 * first try rather than as a replay of a token it already consumed.
 *
 * The local stand-in (emulator/src/turnstile.ts) answers instead only where the dev-only
 * TURNSTILE_EMULATOR service binding exists: wrangler.jsonc never declares it (`npm run dev`
 * adds it to a generated local configuration), so a deployed Worker always asks Cloudflare.
 */
async function siteverify(
	env: Cloudflare.Env,
	secret: string,
	token: string,
	remoteip: string | undefined,
): Promise<SiteverifyAnswer | null> {
	// The global fetch, called as itself (workerd refuses it with another `this`).
	const service = env.TURNSTILE_EMULATOR ?? {
		fetch: (url: string, init: RequestInit) => fetch(url, init),
	};
	const body = JSON.stringify({
		secret,
		response: token,
		...(remoteip && { remoteip }),
		idempotency_key: crypto.randomUUID(),
	});
	let failure = "";
	for (let attempt = 1; attempt <= SITEVERIFY_ATTEMPTS; attempt++) {
		try {
			const res = await service.fetch(SITEVERIFY_URL, {
				method: "POST",
				headers: { "content-type": "application/json" },
				body,
				signal: AbortSignal.timeout(SITEVERIFY_TIMEOUT_MS),
			});
			if (!res.ok) {
				await res.body?.cancel();
				failure = `HTTP ${res.status}`;
				continue;
			}
			const answer = v.safeParse(SiteverifyAnswer, await res.json());
			if (!answer.success) failure = "unreadable answer";
			else if (answer.output["error-codes"].includes("internal-error")) failure = "internal-error";
			else return answer.output;
		} catch (err) {
			failure = describeError(err);
		}
	}
	log.error("turnstile: siteverify gave no verdict", { failure, attempts: SITEVERIFY_ATTEMPTS });
	return null;
}

/**
 * Turnstile in front of a route, when TURNSTILE_SITE_KEY and TURNSTILE_SECRET are set. A
 * request carries a pass (x-turnstile-pass) or a widget token (x-turnstile-token). A token is
 * verified once with Siteverify (its success, its action, the hostname it was solved on) and
 * earns a pass in this response's x-turnstile-pass: signed for this hostname and the client's
 * address, for TURNSTILE_PASS_TTL_SECONDS. Refusals are 403 with a turnstile_* code.
 */
export const humanCheck = createMiddleware<AppEnv>(async (c, next) => {
	const turnstile = c.var.config.turnstile;
	if (!turnstile) return next();
	const hostname = new URL(c.req.url).hostname;
	// Set by Cloudflare on every request, and not forged through it.
	const client = c.req.header("cf-connecting-ip") ?? "";
	const pass = c.req.header(TURNSTILE_PASS_HEADER);
	if (pass !== undefined) {
		const check = await checkTurnstilePass(pass, turnstile.secret, hostname, client);
		if (check === "valid") return next();
		throw turnstileRefusal(check === "expired" ? "turnstile_expired" : "turnstile_invalid");
	}
	const token = c.req.header(TURNSTILE_TOKEN_HEADER);
	if (!token) throw turnstileRefusal("turnstile_missing");
	if (token.length > TURNSTILE_TOKEN_MAX_CHARS) throw turnstileRefusal("turnstile_invalid");
	const answer = await siteverify(c.env, turnstile.secret, token, client || undefined);
	if (!answer) throw turnstileUnavailable();
	if (!answer.success) {
		const refusal = refusalOf(answer["error-codes"]);
		if (refusal) throw turnstileRefusal(refusal);
		// Not the client's fault: the secret, or the request Siteverify got.
		log.error("turnstile: siteverify refused the verification", {
			errorCodes: answer["error-codes"].join(","),
		});
		throw turnstileUnavailable();
	}
	if (
		!isTestSecret(turnstile.secret) &&
		(answer.hostname !== hostname || answer.action !== TURNSTILE_ACTION)
	) {
		throw turnstileRefusal("turnstile_mismatch");
	}
	// Set before the route answers, so its answer carries the pass whatever it is (an invalid
	// body too): the token is spent either way.
	c.header(TURNSTILE_PASS_HEADER, await signTurnstilePass(turnstile.secret, hostname, client));
	await next();
});

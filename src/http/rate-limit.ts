import { createMiddleware } from "hono/factory";
import { ApiError } from "../core/errors";
import type { AppEnv } from "./app-env";

type LimiterName = "CHAT_RATE_LIMITER" | "FEEDBACK_RATE_LIMITER" | "FEEDBACK_STATUS_RATE_LIMITER";

/** The period configured for every limiter in wrangler.jsonc, sent back as Retry-After. */
const PERIOD_SECONDS = 60;

/**
 * Per-client rate limit with a Workers Rate Limiting binding, keyed by the
 * client's IP (CF-Connecting-IP is set by Cloudflare and cannot be forged
 * through it). Excess requests get 429 rate_limited.
 */
export const rateLimit = (name: LimiterName) =>
	createMiddleware<AppEnv>(async (c, next) => {
		// Without the binding (removed from wrangler.jsonc) requests are not limited.
		const limiter = c.env[name] as RateLimit | undefined;
		if (!limiter) return next();
		const key = c.req.header("cf-connecting-ip") ?? "unknown-client";
		const { success } = await limiter.limit({ key });
		if (!success) {
			throw new ApiError(429, "rate_limited", "Too many requests; slow down and retry later", {
				headers: { "Retry-After": String(PERIOD_SECONDS) },
			});
		}
		await next();
	});

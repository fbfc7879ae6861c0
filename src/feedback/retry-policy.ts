/** How long and how often delivery retries a vote the gateway cannot take yet. */
export interface RetryPolicy {
	/** Retries stop (and the vote goes to the dead letters) once this long has passed. */
	windowMs: number;
	/** First retry delay; it doubles on each attempt, up to `maxDelayMs`, with jitter. */
	baseMs: number;
	maxDelayMs: number;
}

const DEFAULTS: RetryPolicy = { windowMs: 15 * 60_000, baseMs: 2_000, maxDelayMs: 60_000 };

export function retryPolicy(env: Cloudflare.Env): RetryPolicy {
	const number = (value: string | undefined, fallback: number) => {
		const parsed = Number(value);
		return Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
	};
	const baseMs = number(env.FEEDBACK_RETRY_BASE_MS, DEFAULTS.baseMs);
	return {
		windowMs: number(env.FEEDBACK_RETRY_WINDOW_MS, DEFAULTS.windowMs),
		baseMs,
		maxDelayMs: Math.max(baseMs, DEFAULTS.maxDelayMs * (baseMs / DEFAULTS.baseMs)),
	};
}

/** Exponential backoff with full jitter between half and all of the step. */
export function retryDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
	const step = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(step / 2 + random() * (step / 2));
}

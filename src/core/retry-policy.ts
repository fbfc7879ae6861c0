/** How long and how often delivery retries a vote the gateway cannot take yet. */
export interface RetryPolicy {
	/** Retries stop (and the vote goes to the dead letters) once this long has passed. */
	windowMs: number;
	/** First retry delay; it doubles on each attempt, up to `maxDelayMs`, with jitter. */
	baseMs: number;
	maxDelayMs: number;
}

/** The cap is 30 times the base: 60 s for the default 2 s. */
const MAX_DELAY_STEPS = 30;

export const retryPolicyFrom = (baseMs: number, windowMs: number): RetryPolicy => ({
	windowMs,
	baseMs,
	maxDelayMs: baseMs * MAX_DELAY_STEPS,
});

/** Exponential backoff with full jitter between half and all of the step. */
export function retryDelay(policy: RetryPolicy, attempt: number, random = Math.random): number {
	const step = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
	return Math.round(step / 2 + random() * (step / 2));
}

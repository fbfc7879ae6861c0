/** Time: the model's delay before it answers, the gateway's request timeout, and holds. */

import { gatewayError, WORKERS_AI_CODES } from "./errors.ts";

/**
 * Waits out the delay before a response starts. A delay beyond the gateway's request
 * timeout ends at the timeout with the 504 it answers. Rejects when the caller aborts.
 */
export async function responseDelay(
	delayMs: number,
	timeoutMs: number | undefined,
	signal: AbortSignal,
): Promise<Response | undefined> {
	if (timeoutMs !== undefined && delayMs > timeoutMs) {
		await sleep(timeoutMs, signal);
		return gatewayError(
			504,
			WORKERS_AI_CODES[504] ?? 3046,
			"Request timed out: the provider did not answer in time",
		);
	}
	await sleep(delayMs, signal);
	return undefined;
}

/** Like fetch, a response body stops when the caller's signal aborts. */
export function untilReleased(hold: Promise<void>, signal: AbortSignal): Promise<void> {
	if (signal.aborted) return Promise.reject(signal.reason);
	return new Promise((resolve, reject) => {
		signal.addEventListener("abort", () => reject(signal.reason), { once: true });
		hold.then(resolve);
	});
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) return Promise.reject(signal.reason);
	if (ms <= 0) return Promise.resolve();
	return new Promise((resolve, reject) => {
		const timer = setTimeout(() => {
			signal?.removeEventListener("abort", onAbort);
			resolve();
		}, ms);
		const onAbort = () => {
			clearTimeout(timer);
			reject(signal?.reason);
		};
		signal?.addEventListener("abort", onAbort, { once: true });
	});
}

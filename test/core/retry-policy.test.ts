import { env as testEnv } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config";
import { retryDelay } from "../../src/core/retry-policy";

const retryPolicy = (vars: Record<string, string | undefined>) =>
	readConfig({ ...testEnv, ...vars } as Cloudflare.Env).retry;
const env = (vars: Record<string, string | undefined>) => ({
	FEEDBACK_RETRY_WINDOW_MS: undefined,
	FEEDBACK_RETRY_BASE_MS: undefined,
	...vars,
});

describe("feedback retry policy", () => {
	it("reads the window and base from vars, with safe defaults", () => {
		expect(
			retryPolicy(env({ FEEDBACK_RETRY_WINDOW_MS: "900000", FEEDBACK_RETRY_BASE_MS: "2000" })),
		).toEqual({
			windowMs: 900_000,
			baseMs: 2_000,
			maxDelayMs: 60_000,
		});
		expect(retryPolicy(env({}))).toEqual({ windowMs: 900_000, baseMs: 2_000, maxDelayMs: 60_000 });
		expect(
			retryPolicy(env({ FEEDBACK_RETRY_WINDOW_MS: "soon", FEEDBACK_RETRY_BASE_MS: "-1" })).windowMs,
		).toBe(900_000);
	});

	it("backs off exponentially with jitter, up to the cap", () => {
		const policy = { windowMs: 900_000, baseMs: 2_000, maxDelayMs: 60_000 };
		expect(retryDelay(policy, 1, () => 0)).toBe(1_000);
		expect(retryDelay(policy, 1, () => 1)).toBe(2_000);
		expect(retryDelay(policy, 3, () => 1)).toBe(8_000);
		expect(retryDelay(policy, 20, () => 1)).toBe(60_000);
		expect(retryDelay(policy, 20, () => 0)).toBe(30_000);
	});

	it("keeps retrying for well over 3 minutes with the defaults", () => {
		const policy = retryPolicy(env({}));
		let elapsed = 0;
		let attempts = 0;
		while (elapsed < policy.windowMs) elapsed += retryDelay(policy, ++attempts, () => 0.5);
		expect(policy.windowMs).toBeGreaterThanOrEqual(180_000);
		expect(attempts).toBeGreaterThan(10);
	});
});

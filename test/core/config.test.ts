/** Settings the Worker cannot use are reported once, by name, and never take it down. */
import { env as testEnv } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { readConfig } from "../../src/core/config";
import { NUMERIC_SETTINGS, numericSetting, sampleRate } from "../../src/core/numeric-settings";
import { createHarness } from "../harness";

const withVars = (vars: Record<string, string>) => ({ ...testEnv, ...vars }) as Cloudflare.Env;

/** The JSON lines logged through console[level] that name `setting`. */
function linesAbout(spy: { mock: { calls: unknown[][] } }, setting: string) {
	return spy.mock.calls
		.map((call) => JSON.parse(String(call[0])) as Record<string, unknown>)
		.filter((line) => line.setting === setting);
}

afterEach(() => vi.restoreAllMocks());

describe("the numeric settings' rule", () => {
	it("takes a positive number, and the default when unset or empty", () => {
		expect(numericSetting("RETENTION_DAYS", "30")).toBe(30);
		expect(numericSetting("RETENTION_DAYS", " 0.5 ")).toBe(0.5);
		expect(numericSetting("RETENTION_DAYS", undefined)).toBe(90);
		expect(numericSetting("RETENTION_DAYS", "")).toBe(90);
	});

	it("refuses anything else instead of quietly using the default", () => {
		for (const value of ["ninety", "0", "-1", "Infinity", "12 days"])
			expect(numericSetting("RETENTION_DAYS", value), value).toBeUndefined();
	});
});

describe("a numeric setting that is not a positive number", () => {
	it("is logged once at error level, by name and rule, and its default is used", () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		// Two env objects, as two requests of one isolate may carry.
		expect(readConfig(withVars({ RETENTION_DAYS: "ninety" })).retentionDays).toBe(90);
		expect(readConfig(withVars({ RETENTION_DAYS: "ninety" })).retentionDays).toBe(90);
		const lines = linesAbout(errors, "RETENTION_DAYS");
		expect(lines).toEqual([
			{
				message: "invalid setting, using its default",
				setting: "RETENTION_DAYS",
				expected: "a positive number, written in digits (e.g. 90)",
				default: 90,
			},
		]);
		expect(JSON.stringify(errors.mock.calls)).not.toContain("ninety");
	});

	it("is reported for every numeric var, each under its own name", () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const config = readConfig(
			withVars({
				AI_TIMEOUT_MS: "soon",
				FEEDBACK_RETRY_WINDOW_MS: "-5",
				FEEDBACK_RETRY_BASE_MS: "0",
			}),
		);
		expect(config.aiTimeoutMs).toBe(NUMERIC_SETTINGS.AI_TIMEOUT_MS);
		expect(config.retry.windowMs).toBe(NUMERIC_SETTINGS.FEEDBACK_RETRY_WINDOW_MS);
		expect(config.retry.baseMs).toBe(NUMERIC_SETTINGS.FEEDBACK_RETRY_BASE_MS);
		for (const setting of ["AI_TIMEOUT_MS", "FEEDBACK_RETRY_WINDOW_MS", "FEEDBACK_RETRY_BASE_MS"])
			expect(linesAbout(errors, setting), setting).toHaveLength(1);
	});

	it("does not stop the Worker answering: requests succeed, and the first one logs it", async () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		const { ask } = createHarness({}, { STORE_MAX_MB: "four hundred" } as Partial<Cloudflare.Env>);
		expect((await ask("hello")).status).toBe(200);
		expect(linesAbout(errors, "STORE_MAX_MB")).toHaveLength(1);
		expect((await ask("hello again")).status).toBe(200);
		expect(linesAbout(errors, "STORE_MAX_MB")).toHaveLength(1);
		const { storeMaxBytes } = readConfig(withVars({ STORE_MAX_MB: "four hundred" }));
		expect(storeMaxBytes).toBe(NUMERIC_SETTINGS.STORE_MAX_MB * 1_000_000);
	});
});

describe("the judge's settings", () => {
	it("take a sample rate from 0 to 1, unset or empty being 0 (off)", () => {
		expect([undefined, "", "0", "0.25", " 1 "].map(sampleRate)).toEqual([0, 0, 0, 0.25, 1]);
		for (const value of ["half", "-0.1", "1.5", "10%", "Infinity"])
			expect(sampleRate(value), value).toBeUndefined();
	});

	it("turn the judge off, with one error naming the setting, when the rate or model is unusable", () => {
		const errors = vi.spyOn(console, "error").mockImplementation(() => {});
		expect(readConfig(withVars({ JUDGE_SAMPLE_RATE: "0.5" })).judge).toEqual({
			model: testEnv.JUDGE_MODEL,
			sampleRate: 0.5,
			dailyLimit: 1000,
		});
		expect(readConfig(withVars({ JUDGE_SAMPLE_RATE: "1.5" })).judge.sampleRate).toBe(0);
		expect(readConfig(withVars({ JUDGE_SAMPLE_RATE: "1.5" })).judge.sampleRate).toBe(0);
		expect(linesAbout(errors, "JUDGE_SAMPLE_RATE")).toEqual([
			{
				message: "invalid setting, the judge is off",
				setting: "JUDGE_SAMPLE_RATE",
				expected: "a number from 0 to 1 (e.g. 0.1)",
			},
		]);
		const noModel = withVars({ JUDGE_SAMPLE_RATE: "1", JUDGE_MODEL: " " });
		expect(readConfig(noModel).judge.sampleRate).toBe(0);
		expect(readConfig(withVars({ JUDGE_DAILY_LIMIT: "0" })).judge.dailyLimit).toBe(1000);
	});
});

describe("a secret shorter than the minimum", () => {
	it("is ignored, with one warning through the logger that names it and not its value", () => {
		const warnings = vi.spyOn(console, "warn").mockImplementation(() => {});
		const short = "short-debug-token";
		expect(readConfig(withVars({ DEBUG_TOKEN: short })).debugToken).toBeUndefined();
		expect(readConfig(withVars({ DEBUG_TOKEN: short })).debugToken).toBeUndefined();
		expect(linesAbout(warnings, "DEBUG_TOKEN")).toEqual([
			{ message: "secret too short, ignored", setting: "DEBUG_TOKEN", minChars: 32 },
		]);
		expect(JSON.stringify(warnings.mock.calls)).not.toContain(short);
	});
});

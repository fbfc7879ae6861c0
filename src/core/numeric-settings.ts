/**
 * The Worker's numeric vars, their defaults, and the one rule they follow: unset or empty is
 * the default; anything else must be a positive number. It imports nothing, so `npm run check`
 * (scripts/check-config-docs.mjs) applies the same rule to wrangler.jsonc in Node.
 */
export const NUMERIC_SETTINGS = {
	AI_TIMEOUT_MS: 120_000,
	FEEDBACK_RETRY_WINDOW_MS: 15 * 60_000,
	FEEDBACK_RETRY_BASE_MS: 2_000,
	RETENTION_DAYS: 90,
	STORE_MAX_MB: 450,
	JUDGE_DAILY_LIMIT: 1000,
} as const;

export type NumericSetting = keyof typeof NUMERIC_SETTINGS;

/** What every numeric setting must be, in the words its errors use. */
export const NUMERIC_SETTING_RULE = "a positive number, written in digits (e.g. 90)";

/**
 * The value of a numeric setting: its default when unset or empty, the number it holds when
 * that is positive, and `undefined` when it breaks the rule ("ninety", "0", "-1").
 */
export function numericSetting(name: NumericSetting, value: unknown): number | undefined {
	const text = value === undefined || value === null ? "" : String(value).trim();
	if (text === "") return NUMERIC_SETTINGS[name];
	const number = Number(text);
	return Number.isFinite(number) && number > 0 ? number : undefined;
}

/** JUDGE_SAMPLE_RATE's rule: the share of answers judged; unset or empty is 0, off. */
export const SAMPLE_RATE_RULE = "a number from 0 to 1 (e.g. 0.1)";

export function sampleRate(value: unknown): number | undefined {
	const text = value === undefined || value === null ? "" : String(value).trim();
	const number = Number(text);
	return text === "" ? 0 : number >= 0 && number <= 1 ? number : undefined;
}

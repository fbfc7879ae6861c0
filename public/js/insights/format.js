// How /insights writes numbers, rates, days and durations.

/** A day in ms: the store's days are UTC days (src/core/time.ts DAY_MS, which a test checks). */
export const DAY_MS = 86_400_000;

export const count = new Intl.NumberFormat("en");

/** "1 answer", "2 answers". */
export const plural = (n, noun) => `${count.format(n)} ${noun}${n === 1 ? "" : "s"}`;

/** The store's days are UTC days: label them so, whatever the viewer's time zone. */
export const dayLabel = new Intl.DateTimeFormat("en", {
	month: "short",
	day: "numeric",
	timeZone: "UTC",
});

export const percent = (value) => (value == null ? "–" : `${(value * 100).toFixed(1)}%`);

/** An up-rate with its 95% interval. */
export const withInterval = (row) =>
	row.upRate == null
		? "no votes"
		: `${percent(row.upRate)} (${percent(row.upRateLow)} to ${percent(row.upRateHigh)})`;

export const duration = (ms) =>
	ms == null ? "–" : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`;

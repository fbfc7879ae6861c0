// The production Worker's budgets: one home, read by check-bundle.mjs (npm run check) and by
// bench.mjs (docs/benchmarks.md). Start-up is what users feel; the byte budget is generous on
// purpose, so that a well-kept library is never traded for hand-written code saving bytes.

/** The production bundle, gzipped, by our measure and by wrangler's. */
export const MAX_GZIP_KIB = 40;

/** CPU at start-up (wrangler check startup, the profile's busy samples). */
export const MAX_STARTUP_MS = 5;

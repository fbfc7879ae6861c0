/**
 * A day in milliseconds: the feedback store's days are `created_at / DAY_MS`, UTC days since
 * the epoch (migrations/0003_rollups.sql writes it as 86400000, which a test checks). Imports
 * nothing, so scripts run it in Node as it is.
 */
export const DAY_MS = 86_400_000;

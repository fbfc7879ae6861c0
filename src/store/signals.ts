/**
 * Implicit signals on answers (migrations/0006_corrections_and_signals.sql): whether the user
 * regenerated an answer, and whether they copied it. One row per answer with a flag per
 * signal: the first record sets it, repeats leave it as it is, so a client's retry, a double
 * click or a second copy counts once. Triggers count them per day and served model in
 * signal_rollups, which GET /api/admin/stats reads beside the votes, never mixed into them.
 */

/** The signals a client may record, and the column each sets. */
export const SIGNAL_COLUMNS = { regenerate: "regenerated", copy: "copied" } as const;
export type Signal = keyof typeof SIGNAL_COLUMNS;
export const SIGNALS = Object.keys(SIGNAL_COLUMNS) as Signal[];

/** Sets the signal's flag on the answer's row; a flag already set changes nothing. */
const UPSERT = `INSERT INTO answer_signals (ai_gateway_log_id, regenerated, copied, created_at, updated_at)
VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (ai_gateway_log_id) DO UPDATE SET
regenerated = MAX(regenerated, excluded.regenerated), copied = MAX(copied, excluded.copied),
updated_at = excluded.updated_at
WHERE excluded.regenerated > regenerated OR excluded.copied > copied`;

export function writeSignal(
	db: D1Database,
	aiGatewayLogId: string,
	signal: Signal,
	now = Date.now(),
): Promise<unknown> {
	return db
		.prepare(UPSERT)
		.bind(aiGatewayLogId, Number(signal === "regenerate"), Number(signal === "copy"), now)
		.run();
}

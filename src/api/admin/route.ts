import { Hono } from "hono/tiny";
import type { AppEnv } from "../../http/app-env";
import { adminAuth } from "../../http/auth";
import { validQuery } from "../../http/query";
import { decodeCursor, encodeCursor } from "../../store/cursor";
import { exportStream } from "../../store/export";
import { feedbackItem, feedbackRows, keysetOf } from "../../store/feedback-rows";
import { deliveryHealth, feedbackStats } from "../../store/stats";
import { ExportQuery, ListQuery, StatsQuery } from "./schemas";

/**
 * The feedback store for the team: the list, the dataset export and the statistics.
 * ADMIN_TOKEN guards it all (404 while unset); nothing here may be cached on the way.
 */
export const admin = new Hono<AppEnv>()
	.use(adminAuth)
	.use(async (c, next) => {
		await next();
		c.header("cache-control", "no-store");
	})
	.get("/feedback", validQuery(ListQuery), async (c) => {
		const { limit, cursor, ...filters } = c.req.valid("query");
		const after = cursor === undefined ? undefined : decodeCursor(cursor, filters);
		const rows = await feedbackRows(c.env.FEEDBACK_DB, filters, after, limit + 1);
		const page = rows.slice(0, limit);
		const last = page.at(-1);
		return c.json({
			items: page.map(feedbackItem),
			nextCursor: rows.length > limit && last ? encodeCursor(keysetOf(last), filters) : null,
		});
	})
	.get("/feedback/export", validQuery(ExportQuery), (c) => {
		const { format, ...filters } = c.req.valid("query");
		const name = `feedback-${new Date().toISOString().slice(0, 10)}.${format}`;
		return c.body(exportStream(c.env.FEEDBACK_DB, filters, format), 200, {
			"content-type":
				format === "csv" ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
			"content-disposition": `attachment; filename="${name}"`,
		});
	})
	.get("/stats", validQuery(StatsQuery), async (c) =>
		c.json(await feedbackStats(c.env.FEEDBACK_DB, c.req.valid("query"))),
	)
	.get("/health", async (c) => c.json({ delivery: await deliveryHealth(c.env.FEEDBACK_DB) }));

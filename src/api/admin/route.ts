import type { Context } from "hono";
import { Hono } from "hono/tiny";
import type { AppEnv } from "../../http/app-env";
import { adminAuth, throughAccess } from "../../http/auth";
import { validQuery } from "../../http/query";
import { cursorKey, decodeCursor, encodeCursor } from "../../store/cursor";
import { exportStream } from "../../store/export";
import { feedbackItem, feedbackRows, keysetOf } from "../../store/feedback-rows";
import { deliveryHealth, feedbackStats } from "../../store/stats";
import { adminQueries } from "./schemas";

/**
 * A session on any copy of the store, the primary or a read replica, which may lag by
 * seconds; its later reads see at least what its first saw (docs/feedback-store.md).
 */
const anyReplica = (c: Context<AppEnv>) => c.env.FEEDBACK_DB.withSession("first-unconstrained");

/**
 * The feedback store for the team: the list, the dataset export and the statistics, read
 * through D1 sessions, so from read replicas where the database has them. ADMIN_TOKEN or
 * Cloudflare Access guards all of it but GET /access (404 while neither is set;
 * src/http/auth.ts); index.ts keeps it same-origin and uncached.
 */
export const admin = () => {
	const { ListQuery, ExportQuery, StatsQuery } = adminQueries();
	return (
		new Hono<AppEnv>()
			// Before the guard, always 200, reading nothing: /insights asks it on opening whether its
			// requests come through Cloudflare Access (then it loads with no token) rather than trying
			// a request that outside Access would only be refused, a console error on every visit.
			.get("/access", (c) => c.json({ throughAccess: throughAccess(c) }))
			.use(adminAuth)
			.get("/feedback", validQuery(ListQuery), async (c) => {
				const { limit, cursor, ...filters } = c.req.valid("query");
				// adminAuth let the request in: ADMIN_TOKEN or Access is set.
				const key = await cursorKey(c.var.config.adminToken ?? c.var.config.access?.audience ?? "");
				const from = cursor === undefined ? undefined : await decodeCursor(cursor, filters, key);
				// A next page starts from the bookmark of the page before: it sees at least as much.
				const session = from?.bookmark
					? c.env.FEEDBACK_DB.withSession(from.bookmark)
					: anyReplica(c);
				const rows = await feedbackRows(session, filters, from?.after, limit + 1);
				const page = rows.slice(0, limit);
				const last = page.at(-1);
				return c.json({
					items: page.map(feedbackItem),
					nextCursor:
						rows.length > limit && last
							? await encodeCursor(keysetOf(last), filters, session.getBookmark(), key)
							: null,
				});
			})
			.get("/feedback/export", validQuery(ExportQuery), (c) => {
				const { format, ...filters } = c.req.valid("query");
				const date = new Date().toISOString().slice(0, 10);
				const name = format === "golden" ? `golden-${date}.jsonl` : `feedback-${date}.${format}`;
				// One session for every batch: none sees less than the batch before it.
				return c.body(exportStream(anyReplica(c), filters, format, c.env.TRANSCRIPTS), 200, {
					"content-type":
						format === "csv" ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
					"content-disposition": `attachment; filename="${name}"`,
				});
			})
			.get("/stats", validQuery(StatsQuery), async (c) =>
				c.json(await feedbackStats(anyReplica(c), c.req.valid("query"))),
			)
			.get("/health", async (c) => c.json({ delivery: await deliveryHealth(anyReplica(c)) }))
	);
};

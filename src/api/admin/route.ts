import { Hono } from "hono/tiny";
import * as v from "valibot";
import { DELIVERY_STATES, inWords, VOTES } from "../../core/votes";
import type { AppEnv } from "../../http/app-env";
import { adminAuth } from "../../http/auth";
import { BooleanParam, IntParam, TimeParam, validQuery } from "../../http/query";
import { decodeCursor, encodeCursor } from "../../store/cursor";
import { exportStream } from "../../store/export";
import { feedbackItem, feedbackRows, keysetOf } from "../../store/feedback-rows";
import { deliveryHealth, feedbackStats } from "../../store/stats";

const DAY_MS = 86_400_000;
const UNKNOWN = "is not a parameter of this route";

/** "must be a, b or c" */
const oneOf = (values: readonly string[]) => `must be ${inWords(values)}`;

const FilterParams = {
	model: v.optional(v.pipe(v.string(), v.minLength(1, "must not be empty"), v.maxLength(200))),
	vote: v.optional(v.picklist(VOTES, oneOf(VOTES))),
	state: v.optional(v.picklist(DELIVERY_STATES, oneOf(DELIVERY_STATES))),
	hasComment: v.optional(BooleanParam),
	since: v.optional(TimeParam),
	until: v.optional(TimeParam),
};

/** until after since, when both are given. */
const inOrder = ({ since, until }: { since?: number; until?: number }) =>
	since === undefined || until === undefined || since < until;
const LATER = "must be later than since";

const ListParams = v.strictObject(
	{
		...FilterParams,
		limit: v.optional(IntParam(1, 200), "50"),
		cursor: v.optional(v.pipe(v.string(), v.maxLength(300))),
	},
	UNKNOWN,
);
export const ListQuery = v.pipe(
	ListParams,
	v.forward(v.check<v.InferOutput<typeof ListParams>, string>(inOrder, LATER), ["until"]),
);

const ExportParams = v.strictObject(
	{
		...FilterParams,
		format: v.optional(v.picklist(["jsonl", "csv"], "must be jsonl or csv"), "jsonl"),
	},
	UNKNOWN,
);
export const ExportQuery = v.pipe(
	ExportParams,
	v.forward(v.check<v.InferOutput<typeof ExportParams>, string>(inOrder, LATER), ["until"]),
);

const MAX_STATS_DAYS = 366;

const StatsParams = v.strictObject(
	{ model: FilterParams.model, since: FilterParams.since, until: FilterParams.until },
	UNKNOWN,
);
export const StatsQuery = v.pipe(
	StatsParams,
	v.forward(v.check<v.InferOutput<typeof StatsParams>, string>(inOrder, LATER), ["until"]),
	v.transform(({ since, until, model }) => {
		const end = until ?? Date.now();
		return { model, until: end, since: since ?? end - 30 * DAY_MS };
	}),
	v.forward(
		v.check(
			({ since, until }) => since < until && until - since <= MAX_STATS_DAYS * DAY_MS,
			`since and until must be at most ${MAX_STATS_DAYS} days apart, since first`,
		),
		["since"],
	),
);

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
		return c.body(exportStream(c.env.FEEDBACK_DB, filters, format, c.env.TRANSCRIPTS), 200, {
			"content-type":
				format === "csv" ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
			"content-disposition": `attachment; filename="${name}"`,
		});
	})
	.get("/stats", validQuery(StatsQuery), async (c) =>
		c.json(await feedbackStats(c.env.FEEDBACK_DB, c.req.valid("query"))),
	)
	.get("/health", async (c) => c.json({ delivery: await deliveryHealth(c.env.FEEDBACK_DB) }));

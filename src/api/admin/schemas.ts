import * as v from "valibot";
import { once } from "../../core/once";
import { DAY_MS } from "../../core/time";
import { DELIVERY_STATES, inWords, VOTES } from "../../core/votes";
import { BooleanParam, IntParam, TimeParam } from "../../http/query";
import { EXPORT_FORMATS } from "../../store/export";

// The query strings of the admin routes: unknown parameters are refused, not ignored.

/** The admin routes' query schemas, built by the admin API's first request, not at start-up. */
export const adminQueries = once(() => {
	const UNKNOWN = "is not a parameter of this route";

	/** "must be a, b or c" */
	const oneOf = (values: readonly string[]) => `must be ${inWords(values)}`;

	const FilterParams = {
		model: v.optional(
			v.pipe(
				v.string("must be a model id"),
				v.minLength(1, "must not be empty: leave it out to list every model"),
				v.maxLength(200, "must be at most 200 characters: send a served model's id"),
			),
		),
		vote: v.optional(v.picklist(VOTES, oneOf(VOTES))),
		state: v.optional(v.picklist(DELIVERY_STATES, oneOf(DELIVERY_STATES))),
		hasComment: v.optional(BooleanParam()),
		judgeAgrees: v.optional(BooleanParam()),
		since: v.optional(TimeParam()),
		until: v.optional(TimeParam()),
	};

	/** until after since, when both are given. */
	const inOrder = ({ since, until }: { since?: number; until?: number }) =>
		since === undefined || until === undefined || since < until;
	const LATER = "must be later than since";

	const ListParams = v.strictObject(
		{
			...FilterParams,
			limit: v.optional(IntParam(1, 200), "50"),
			// Its length is checked with the rest of it: any cursor not given out is invalid_cursor.
			cursor: v.optional(v.string("must be a string")),
		},
		UNKNOWN,
	);
	const ListQuery = v.pipe(
		ListParams,
		v.forward(v.check<v.InferOutput<typeof ListParams>, string>(inOrder, LATER), ["until"]),
	);

	const ExportParams = v.strictObject(
		{
			...FilterParams,
			format: v.optional(v.picklist(EXPORT_FORMATS, oneOf(EXPORT_FORMATS)), "jsonl"),
		},
		UNKNOWN,
	);
	const ExportQuery = v.pipe(
		ExportParams,
		v.forward(v.check<v.InferOutput<typeof ExportParams>, string>(inOrder, LATER), ["until"]),
	);

	const MAX_STATS_DAYS = 366;

	const StatsParams = v.strictObject(
		{ model: FilterParams.model, since: FilterParams.since, until: FilterParams.until },
		UNKNOWN,
	);
	const StatsQuery = v.pipe(
		StatsParams,
		v.forward(v.check<v.InferOutput<typeof StatsParams>, string>(inOrder, LATER), ["until"]),
		v.transform(({ since, until, model }) => {
			const end = until ?? Date.now();
			return { model, until: end, since: since ?? end - 30 * DAY_MS };
		}),
		// With both given, inOrder has checked their order: since can only be late against now.
		v.forward(
			v.check(
				({ since, until }) => since < until,
				"is in the future; send an earlier since, or an until after it",
			),
			["since"],
		),
		v.forward(
			v.check(
				({ since, until }) => until - since <= MAX_STATS_DAYS * DAY_MS,
				`must be at most ${MAX_STATS_DAYS} days before until (now, when until is not given)`,
			),
			["since"],
		),
	);
	return { ListQuery, ExportQuery, StatsQuery };
});

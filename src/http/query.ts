import type { MiddlewareHandler } from "hono";
import * as v from "valibot";
import { ApiError } from "../core/errors";
import type { AppEnv } from "./app-env";
import { issuePath } from "./schemas";

/**
 * Hono validator middleware for the query string: the handler reads the checked value with
 * `c.req.valid("query")`; anything wrong is a 400 invalid_request naming the parameter. A
 * repeated parameter is refused too: which of its values was meant is anyone's guess.
 */
export const validQuery =
	<S extends v.GenericSchema>(
		schema: S,
	): MiddlewareHandler<
		AppEnv,
		string,
		{ in: { query: Record<string, string> }; out: { query: v.InferOutput<S> } }
	> =>
	async (c, next) => {
		for (const [param, values] of Object.entries(c.req.queries())) {
			if (values.length > 1) {
				const message = `${param}: appears ${values.length} times; send each parameter once`;
				throw new ApiError(400, "invalid_request", message, { param });
			}
		}
		const result = v.safeParse(schema, c.req.query(), { abortEarly: true });
		if (!result.success) {
			const [issue] = result.issues;
			const param = issuePath(issue);
			throw new ApiError(400, "invalid_request", `${param}: ${issue.message}`, { param });
		}
		c.req.addValidatedData("query", result.output as object);
		await next();
	};

const TIME =
	/^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** A real calendar day (Date.parse would take 2026-02-31 for 3 March). */
function realDay(text: string): boolean {
	const [, year, month, day] = (TIME.exec(text) ?? []).map(Number);
	const date = new Date(Date.UTC(year as number, (month as number) - 1, day));
	return date.getUTCMonth() === (month as number) - 1 && date.getUTCDate() === day;
}

/** A date (midnight UTC) or an ISO 8601 time with its zone, as milliseconds. */
export const TimeParam = () =>
	v.pipe(
		v.string("must be a date or a time"),
		v.regex(
			TIME,
			"must be a date (2026-11-22) or an ISO 8601 time with a zone (2026-11-22T08:00:00Z)",
		),
		v.check(realDay, "must be a real calendar date"),
		v.transform((text) => Date.parse(text)),
		v.check((time: number) => Number.isFinite(time), "must be a valid time"),
	);

/** A whole number from min to max, from its decimal text. */
export const IntParam = (min: number, max: number) =>
	v.pipe(
		v.string(`must be an integer from ${min} to ${max}`),
		v.regex(/^\d{1,9}$/, `must be an integer from ${min} to ${max}`),
		v.transform(Number),
		v.minValue(min, `must be an integer from ${min} to ${max}`),
		v.maxValue(max, `must be an integer from ${min} to ${max}`),
	);

export const BooleanParam = () =>
	v.pipe(
		v.picklist(["true", "false"], "must be true or false"),
		v.transform((text) => text === "true"),
	);

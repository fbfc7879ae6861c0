import * as v from "valibot";
import { LogIdSchema, objectOf, plainObject } from "../../http/schemas";

/** The body of POST /api/dead-letters/replay and /api/dead-letters/answers/replay. */
/**
 * No ids: every dead letter. So a body that is not an object (`["id"]`) must not pass as
 * `{}`, nor one with a misspelt key (`aiGatewayLogId`): objectOf refuses keys it does not take.
 */
export const ReplayRequestSchema = plainObject(
	objectOf(
		{
			aiGatewayLogIds: v.optional(
				v.pipe(
					v.array(LogIdSchema, "must be an array of log ids"),
					v.maxLength(1000, "must hold at most 1000 log ids"),
				),
			),
		},
		"a JSON object",
		{},
	),
);

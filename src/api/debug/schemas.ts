import * as v from "valibot";
import { LogIdSchema, plainObject } from "../../http/schemas";

/** POST /api/dead-letters/replay's body. */
/** No ids: every dead letter. So a body that is not an object (`["id"]`) must not pass as `{}`. */
export const ReplayRequestSchema = plainObject(
	v.object({
		aiGatewayLogIds: v.optional(
			v.pipe(
				v.array(LogIdSchema, "must be an array of log ids"),
				v.maxLength(1000, "must hold at most 1000 log ids"),
			),
		),
	}),
);

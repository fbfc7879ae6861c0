import { Hono } from "hono";
import * as v from "valibot";
import { readLog } from "../ai/gateway";
import { debugAuth } from "../lib/debug-auth";
import { ApiError } from "../lib/errors";
import { LogIdSchema } from "../lib/schemas";
import type { AppEnv } from "../types";

/** Debug: the gateway's own record of an answer, feedback included. */
export const logs = new Hono<AppEnv>().use(debugAuth).get("/:logId", async (c) => {
	const logId = c.req.param("logId");
	if (!v.is(LogIdSchema, logId)) {
		throw new ApiError(
			400,
			"invalid_request",
			"logId: must be 1 to 128 letters, digits, '-' or '_'",
		);
	}
	return c.json(await readLog(c.env, logId));
});

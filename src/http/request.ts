import type { Context } from "hono";
import * as v from "valibot";
import { ApiError } from "../core/errors";
import { LogIdSchema } from "./schemas";

/** The token of an `Authorization: Bearer <token>` header, if there is one. */
export function bearerToken(c: Context): string | undefined {
	return /^Bearer[ \t]+(\S+)\s*$/i.exec(c.req.header("authorization") ?? "")?.[1];
}

/** The `:logId` path parameter, checked like every log id. */
export function logIdParam(c: Context): string {
	const logId = c.req.param("logId") ?? "";
	if (!v.is(LogIdSchema, logId)) {
		throw new ApiError(
			400,
			"invalid_request",
			"logId: must be 1 to 128 letters, digits, '-' or '_'",
			{
				param: "logId",
			},
		);
	}
	return logId;
}

import type { Context } from "hono";
import * as v from "valibot";
import { ApiError } from "./errors";
import { incompleteBody } from "./request-body";
import { issuePath } from "./schemas";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Reads and validates a JSON body. The body size is capped earlier by the
 * requestBody middleware, so reading it whole here is safe.
 */
export async function readJsonBody<S extends v.GenericSchema>(
	c: Context,
	schema: S,
): Promise<v.InferOutput<S>> {
	const contentType = c.req.header("content-type") ?? "";
	if (!JSON_MEDIA_TYPE.test(contentType)) {
		throw new ApiError(
			415,
			"unsupported_media_type",
			"Send the body as JSON with Content-Type: application/json",
		);
	}
	let text: string;
	try {
		text = await c.req.text();
	} catch (err) {
		throw incompleteBody(err);
	}
	let data: unknown;
	try {
		data = JSON.parse(text);
	} catch {
		throw new ApiError(400, "invalid_json", "The request body is not valid JSON");
	}
	const result = v.safeParse(schema, data, { abortEarly: true });
	if (!result.success) {
		const [issue] = result.issues;
		const message =
			data === null || typeof data !== "object" || Array.isArray(data)
				? "body: must be a JSON object"
				: `${issuePath(issue)}: ${issue.message}`;
		throw new ApiError(400, "invalid_request", message, { param: issuePath(issue) });
	}
	return result.output;
}

import type { MiddlewareHandler } from "hono";
import * as v from "valibot";
import { ApiError } from "../core/errors";
import type { AppEnv } from "./app-env";
import { incompleteBody } from "./request-body";
import { issuePath } from "./schemas";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Hono validator middleware for a JSON body: the handler reads the checked value with
 * `c.req.valid("json")`. Unlike Hono's `validator("json")`, it tells a wrong content type
 * (415), a broken upload (400 incomplete_body) and malformed JSON (400 invalid_json) apart.
 * The size is capped earlier by the requestBody middleware, so reading it whole is safe.
 */
export const jsonBody =
	<S extends v.GenericSchema>(
		schema: S,
	): MiddlewareHandler<
		AppEnv,
		string,
		{ in: { json: v.InferInput<S> }; out: { json: v.InferOutput<S> } }
	> =>
	async (c, next) => {
		if (!JSON_MEDIA_TYPE.test(c.req.header("content-type") ?? "")) {
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
		c.req.addValidatedData("json", parse(schema, data) as object);
		await next();
	};

function parse<S extends v.GenericSchema>(schema: S, data: unknown): v.InferOutput<S> {
	// Every body is an object: anything else (an array, null, a number) is the body's fault,
	// whatever the schema would say about the keys it lacks.
	if (data === null || typeof data !== "object" || Array.isArray(data)) {
		throw new ApiError(400, "invalid_request", "body: must be a JSON object", { param: "body" });
	}
	const result = v.safeParse(schema, data, { abortEarly: true });
	if (result.success) return result.output;
	const [issue] = result.issues;
	const param = issuePath(issue);
	throw new ApiError(400, "invalid_request", `${param}: ${issue.message}`, { param });
}

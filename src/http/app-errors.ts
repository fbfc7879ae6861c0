import type { Context, Hono } from "hono";
import { type ApiError, notFound, toApiError } from "../core/errors";
import { describeError, log } from "../core/log";
import { errorResponse, openAiErrorResponse } from "./error-response";
import { methodNotAllowed } from "./method-not-allowed";

const isOpenAiPath = (path: string) => path === "/v1" || path.startsWith("/v1/");

/** OpenAI clients get errors in OpenAI's shape; everyone else in this API's. */
const respondWith = (c: Context, error: ApiError) =>
	isOpenAiPath(c.req.path) ? openAiErrorResponse(c, error) : errorResponse(c, error);

/**
 * The one way an app of this Worker answers what no route answers (404, or 405 with `Allow`)
 * and what a handler throws: the root app and every surface built on first use alike.
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its environment
export function answerErrors<A extends Hono<any>>(app: A): A {
	app.notFound((c) => respondWith(c, methodNotAllowed(app, c) ?? notFound()));
	app.onError((err, c) => {
		const apiError = toApiError(err);
		if (apiError.code === "internal_error") {
			log.error("unhandled error", { path: c.req.path, detail: describeError(err, 1000) });
		}
		return respondWith(c, apiError);
	});
	return app;
}

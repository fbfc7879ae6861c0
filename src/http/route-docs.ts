import type * as v from "valibot";
import type { ErrorCode } from "../core/errors";

// The form of a surface's OpenAPI declaration (src/api/<surface>/openapi.ts), and the error
// codes each piece of Hono plumbing here can answer with. Only scripts/openapi.mjs and the
// tests import these declarations: the Worker never does, so none of their words ship in it.

/** How a route is authenticated: each names a security scheme of the document. */
export type Security =
	| "apiKey"
	| "debugToken"
	| "adminToken"
	| "cloudflareAccess"
	| "feedbackToken"
	| "turnstile";

export interface ResponseDoc {
	description: string;
	/** The JSON body, as a valibot schema (converted by @valibot/to-json-schema). */
	json?: v.GenericSchema;
	example?: unknown;
	/** Other bodies at this status, by media type: what each carries. */
	media?: Record<string, string>;
	/** Response headers worth a client's reading, and what each carries. */
	headers?: Record<string, string>;
}

export interface RouteDoc {
	summary: string;
	description?: string;
	/** Alternative ways in; none: the route is open. `turnstile` only when it is configured. */
	security?: Security[];
	/** Path parameters, by name: the same schemas the route checks them with. */
	params?: Record<string, v.GenericSchema>;
	/** The query string: the schema the route validates it with (validQuery). */
	query?: v.GenericSchema;
	/** The JSON body: the schema the route validates it with (jsonBody). */
	body?: v.GenericSchema;
	bodyExample?: unknown;
	responses: Record<number, ResponseDoc>;
	/** Every error code the route can answer with (internal_error is implied). */
	errors: readonly ErrorCode[];
}

/** One surface: where index.ts mounts it, its tag, and its routes as its Hono app names them. */
export interface SurfaceDoc {
	prefix: string;
	tag: string;
	description: string;
	/** /v1 answers errors in OpenAI's shape (src/http/error-response.ts). */
	errorShape: "api" | "openai";
	routes: Record<`${"GET" | "POST"} /${string}`, RouteDoc>;
}

export const surfaceDoc = (doc: SurfaceDoc): SurfaceDoc => doc;

/** jsonBody (validate.ts), after requestBody (request-body.ts). */
export const JSON_BODY_ERRORS = [
	"payload_too_large",
	"unsupported_media_type",
	"incomplete_body",
	"invalid_json",
	"invalid_text",
	"invalid_request",
] as const satisfies ErrorCode[];

/** rateLimit (rate-limit.ts). */
export const RATE_LIMIT_ERRORS = ["rate_limited"] as const satisfies ErrorCode[];

/** humanCheck (turnstile.ts), when Turnstile is configured. */
export const HUMAN_CHECK_ERRORS = [
	"turnstile_missing",
	"turnstile_invalid",
	"turnstile_expired",
	"turnstile_replayed",
	"turnstile_mismatch",
	"turnstile_unavailable",
] as const satisfies ErrorCode[];

/**
 * debugAuth and adminAuth (auth.ts): 404 while neither the token nor Cloudflare Access is set,
 * 401 without the token, 403 for an assertion that is not valid, 503 while the team's keys
 * cannot be fetched.
 */
export const TEAM_AUTH_ERRORS = [
	"not_found",
	"unauthorized",
	"access_denied",
	"upstream_unavailable",
] as const satisfies ErrorCode[];

/** A call of the model through the gateway (answers/respond.ts, gateway/upstream-errors.ts). */
export const AI_CALL_ERRORS = [
	"model_not_allowed",
	"empty_prompt",
	"content_blocked",
	"rate_limited",
	"upstream_error",
	"upstream_timeout",
	"upstream_unavailable",
	"upstream_out_of_credits",
	// The model's own refusal of the request, in its words.
	"invalid_request",
] as const satisfies ErrorCode[];

/** What the gateway's own API answers with (gateway/gateway-logs.ts). */
export const GATEWAY_API_ERRORS = ["upstream_error"] as const satisfies ErrorCode[];

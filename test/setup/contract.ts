// The contract test: every response the suite gets from the Worker (through its fetch
// handler, as test/harness.ts and exports.default call it) is checked against the OpenAPI
// document, public/openapi.json. Its status must be one the route declares, its content
// type one declared at that status, and a JSON body must match the declared schema; a path
// or method no route takes must get the document's 404 or 405 (401 first on a surface
// behind a token). A response the document does not allow fails the test that got it (one
// outside any test fails the file, in its afterAll). The count of responses checked goes to
// the run's summary (vitest.config.ts's contract reporter).
import { type Schema, Validator } from "@cfworker/json-schema";
import { afterAll, expect } from "vitest";
import document from "../../public/openapi.json";
import worker from "../../src";

interface MediaType {
	schema?: Schema;
}
interface ResponseObject {
	content?: Record<string, MediaType>;
}
type Operation = {
	responses: Record<string, ResponseObject>;
	security?: Record<string, string[]>[];
};

const operations = Object.entries(
	document.paths as unknown as Record<string, Record<string, Operation>>,
)
	.flatMap(([path, methods]) =>
		Object.entries(methods).map(([method, operation]) => ({
			method: method.toUpperCase(),
			path,
			// `{logId}`: one path segment.
			pattern: new RegExp(`^${path.replace(/\{\w+\}/g, "[^/]+")}$`),
			operation,
		})),
	)
	// Fixed paths before those with parameters.
	.sort((a, b) => a.pattern.source.length - b.pattern.source.length);

const components = document.components.responses as Record<string, ResponseObject>;
const validators = new Map<Schema, Validator>();
const validatorOf = (schema: Schema) => {
	let validator = validators.get(schema);
	if (!validator) {
		validator = new Validator(schema, "2020-12", false);
		validators.set(schema, validator);
	}
	return validator;
};

/** What the document says `method path` may answer with `status`, or why it says nothing. */
function declared(method: string, path: string, status: number): ResponseObject | string {
	const openAi = path === "/v1" || path.startsWith("/v1/");
	const onPath = operations.filter((op) => op.pattern.test(path));
	const op = onPath.find((candidate) => candidate.method === (method === "HEAD" ? "GET" : method));
	if (op) {
		return op.operation.responses[status] ?? `${status} is not a declared response`;
	}
	// No route takes this method here (405), or no route owns the path (404); a surface
	// behind a token checks it first, whatever the path (401).
	const surface = /^\/(?:v1|api\/[^/]+)/.exec(path)?.[0] ?? path;
	const guarded = operations.some(
		(candidate) =>
			(candidate.path === surface || candidate.path.startsWith(`${surface}/`)) &&
			candidate.operation.security?.some(
				(way) => "debugToken" in way || "adminToken" in way || "apiKey" in way,
			),
	);
	const shape = openAi ? "OpenAi" : "";
	const fallback =
		status === 401 && guarded
			? components[`${shape}Unauthorized`]
			: onPath.length > 0
				? status === 405 && components[`${shape}MethodNotAllowed`]
				: status === 404 && components[`${shape}NotFound`];
	return fallback || `${status} for a route the document does not have`;
}

const mediaOf = (response: Response) =>
	(response.headers.get("content-type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

/** Violations seen outside any test (a hook's requests), reported by the file's afterAll. */
const violations: string[] = [];
let checked = 0;

/** Why the document does not allow this response, or null when it does. */
function violationOf(request: Request, response: Response, body: string | null): string | null {
	const { pathname } = new URL(request.url);
	if (!/^\/(?:api|v1)(?:\/|$)/.test(pathname)) return null;
	// A CORS preflight is answered by the cors middleware, before any route.
	if (request.method === "OPTIONS") return null;
	const where = `${request.method} ${pathname} answered ${response.status}`;
	const expected = declared(request.method, pathname, response.status);
	if (typeof expected === "string") return `${where}: ${expected}`;
	const media = mediaOf(response);
	const content = expected.content ?? {};
	const mediaType = content[media];
	if (!mediaType && !(media === "" && Object.keys(content).length === 0)) {
		return `${where} with ${media || "no content type"}, not one it declares`;
	}
	checked++;
	if (body === null || request.method === "HEAD" || !mediaType?.schema) return null;
	let value: unknown;
	try {
		value = JSON.parse(body);
	} catch {
		return `${where} with a body that is not JSON: ${body.slice(0, 300)}`;
	}
	const result = validatorOf(mediaType.schema).validate(value);
	if (result.valid) return null;
	const why = result.errors
		.slice(-3)
		.map((error) => `${error.instanceLocation}: ${error.error}`)
		.join("; ");
	return `${where} with a body the document does not allow (${why}): ${body.slice(0, 300)}`;
}

/** Fails the test that got the response (softly: the test runs on), or else the file. */
function check(request: Request, response: Response, body: string | null): void {
	const violation = violationOf(request, response, body);
	if (violation === null) return;
	if (expect.getState().currentTestName === undefined) violations.push(violation);
	else
		expect
			.soft(violation, "a response the OpenAPI document (public/openapi.json) does not allow")
			.toBeNull();
}

const fetchHandler = worker.fetch;
worker.fetch = async (request, env, ctx) => {
	const response = await fetchHandler(request, env, ctx);
	if (mediaOf(response) !== "application/json") {
		// Streams (SSE, exports) pass untouched: their status and type are checked, not read.
		check(request, response, null);
		return response;
	}
	// A JSON answer is whole when it is sent: read it here and hand the test an equal one
	// (a clone's tee could hold its body back while the test leaves the original unread).
	const body = await response.text();
	check(request, response, body);
	return new Response(body, response);
};

// biome-ignore lint/correctness/noEmptyPattern: Vitest reads a hook's first argument as its fixtures, destructured; the file's suite is the second
afterAll(({}, suite) => {
	(suite.meta as { contractChecked?: number }).contractChecked = checked;
	expect(violations, "responses the OpenAPI document (public/openapi.json) does not allow").toEqual(
		[],
	);
});

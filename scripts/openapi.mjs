#!/usr/bin/env node
// Builds the OpenAPI 3.1 document of /api/* and /v1/* from the routes' own declarations
// (src/api/<surface>/openapi.ts: the request schemas the routes validate with, the response
// schemas, the error codes), converts their valibot schemas with @valibot/to-json-schema,
// and writes public/openapi.json, served as a static asset: the Worker neither builds nor
// bundles it. It also writes the typed client's types, client/openapi.d.ts, with
// openapi-typescript (run through npx: its peer is TypeScript 5, this project's is 7).
//
//   node scripts/openapi.mjs          write both (npm run openapi)
//   node scripts/openapi.mjs --check  fail when either is not what the declarations give
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { toJsonSchema } from "@valibot/to-json-schema";
import { importBundle } from "./import-ts.mjs";

// `--root <dir>` builds from and checks another copy of the repository (the tooling test's).
const rootArg = process.argv.indexOf("--root");
const root =
	rootArg === -1 ? resolve(import.meta.dirname, "..") : resolve(process.argv[rootArg + 1] ?? ".");
export const DOCUMENT_PATH = "public/openapi.json";
export const CLIENT_TYPES_PATH = "client/openapi.d.ts";
const OPENAPI_TYPESCRIPT = "openapi-typescript@7.13.0";

/** Every surface's declarations (each `*Doc` export of src/api/<surface>/openapi.ts), and the error codes. */
export async function loadDeclarations(apiDir = resolve(root, "src/api")) {
	const files = readdirSync(apiDir, { withFileTypes: true })
		.filter((entry) => entry.isDirectory())
		.map((entry) => join(apiDir, entry.name, "openapi.ts"))
		.filter((file) => existsSync(file));
	const contents = [
		...files.map((file, i) => `export * as surface${i} from ${JSON.stringify(file)};`),
		`export { ERROR_CODES } from ${JSON.stringify(resolve(root, "src/core/errors.ts"))};`,
		`export { isJsonObject, isNotArray } from ${JSON.stringify(resolve(root, "src/http/schemas.ts"))};`,
	].join("\n");
	const module = await importBundle({ stdin: { contents, resolveDir: root, loader: "ts" } });
	const surfaces = Object.keys(module)
		.filter((name) => name.startsWith("surface"))
		.flatMap((name) => Object.entries(module[name]).filter(([key]) => key.endsWith("Doc")))
		.map(([, doc]) => doc)
		.sort((a, b) => a.prefix.localeCompare(b.prefix));
	return {
		surfaces,
		errorCodes: module.ERROR_CODES,
		objectChecks: [module.isJsonObject, module.isNotArray],
	};
}

/**
 * A valibot schema as JSON Schema (2020-12, OpenAPI 3.1's dialect), as a client sends it:
 * `typeMode: "input"` stops each pipeline at its first transformation (what the route does
 * with a value once valid). Checks JSON Schema cannot state (a real calendar day, a field
 * against another or against the clock) are stated in words, with the message the route
 * answers when they fail. Anything else the converter cannot convert fails the build.
 */
function converter(objectChecks) {
	/** `pipe(unknown(), check(isJsonObject or isNotArray), schema)`: refuses arrays, which JSON Schema's `object` already does. */
	const objectFirst = (schema) =>
		schema.pipe?.[0]?.type === "unknown" &&
		schema.pipe[1]?.type === "check" &&
		objectChecks.includes(schema.pipe[1].requirement) &&
		schema.pipe[2]?.kind === "schema";
	/**
	 * A copy of the schema whose object-first pipelines start at their schema: the converter
	 * would stop such a pipeline at its second schema (`typeMode: "input"`) and lose it.
	 */
	const rewritten = new Map();
	const rewrite = (schema) => {
		if (!schema || typeof schema !== "object" || schema.kind !== "schema") return schema;
		if (rewritten.has(schema)) return rewritten.get(schema);
		const copy = Object.create(
			Object.getPrototypeOf(schema),
			Object.getOwnPropertyDescriptors(schema),
		);
		rewritten.set(schema, copy);
		for (const key of ["wrapped", "item", "key", "value", "rest"]) {
			if (key in schema) copy[key] = rewrite(schema[key]);
		}
		if (Array.isArray(schema.options)) copy.options = schema.options.map(rewrite);
		if (Array.isArray(schema.items)) copy.items = schema.items.map(rewrite);
		if (schema.entries) {
			copy.entries = Object.fromEntries(
				Object.entries(schema.entries).map(([name, entry]) => [name, rewrite(entry)]),
			);
		}
		if (Array.isArray(schema.pipe)) {
			const pipe = schema.pipe.map(rewrite);
			copy.pipe = objectFirst(schema) ? pipe.slice(2) : pipe;
		}
		return copy;
	};
	const convert = (schema) =>
		toJsonSchema(rewrite(schema), {
			target: "draft-2020-12",
			typeMode: "input",
			errorMode: "throw",
			overrideAction: ({ valibotAction, jsonSchema }) => {
				// JSON Schema counts a string's length in code points, as this action does.
				if (valibotAction.type === "max_code_points")
					return { ...jsonSchema, maxLength: valibotAction.requirement };
				if (!["check", "partial_check", "raw_check"].includes(valibotAction.type)) return undefined;
				// Any object, as a bare `check(isJsonObject)` on unknown() says (keys kept when it had some).
				if (objectChecks.includes(valibotAction.requirement))
					return { additionalProperties: {}, ...jsonSchema, type: "object" };
				const rule = typeof valibotAction.message === "string" ? valibotAction.message : null;
				const said = jsonSchema.description ?? "";
				if (!rule || said.includes(rule)) return { ...jsonSchema };
				return { ...jsonSchema, description: `${said ? `${said} ` : ""}Also checked: ${rule}.` };
			},
		});
	return (schema) => strip(convert(schema));
}

/** Without `$schema`: the document's dialect is said once, at its top. */
function strip(jsonSchema) {
	const { $schema, ...rest } = jsonSchema;
	return rest;
}

const SECURITY_SCHEMES = {
	apiKey: {
		type: "http",
		scheme: "bearer",
		description:
			"One of API_KEYS, when that secret is set; without it /v1 is open, like /api/chat.",
	},
	debugToken: { type: "http", scheme: "bearer", description: "DEBUG_TOKEN." },
	adminToken: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN." },
	cloudflareAccess: {
		type: "apiKey",
		in: "header",
		name: "Cf-Access-Jwt-Assertion",
		description:
			"Only when ACCESS_TEAM_DOMAIN and ACCESS_AUD are set: the sign-in Cloudflare Access adds to each request it lets through. A request carrying it is decided by it alone.",
	},
	feedbackToken: {
		type: "http",
		scheme: "bearer",
		description: "The feedbackToken that came with the answer.",
	},
	turnstile: {
		type: "apiKey",
		in: "header",
		name: "x-turnstile-token",
		description:
			"Only when TURNSTILE_SITE_KEY and TURNSTILE_SECRET are set: a Turnstile widget's token, or instead the pass of an earlier answer in x-turnstile-pass.",
	},
};

/** OpenAI's error `type` for an HTTP status (src/http/error-response.ts). */
const openAiType = (status) =>
	status === 401
		? "authentication_error"
		: status === 403
			? "permission_error"
			: status === 404
				? "not_found_error"
				: status === 429
					? "rate_limit_error"
					: status >= 500
						? "api_error"
						: "invalid_request_error";

/** The error body of `codes` in the surface's shape. */
function errorBody(shape, codes) {
	if (shape === "openai") {
		return {
			type: "object",
			required: ["error"],
			additionalProperties: false,
			properties: {
				error: {
					type: "object",
					required: ["message", "type", "code", "param"],
					additionalProperties: false,
					properties: {
						message: { type: "string" },
						type: { type: "string" },
						code: { type: "string", enum: codes },
						param: { type: ["string", "null"] },
					},
				},
			},
		};
	}
	return {
		type: "object",
		required: ["error"],
		additionalProperties: false,
		properties: {
			error: {
				type: "object",
				required: ["code", "message"],
				additionalProperties: false,
				properties: { code: { type: "string", enum: codes }, message: { type: "string" } },
			},
		},
	};
}

/** Error responses by status: every code a route declares, and internal_error. */
function errorResponses(shape, codes, errorCodes) {
	const byStatus = new Map();
	for (const code of new Set(codes)) {
		// OpenAI answers a filtered prompt with 400 content_filter (src/http/error-response.ts).
		const [status, wire] =
			shape === "openai" && code === "content_blocked"
				? [400, "content_filter"]
				: [errorCodes[code].status, code];
		const entry = byStatus.get(status) ?? [];
		entry.push([wire, errorCodes[code].means]);
		byStatus.set(status, entry);
	}
	const responses = {};
	for (const [status, entries] of [...byStatus].sort(([a], [b]) => a - b)) {
		const [firstCode, firstMeans] = entries[0];
		const error =
			shape === "openai"
				? { message: firstMeans, type: openAiType(status), code: firstCode, param: null }
				: { code: firstCode, message: firstMeans };
		responses[status] = {
			description: entries.map(([code, means]) => `\`${code}\`: ${means}`).join("\n\n"),
			content: {
				"application/json": {
					schema: errorBody(
						shape,
						entries.map(([code]) => code),
					),
					example: { error },
				},
			},
		};
	}
	return responses;
}

/** `/api/feedback/:logId` as OpenAPI writes it: `/api/feedback/{logId}`. */
export const openApiPath = (prefix, path) =>
	(prefix + (path === "/" ? "" : path)).replace(/:(\w+)/g, "{$1}");

/** The query schema's properties, one parameter each. */
function queryParameters(jsonSchema) {
	const required = new Set(jsonSchema.required ?? []);
	return Object.entries(jsonSchema.properties ?? {}).map(([name, schema]) => ({
		name,
		in: "query",
		required: required.has(name),
		...(schema.description && { description: schema.description }),
		schema,
	}));
}

function operation(surface, key, route, toJson, errorCodes) {
	const [method] = key.split(" ");
	const parameters = [
		...Object.entries(route.params ?? {}).map(([name, schema]) => ({
			name,
			in: "path",
			required: true,
			schema: toJson(schema),
		})),
		...(route.query ? queryParameters(toJson(route.query)) : []),
	];
	const responses = {};
	for (const [status, response] of Object.entries(route.responses)) {
		const content = {};
		if (response.json) {
			content["application/json"] = {
				schema: toJson(response.json),
				...(response.example !== undefined && { example: response.example }),
			};
		}
		for (const [media, description] of Object.entries(response.media ?? {})) {
			content[media] = { schema: { type: "string", description } };
		}
		responses[status] = {
			description: response.description,
			...(response.headers && {
				headers: Object.fromEntries(
					Object.entries(response.headers).map(([name, description]) => [
						name,
						{ description, schema: { type: "string" } },
					]),
				),
			}),
			content,
		};
	}
	Object.assign(
		responses,
		errorResponses(surface.errorShape, [...route.errors, "internal_error"], errorCodes),
	);
	return {
		operationId: `${method.toLowerCase()}${openApiPath(surface.prefix, key.slice(method.length + 1))
			.split(/[/{}-]+/)
			.filter(Boolean)
			.map((word) => word[0].toUpperCase() + word.slice(1))
			.join("")}`,
		tags: [surface.tag],
		summary: route.summary,
		...(route.description && { description: route.description }),
		...(route.security && {
			// `turnstile` and `apiKey` apply only when configured: open otherwise.
			security: [
				...route.security.map((name) => ({ [name]: [] })),
				...(route.security.some((name) => name === "turnstile" || name === "apiKey") ? [{}] : []),
			],
		}),
		...(parameters.length > 0 && { parameters }),
		...(route.body && {
			requestBody: {
				required: true,
				content: {
					"application/json": {
						schema: toJson(route.body),
						...(route.bodyExample !== undefined && { example: route.bodyExample }),
					},
				},
			},
		}),
		responses,
	};
}

/** The OpenAPI 3.1 document of the declarations. */
export function buildDocument({ surfaces, errorCodes, objectChecks }) {
	const toJson = converter(objectChecks);
	const paths = {};
	const tags = new Map();
	for (const surface of surfaces) {
		if (!tags.has(surface.tag)) tags.set(surface.tag, surface.description);
		for (const [key, route] of Object.entries(surface.routes)) {
			const [method, path] = key.split(" ");
			const at = openApiPath(surface.prefix, path);
			paths[at] ??= {};
			paths[at][method.toLowerCase()] = operation(surface, key, route, toJson, errorCodes);
		}
	}
	return {
		openapi: "3.1.0",
		jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
		info: {
			title: "AI Gateway Feedback Chat",
			version: JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).version,
			description:
				"Chat with human feedback through AI Gateway. Built by `npm run openapi` from the routes' declarations (src/api/<surface>/openapi.ts); do not edit. Every route also answers 405 `method_not_allowed` (with `Allow`) to a method it does not take, and a path no route owns answers 404 `not_found`. The debug and admin surfaces, and /v1 when API_KEYS is set, check their token before they look for the route: a request without it gets 401 `unauthorized` whatever its path or method (404 `not_found` while the token is unset).",
		},
		tags: [...tags].map(([name, description]) => ({ name, description })),
		paths: Object.fromEntries(Object.entries(paths).sort(([a], [b]) => a.localeCompare(b))),
		components: {
			securitySchemes: SECURITY_SCHEMES,
			// What a path no route owns, or a method no route takes there, is answered with; and
			// on a surface behind a token, what any request without it is.
			responses: Object.fromEntries(
				[
					["NotFound", "api", "not_found"],
					["MethodNotAllowed", "api", "method_not_allowed"],
					["OpenAiNotFound", "openai", "not_found"],
					["OpenAiMethodNotAllowed", "openai", "method_not_allowed"],
					["Unauthorized", "api", "unauthorized"],
					["OpenAiUnauthorized", "openai", "unauthorized"],
				].map(([name, shape, code]) => [
					name,
					Object.values(errorResponses(shape, [code], errorCodes))[0],
				]),
			),
		},
	};
}

/** The types openapi-typescript makes of `documentText`. */
function clientTypes(documentText) {
	const dir = mkdtempSync(join(tmpdir(), "openapi-"));
	try {
		const input = join(dir, "openapi.json");
		const output = join(dir, "openapi.d.ts");
		writeFileSync(input, documentText);
		execFileSync("npx", ["--yes", OPENAPI_TYPESCRIPT, input, "-o", output], {
			cwd: dir,
			stdio: ["ignore", "ignore", "inherit"],
		});
		return `// Generated by scripts/openapi.mjs (openapi-typescript) from ${DOCUMENT_PATH}: do not edit.\n${readFileSync(output, "utf8")}`;
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

if (import.meta.url === `file://${process.argv[1]}`) {
	const check = process.argv.includes("--check");
	const documentText = `${JSON.stringify(buildDocument(await loadDeclarations()), null, "\t")}\n`;
	const outputs = [
		[DOCUMENT_PATH, documentText],
		[CLIENT_TYPES_PATH, clientTypes(documentText)],
	];
	const stale = [];
	for (const [path, text] of outputs) {
		const target = resolve(root, path);
		let actual = null;
		try {
			actual = readFileSync(target, "utf8");
		} catch {}
		if (actual === text) continue;
		if (check) stale.push(path);
		else {
			writeFileSync(target, text);
			console.log(`openapi: wrote ${path}`);
		}
	}
	if (stale.length > 0) {
		console.error(
			`openapi: ${stale.join(", ")} not what the routes' declarations give: run npm run openapi`,
		);
		process.exit(1);
	}
	const document = JSON.parse(documentText);
	const operations = Object.values(document.paths).flatMap(Object.keys).length;
	console.log(`openapi: ${operations} operations${check ? ", up to date" : ""}`);
}

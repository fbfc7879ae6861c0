import type { MiddlewareHandler } from "hono";
import * as v from "valibot";
import { ApiError } from "../core/errors";
import type { AppEnv } from "./app-env";
import { incompleteBody } from "./request-body";
import { issuePath, keyPath } from "./schemas";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
/** JSON's escape of a UTF-16 surrogate, `\ud800` to `\udfff`, in either case. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

export interface JsonBodyOptions {
	/**
	 * The message for a key the body's top-level object does not take (`name`), where the
	 * surface has its own words for it (OpenAI's on /v1). Otherwise the schema's own message,
	 * after the key's path.
	 */
	unknownArgument?: (name: string) => string;
}

/**
 * Hono validator middleware for a JSON body: the handler reads the checked value with
 * `c.req.valid("json")`. Unlike Hono's `validator("json")`, it tells a wrong content type
 * (415), a broken upload (400 incomplete_body) and malformed JSON (400 invalid_json) apart,
 * and refuses ill-formed text anywhere in the body (400 invalid_text) before the schema
 * sees it. The size is capped earlier by the requestBody middleware, so reading it whole is safe.
 */
export const jsonBody =
	<S extends v.GenericSchema>(
		schema: S,
		options: JsonBodyOptions = {},
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
		// Only JSON's \u escapes can write a lone surrogate (UTF-8 bytes cannot), so a body
		// without a surrogate's escape is not walked: the common case costs one scan.
		const illFormed = SURROGATE_ESCAPE.test(text) ? illFormedText(data) : null;
		if (illFormed) {
			const [param, what] = illFormed;
			throw new ApiError(
				400,
				"invalid_text",
				`${param}: ${what} not well-formed Unicode: it holds half of a UTF-16 surrogate pair (\\ud800 to \\udfff) without the other half; send whole characters`,
				{ param },
			);
		}
		c.req.addValidatedData("json", parse(schema, data, options) as object);
		await next();
	};

interface Node {
	value: unknown;
	key: string | number;
	parent: Node | null;
}

/** `messages[2].content` for a node of the parsed body. */
function pathOf(node: Node | null): string {
	const keys = [];
	for (let at = node; at?.parent; at = at.parent) keys.unshift(at.key);
	return keyPath(keys);
}

/**
 * The first string of a parsed body, or key, with a lone surrogate (JSON's `\ud800` escape
 * can write one; UTF-8 cannot carry it), as [its path, "is"], or for a key [its object's
 * path, "a key is"]. Such text would reach D1 as invalid UTF-8 while the gateway keeps it,
 * so the two would disagree. Walked with a stack, not recursion: a 64 KiB body can nest
 * arrays tens of thousands deep.
 */
function illFormedText(data: unknown): [string, string] | null {
	const stack: Node[] = [{ value: data, key: "", parent: null }];
	for (let node = stack.pop(); node; node = stack.pop()) {
		const { value } = node;
		if (typeof value === "string") {
			if (!value.isWellFormed()) return [pathOf(node), "is"];
		} else if (Array.isArray(value)) {
			for (let i = value.length - 1; i >= 0; i--)
				stack.push({ value: value[i], key: i, parent: node });
		} else if (typeof value === "object" && value !== null) {
			const keys = Object.keys(value);
			for (const key of keys) if (!key.isWellFormed()) return [pathOf(node), "a key is"];
			for (let i = keys.length - 1; i >= 0; i--) {
				const key = keys[i] as string;
				stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node });
			}
		}
	}
	return null;
}

function parse<S extends v.GenericSchema>(
	schema: S,
	data: unknown,
	options: JsonBodyOptions,
): v.InferOutput<S> {
	// Every body is an object: anything else (an array, null, a number) is the body's fault,
	// whatever the schema would say about the keys it lacks.
	if (data === null || typeof data !== "object" || Array.isArray(data)) {
		throw new ApiError(400, "invalid_request", "body: must be a JSON object", { param: "body" });
	}
	const result = v.safeParse(schema, data, { abortEarly: true });
	if (result.success) return result.output;
	const [issue] = result.issues;
	const param = issuePath(issue);
	// A key a strict object does not take (valibot expects "never" there).
	const unknownArgument =
		issue.type === "strict_object" && issue.expected === "never" && issue.path?.length === 1;
	const message =
		unknownArgument && options.unknownArgument
			? options.unknownArgument(param)
			: `${param}: ${issue.message}`;
	throw new ApiError(400, "invalid_request", message, { param });
}

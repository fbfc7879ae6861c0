import * as v from "valibot";
import { LIMITS } from "../core/limits";

// Fragments shared by the request schemas of every surface (each keeps its own in api/<surface>/).

export const ModelSchema = v.pipe(
	v.string("must be a string"),
	v.minLength(1, "must not be empty"),
);

export const MaxTokensSchema = v.pipe(
	v.number("must be a number"),
	v.integer("must be an integer"),
	v.minValue(1, "must be at least 1"),
	v.maxValue(LIMITS.maxTokens, `must be at most ${LIMITS.maxTokens}`),
);

export const TemperatureSchema = v.pipe(
	v.number("must be a number"),
	v.minValue(0, "must be at least 0"),
	v.maxValue(2, "must be at most 2"),
);

export const CONTENT_TOO_LONG = `must be at most ${LIMITS.contentChars} characters`;

/** What to send in `messages`, for the messages that say it is missing or wrong. */
export const SEND_MESSAGES = "send an array of {role, content} messages";

/** 1 to LIMITS.messages messages of the given shape. */
export const messagesOf = <S extends v.GenericSchema>(message: S) =>
	v.pipe(
		v.array(message, "must be an array of {role, content} messages"),
		v.minLength(1, "must hold at least 1 message: send the question as a user message"),
		v.maxLength(
			LIMITS.messages,
			`must hold at most ${LIMITS.messages} messages; send the last ${LIMITS.messages}`,
		),
	);

/**
 * The message of an object's own issues: a key it does not take, a missing required key,
 * or not an object at all.
 */
const inWords =
	(what: string, keys: string[], required: Record<string, string | undefined>) =>
	(issue: v.BaseIssue<unknown>): string => {
		// valibot's strict object expects "never" where a key it does not take is.
		if (issue.expected === "never")
			return `unknown key; check its spelling, or leave it out (this object takes ${keys.join(", ")})`;
		const key = issue.path?.[0]?.key;
		const hint = typeof key === "string" ? required[key] : undefined;
		return hint ? `is required; ${hint}` : `must be ${what}`;
	};

/**
 * An object schema whose issues read as words: a key it does not take is refused by name
 * (dropped, a misspelt optional key would pass as absent), a missing required key says
 * what to send there (`required`), anything that is not an object that it must be `what`.
 * Valibot would answer them with its own wording ("Invalid key: Expected ...").
 */
export const objectOf = <E extends v.ObjectEntries>(
	entries: E,
	what: string,
	required: { [K in keyof E]?: string },
) => v.strictObject(entries, inWords(what, Object.keys(entries), required));

/** An optional field that may also be null, which means absent (as in OpenAI's API). */
export const optionalField = <S extends v.GenericSchema>(schema: S) =>
	v.pipe(
		v.optional(v.nullable(schema)),
		v.transform((value): v.InferOutput<S> | undefined => value ?? undefined),
	);

/**
 * Whether a value is not an array: named, as is isJsonObject, so the OpenAPI document's
 * converter (scripts/openapi.mjs) knows the check says what JSON Schema's `object` says.
 */
export const isNotArray = (value: unknown) => !Array.isArray(value);

/** Whether a value is a JSON object: not null, not an array. */
export const isJsonObject = (value: unknown) =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/** An object schema that also refuses arrays (which pass valibot's object check). */
export const plainObject = <S extends v.GenericSchema<object>>(schema: S) =>
	v.pipe(v.unknown(), v.check(isNotArray, "must be an object"), schema);

/** Gateway log ids: ULIDs before October 2026, UUIDv7 after; check only length and alphabet. */
export const LogIdSchema = v.pipe(
	v.string("must be a string"),
	v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 letters, digits, '-' or '_'"),
);

/** `messages[2].content` from the keys of a path; "body" for none. */
export function keyPath(keys: readonly unknown[]): string {
	let path = "";
	for (const key of keys) path += typeof key === "number" ? `[${key}]` : path ? `.${key}` : key;
	return path || "body";
}

/** `messages[2].content` from valibot's issue path. */
export const issuePath = (issue: v.BaseIssue<unknown>): string =>
	keyPath(issue.path?.map((item) => item.key) ?? []);

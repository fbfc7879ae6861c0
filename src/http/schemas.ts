import * as v from "valibot";
import { LIMITS, MAX_SEQUENCE_LEAD_MS } from "../core/limits";

// Fragments shared by this API's and the OpenAI-compatible request schemas.

export const ModelSchema = v.pipe(v.string("must be a string"), v.nonEmpty("must not be empty"));

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

/** 1 to LIMITS.messages messages of the given shape. */
export const messagesOf = <S extends v.GenericSchema>(message: S) =>
	v.pipe(
		v.array(message, "must be an array of messages"),
		v.minLength(1, "must hold at least 1 message"),
		v.maxLength(LIMITS.messages, `must hold at most ${LIMITS.messages} messages`),
	);

/** An object schema that also refuses arrays (which pass valibot's object check). */
export const plainObject = <S extends v.GenericSchema<object>>(schema: S) =>
	v.pipe(
		v.unknown(),
		v.check((value) => !Array.isArray(value), "must be an object"),
		schema,
	);

export const ChatMessageSchema = v.object({
	role: v.picklist(["system", "user", "assistant"], "must be one of system, user, assistant"),
	content: v.pipe(v.string("must be a string"), v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG)),
});
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

export const ChatRequestSchema = v.object({
	messages: messagesOf(ChatMessageSchema),
	model: v.optional(ModelSchema),
	stream: v.optional(v.boolean("must be a boolean")),
	max_tokens: v.optional(MaxTokensSchema),
	temperature: v.optional(TemperatureSchema),
});

/** Gateway log ids: ULIDs before October 2026, UUIDv7 after; check only length and alphabet. */
export const LogIdSchema = v.pipe(
	v.string("must be a string"),
	v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 letters, digits, '-' or '_'"),
);

export const FeedbackRequestSchema = v.object({
	aiGatewayLogId: LogIdSchema,
	token: v.pipe(
		v.string("must be a string"),
		v.nonEmpty("must not be empty"),
		v.maxLength(512, "must be at most 512 characters"),
	),
	feedback: v.picklist(["up", "down", "clear"], "must be 'up', 'down' or 'clear'"),
	score: v.optional(
		v.pipe(
			v.number("must be a number"),
			v.integer("must be an integer"),
			v.minValue(0, "must be at least 0"),
			v.maxValue(100, "must be at most 100"),
		),
	),
	comment: v.optional(
		v.pipe(
			v.string("must be a string"),
			v.maxLength(LIMITS.commentChars, `must be at most ${LIMITS.commentChars} characters`),
		),
	),
	/** Orders one user's votes on a log: a timestamp in ms; the highest wins. */
	sequence: v.optional(
		v.pipe(
			v.number("must be a number"),
			v.safeInteger("must be an integer"),
			v.minValue(0, "must be at least 0"),
			// Bounded, so a stored sequence always has a representable successor.
			v.check(
				(sequence) => sequence <= Date.now() + MAX_SEQUENCE_LEAD_MS,
				"must be a millisecond timestamp at most a day ahead of the server's clock",
			),
		),
	),
});

/** No ids: every dead letter. So a body that is not an object (`["id"]`) must not pass as `{}`. */
export const ReplayRequestSchema = plainObject(
	v.object({
		aiGatewayLogIds: v.optional(
			v.pipe(
				v.array(LogIdSchema, "must be an array of log ids"),
				v.maxLength(1000, "must hold at most 1000 log ids"),
			),
		),
	}),
);

/** `messages[2].content` from valibot's issue path. */
export function issuePath(issue: v.BaseIssue<unknown>): string {
	let path = "";
	for (const item of issue.path ?? []) {
		const key = item.key as string | number;
		path += typeof key === "number" ? `[${key}]` : path ? `.${key}` : key;
	}
	return path || "body";
}

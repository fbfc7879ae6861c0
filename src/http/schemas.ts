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

/** The message of an object's own issues: a missing required key, or not an object at all. */
const inWords =
	(what: string, required: Record<string, string | undefined>) =>
	(issue: v.BaseIssue<unknown>): string => {
		const key = issue.path?.[0]?.key;
		const hint = typeof key === "string" ? required[key] : undefined;
		return hint ? `is required; ${hint}` : `must be ${what}`;
	};

/**
 * An object schema whose issues read as words: a missing required key says what to send
 * there (`required`), anything that is not an object that it must be `what`. Valibot would
 * answer both with its own wording ("Invalid key: Expected ... but received undefined").
 */
export const objectOf = <E extends v.ObjectEntries>(
	entries: E,
	what: string,
	required: { [K in keyof E]?: string },
) => v.object(entries, inWords(what, required));

/** An optional field that may also be null, which means absent (as in OpenAI's API). */
export const optionalField = <S extends v.GenericSchema>(schema: S) =>
	v.pipe(
		v.nullish(schema),
		v.transform((value): v.InferOutput<S> | undefined => value ?? undefined),
	);

/** An object schema that also refuses arrays (which pass valibot's object check). */
export const plainObject = <S extends v.GenericSchema<object>>(schema: S) =>
	v.pipe(
		v.unknown(),
		v.check((value) => !Array.isArray(value), "must be an object"),
		schema,
	);

export const ChatMessageSchema = objectOf(
	{
		role: v.picklist(["system", "user", "assistant"], "must be one of system, user, assistant"),
		content: v.pipe(
			v.string("must be a string"),
			v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG),
		),
	},
	"an object {role, content}",
	{ role: "send system, user or assistant", content: "send the message's text" },
);
export type ChatMessage = v.InferOutput<typeof ChatMessageSchema>;

export const ChatRequestSchema = objectOf(
	{
		messages: messagesOf(ChatMessageSchema),
		model: optionalField(ModelSchema),
		stream: optionalField(v.boolean("must be a boolean")),
		max_tokens: optionalField(MaxTokensSchema),
		temperature: optionalField(TemperatureSchema),
	},
	"a JSON object",
	{ messages: SEND_MESSAGES },
);

/** Gateway log ids: ULIDs before October 2026, UUIDv7 after; check only length and alphabet. */
export const LogIdSchema = v.pipe(
	v.string("must be a string"),
	v.regex(/^[A-Za-z0-9_-]{1,128}$/, "must be 1 to 128 letters, digits, '-' or '_'"),
);

const WITHDRAWAL =
	"a withdrawal (feedback 'clear') carries no score or comment: leave it out, or vote up or down";

const FeedbackFields = objectOf(
	{
		aiGatewayLogId: LogIdSchema,
		token: v.pipe(
			v.string("must be a string"),
			v.nonEmpty("must not be empty"),
			v.maxLength(512, "must be at most 512 characters"),
		),
		feedback: v.picklist(["up", "down", "clear"], "must be 'up', 'down' or 'clear'"),
		score: optionalField(
			v.pipe(
				v.number("must be a number"),
				v.integer("must be an integer"),
				v.minValue(0, "must be at least 0"),
				v.maxValue(100, "must be at most 100"),
			),
		),
		// Counted in Unicode code points, as the chat page counts it: an emoji is one character.
		comment: optionalField(
			v.pipe(
				v.string("must be a string"),
				v.maxCodePoints(
					LIMITS.commentChars,
					`must be at most ${LIMITS.commentChars} characters; shorten it`,
				),
			),
		),
		/** Orders one user's votes on a log: a timestamp in ms; the highest wins. */
		sequence: optionalField(
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
	},
	"a JSON object",
	{
		aiGatewayLogId: "send the aiGatewayLogId of the answer you rate",
		token: "send the feedbackToken that came with the answer",
		feedback: "send 'up', 'down' or 'clear'",
	},
);
type FeedbackFields = v.InferOutput<typeof FeedbackFields>;

/** A vote; a withdrawal (`clear`) brings no score or comment, so the store keeps none. */
export const FeedbackRequestSchema = v.pipe(
	FeedbackFields,
	v.forward(
		v.check<FeedbackFields, string>(
			({ feedback, score }) => feedback !== "clear" || score === undefined,
			WITHDRAWAL,
		),
		["score"],
	),
	v.forward(
		v.check<FeedbackFields, string>(
			({ feedback, comment }) => feedback !== "clear" || !comment,
			WITHDRAWAL,
		),
		["comment"],
	),
);

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

import * as v from "valibot";
import { LIMITS } from "../../core/limits";
import {
	CONTENT_TOO_LONG,
	MaxTokensSchema,
	ModelSchema,
	messagesOf,
	objectOf,
	plainObject,
	SEND_MESSAGES,
	TemperatureSchema,
} from "../../http/schemas";

const TextPartSchema = v.object(
	{ type: v.literal("text", 'must be "text"'), text: v.string("must be a string") },
	'must be a text part {type: "text", text}',
);

/** OpenAI message content: a string, or text parts (joined); other parts are not supported. */
const ContentSchema = v.pipe(
	v.union([v.string(), v.array(TextPartSchema)], "must be a string or an array of text parts"),
	v.transform((content) =>
		typeof content === "string" ? content : content.map((part) => part.text).join(""),
	),
	v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG),
);

const MessageEntries = {
	role: v.pipe(
		v.picklist(
			["system", "developer", "user", "assistant"],
			"must be one of system, developer, user, assistant",
		),
		// Workers AI models know no "developer" role; it is OpenAI's newer name for system.
		v.transform((role) => (role === "developer" ? "system" : role)),
	),
	content: ContentSchema,
};
const MessageSchema = objectOf(MessageEntries, "an object {role, content}", {
	role: "send system, developer, user or assistant",
	content: "send the message's text",
});

/** The OpenAI chat-completions request, as far as this Worker supports it; other fields are ignored. */
const ChatRequestEntries = {
	model: v.optional(ModelSchema),
	messages: messagesOf(MessageSchema),
	stream: v.optional(v.nullable(v.boolean("must be a boolean"))),
	stream_options: v.optional(
		v.nullable(
			plainObject(
				v.object(
					{ include_usage: v.optional(v.boolean("must be a boolean")) },
					"must be an object",
				),
			),
		),
	),
	max_tokens: v.optional(v.nullable(MaxTokensSchema)),
	max_completion_tokens: v.optional(v.nullable(MaxTokensSchema)),
	temperature: v.optional(v.nullable(TemperatureSchema)),
	top_p: v.optional(
		v.nullable(
			v.pipe(
				v.number("must be a number"),
				v.minValue(0, "must be at least 0"),
				v.maxValue(1, "must be at most 1"),
			),
		),
	),
	stop: v.optional(
		v.nullable(
			v.union(
				[v.string(), v.pipe(v.array(v.string()), v.maxLength(4, "must hold at most 4 sequences"))],
				"must be a string or an array of up to 4 strings",
			),
		),
	),
	n: v.optional(v.nullable(v.literal(1, "only 1 is supported"))),
	user: v.optional(
		v.pipe(v.string("must be a string"), v.maxLength(256, "must be at most 256 characters")),
	),
};
export const OpenAiChatRequestSchema = objectOf(ChatRequestEntries, "a JSON object", {
	messages: SEND_MESSAGES,
});

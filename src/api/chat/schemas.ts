import * as v from "valibot";
import { CHAT_ROLES } from "../../core/chat";
import { LIMITS } from "../../core/limits";
import {
	CONTENT_TOO_LONG,
	MaxTokensSchema,
	ModelSchema,
	messagesOf,
	objectOf,
	optionalField,
	SEND_MESSAGES,
	TemperatureSchema,
} from "../../http/schemas";

/** POST /api/chat's body. */
export const ChatMessageSchema = objectOf(
	{
		role: v.picklist(CHAT_ROLES, `must be one of ${CHAT_ROLES.join(", ")}`),
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

import * as v from "valibot";
import { CHAT_ROLES, CONVERSATION_ID } from "../../core/chat";
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

/** A conversation's id, sent to a router as `cf-aig-session-id`: nothing else gets through. */
const ConversationSchema = v.pipe(
	v.string("must be a string"),
	v.regex(CONVERSATION_ID, "must be 8 to 64 letters, digits, - or _ (a UUID fits)"),
);

export const ChatRequestSchema = objectOf(
	{
		messages: messagesOf(ChatMessageSchema),
		model: optionalField(ModelSchema),
		stream: optionalField(v.boolean("must be a boolean")),
		max_tokens: optionalField(MaxTokensSchema),
		temperature: optionalField(TemperatureSchema),
		conversation: optionalField(ConversationSchema),
	},
	"a JSON object",
	{ messages: SEND_MESSAGES },
);

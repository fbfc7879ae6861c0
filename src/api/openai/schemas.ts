import * as v from "valibot";
import { LIMITS } from "../../core/limits";
import { once } from "../../core/once";
import {
	CONTENT_TOO_LONG,
	isJsonObject,
	isNotArray,
	MaxTokensSchema,
	ModelSchema,
	messagesOf,
	objectOf,
	plainObject,
	SEND_MESSAGES,
	TemperatureSchema,
} from "../../http/schemas";

/** OpenAI's own words for a top-level argument it does not know (400, param null there). */
export const unrecognizedArgument = (name: string) =>
	`Unrecognized request argument supplied: ${name}`;

/**
 * The OpenAI chat-completions request schema, built by the first /v1 request (its hundred
 * parts cost start-up a millisecond). jsonBody parses with abortEarly, so a check after an
 * object runs only on a whole valid one: `check`, not valibot's `partialCheck`, suffices.
 */
export const openAiRequestSchema = once(() => {
	/** An object's message: "is required" for a missing key, else what the object must be. */
	const shape =
		(description: string) =>
		(issue: v.ObjectIssue): string =>
			issue.expected?.startsWith('"') ? "is required" : `must be ${description}`;

	const TextPartSchema = v.object(
		{ type: v.literal("text", "must be 'text'"), text: v.string("must be a string") },
		shape("{ type: 'text', text }"),
	);

	/** OpenAI message content: a string, or text parts (joined); other parts are not supported. */
	const ContentSchema = v.pipe(
		v.union([v.string(), v.array(TextPartSchema)], "must be a string or an array of text parts"),
		v.transform((content) =>
			typeof content === "string" ? content : content.map((part) => part.text).join(""),
		),
		v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG),
	);

	/**
	 * A JSON Schema, passed on as it came: any JSON object (checked with the predicates the
	 * OpenAPI converter knows as `type: object`; no valibot `record` copying it key by key).
	 */
	const JsonSchemaObject = v.pipe(
		v.unknown(),
		v.check(isNotArray, "must be an object"),
		v.check(isJsonObject, "must be a JSON schema object"),
	) as v.GenericSchema<unknown, Record<string, unknown>>;

	/** OpenAI's function names: what its API and Anthropic's accept. */
	const ToolNameSchema = v.pipe(
		v.string("must be a string"),
		v.regex(/^[A-Za-z0-9_-]{1,64}$/, "must be 1 to 64 letters, digits, '_' or '-'"),
	);

	const ToolCallSchema = v.object(
		{
			id: v.pipe(
				v.string("must be a string"),
				v.minLength(1, "must not be empty"),
				v.maxLength(256, "must be at most 256 characters"),
			),
			type: v.literal("function", "must be 'function'"),
			function: v.object(
				{
					name: ToolNameSchema,
					arguments: v.pipe(
						v.string("must be the arguments as a JSON text"),
						v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG),
					),
				},
				shape("{ name, arguments }"),
			),
		},
		shape("{ id, type: 'function', function: { name, arguments } }"),
	);

	const SystemMessageSchema = v.object(
		{
			role: v.pipe(
				v.picklist(["system", "developer"]),
				// Workers AI models know no "developer" role; it is OpenAI's newer name for system.
				v.transform((): "system" => "system"),
			),
			content: ContentSchema,
		},
		shape("a message"),
	);

	const UserMessageSchema = v.object(
		{ role: v.literal("user"), content: ContentSchema },
		shape("a message"),
	);

	/** An assistant turn: its text, or (content null) the tools it called, or both. */
	const AssistantMessageSchema = v.pipe(
		v.object(
			{
				role: v.literal("assistant"),
				content: v.optional(v.nullable(ContentSchema), null),
				tool_calls: v.optional(
					v.pipe(
						v.array(ToolCallSchema, "must be an array of tool calls"),
						v.maxLength(128, "must hold at most 128 tool calls"),
					),
				),
			},
			shape("a message"),
		),
		v.check(
			(message) => message.content !== null || (message.tool_calls?.length ?? 0) > 0,
			"an assistant message needs content, or tool_calls with content null",
		),
		v.transform((message) =>
			message.tool_calls?.length
				? { role: message.role, content: message.content, tool_calls: message.tool_calls }
				: { role: message.role, content: message.content ?? "" },
		),
	);

	/** A tool's result, answering the tool call `tool_call_id`. */
	const ToolMessageSchema = v.pipe(
		v.object(
			{
				role: v.literal("tool"),
				content: ContentSchema,
				tool_call_id: v.optional(
					v.pipe(
						v.string("must be a string"),
						v.minLength(1, "must not be empty"),
						v.maxLength(256, "must be at most 256 characters"),
					),
				),
			},
			shape("a message"),
		),
		v.forward(
			v.check(
				(message) => message.tool_call_id !== undefined,
				"is required: the id of the tool call this message answers",
			),
			["tool_call_id"],
		),
		v.transform(({ role, content, tool_call_id }) => ({
			role,
			content,
			tool_call_id: tool_call_id as string,
		})),
	);

	/** A message: an object first (a number is not a message with a bad role), then by its role. */
	const MessageSchema = v.pipe(
		v.unknown(),
		v.check(isJsonObject, "must be an object {role, content}"),
		v.variant(
			"role",
			[SystemMessageSchema, UserMessageSchema, AssistantMessageSchema, ToolMessageSchema],
			"must be one of system, developer, user, assistant, tool",
		),
	);

	const FunctionToolSchema = v.object(
		{
			type: v.literal("function", "must be 'function'"),
			function: v.object(
				{
					name: ToolNameSchema,
					description: v.optional(
						v.pipe(
							v.string("must be a string"),
							v.maxLength(LIMITS.contentChars, CONTENT_TOO_LONG),
						),
					),
					parameters: v.optional(JsonSchemaObject),
					strict: v.optional(v.nullable(v.boolean("must be a boolean"))),
				},
				shape("{ name, description, parameters }"),
			),
		},
		shape("{ type: 'function', function: { name, description, parameters } }"),
	);

	type FunctionTool = v.InferOutput<typeof FunctionToolSchema>;

	/**
	 * Two tools of one name: the model's call of it could not be told apart. Refused at the
	 * second one's name, naming the first.
	 */
	const refuseDuplicateToolNames = ({
		dataset,
		addIssue,
	}: v.RawCheckContext<FunctionTool[]>): void => {
		if (!dataset.typed) return;
		const tools = dataset.value;
		const seen = new Map<string, number>();
		for (const [index, tool] of tools.entries()) {
			const { name } = tool.function;
			const first = seen.get(name);
			if (first === undefined) {
				seen.set(name, index);
				continue;
			}
			addIssue({
				message: `'${name}' is the name of tools[${first}] too; give each tool its own name`,
				path: [
					{ type: "array", origin: "value", input: tools, key: index, value: tool },
					{ type: "object", origin: "value", input: tool, key: "function", value: tool.function },
					{ type: "object", origin: "value", input: tool.function, key: "name", value: name },
				],
			});
			return;
		}
	};

	const ToolChoiceSchema = v.union(
		[
			v.picklist(["none", "auto", "required"]),
			v.object({
				type: v.literal("function"),
				function: v.object({ name: ToolNameSchema }),
			}),
		],
		"must be 'none', 'auto', 'required' or { type: 'function', function: { name } }",
	);

	const ResponseFormatSchema = v.variant(
		"type",
		[
			v.object({ type: v.literal("text") }),
			v.object({ type: v.literal("json_object") }),
			v.object({
				type: v.literal("json_schema"),
				json_schema: v.object(
					{
						// OpenAI names a json_schema as it names a function.
						name: ToolNameSchema,
						description: v.optional(v.string("must be a string")),
						schema: v.optional(JsonSchemaObject),
						strict: v.optional(v.nullable(v.boolean("must be a boolean"))),
					},
					shape("{ name, schema }"),
				),
			}),
		],
		"must have type 'text', 'json_object' or 'json_schema'",
	);

	/**
	 * Arguments of OpenAI's chat completions that no model here is given: taken and ignored,
	 * so a client written for OpenAI works unchanged. An argument OpenAI does not know either
	 * is refused, as OpenAI refuses it.
	 */
	const IGNORED_ARGUMENTS = [
		"audio",
		"frequency_penalty",
		"logit_bias",
		"metadata",
		"modalities",
		"prediction",
		"presence_penalty",
		"prompt_cache_key",
		"reasoning_effort",
		"safety_identifier",
		"seed",
		"service_tier",
		"store",
		"verbosity",
		"web_search_options",
	] as const;
	const ignored = Object.fromEntries(
		IGNORED_ARGUMENTS.map((name) => [name, v.optional(v.unknown())]),
	) as Record<(typeof IGNORED_ARGUMENTS)[number], v.OptionalSchema<v.UnknownSchema, undefined>>;

	/**
	 * The OpenAI chat-completions request, as far as this Worker supports it. Its top-level
	 * arguments are strict (objectOf); inside them, fields this Worker does not use are
	 * ignored, as OpenAI's clients send back the assistant messages they were given whole.
	 */
	const OpenAiChatRequestSchema = v.pipe(
		objectOf(
			{
				...ignored,
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
							[
								v.string(),
								v.pipe(v.array(v.string()), v.maxLength(4, "must hold at most 4 sequences")),
							],
							"must be a string or an array of up to 4 strings",
						),
					),
				),
				n: v.optional(v.nullable(v.literal(1, "only 1 is supported"))),
				user: v.optional(
					v.pipe(v.string("must be a string"), v.maxLength(256, "must be at most 256 characters")),
				),
				tools: v.optional(
					v.nullable(
						v.pipe(
							v.array(FunctionToolSchema, "must be an array of function tools"),
							v.maxLength(128, "must hold at most 128 tools"),
							v.rawCheck(refuseDuplicateToolNames),
						),
					),
				),
				tool_choice: v.optional(v.nullable(ToolChoiceSchema)),
				parallel_tool_calls: v.optional(v.nullable(v.boolean("must be a boolean"))),
				response_format: v.optional(v.nullable(ResponseFormatSchema)),
				// Read to be refused (model-capabilities.ts, the route): each changes the answer.
				logprobs: v.optional(v.nullable(v.boolean("must be a boolean"))),
				top_logprobs: v.optional(v.nullable(v.number("must be a number"))),
				functions: v.optional(v.unknown()),
				function_call: v.optional(v.unknown()),
			},
			"a JSON object",
			{ messages: SEND_MESSAGES },
		),
		v.forward(
			v.check(
				({ tools, tool_choice }) =>
					typeof tool_choice !== "object" ||
					tool_choice === null ||
					(tools ?? []).some((tool) => tool.function.name === tool_choice.function.name),
				"must name one of the tools",
			),
			["tool_choice"],
		),
		v.forward(
			v.check(
				({ tools, tool_choice }) =>
					tool_choice === undefined || tool_choice === null || (tools?.length ?? 0) > 0,
				"is only allowed with tools",
			),
			["tool_choice"],
		),
	);
	return OpenAiChatRequestSchema;
});

export type OpenAiChatRequest = v.InferOutput<ReturnType<typeof openAiRequestSchema>>;

/**
 * Tools, tool-call histories and JSON mode: OpenAI's shapes (what /v1 takes, and what
 * OpenAI-shaped models take as they are), and their translations into Workers AI's own
 * form and Anthropic's Messages form.
 */

import type { ModelMessage } from "../core/chat";
import { callableTools, type ToolCall, type ToolOptions } from "../core/tools";
import { isObject } from "./model-output";

/** A call's arguments as a value (the models' own forms want objects), the text if it is not JSON. */
function argumentsOf(call: ToolCall): unknown {
	try {
		return JSON.parse(call.function.arguments);
	} catch {
		return call.function.arguments;
	}
}

/** OpenAI's fields as they are, for models that take OpenAI's chat-completions form. */
export function openAiToolFields(options: ToolOptions) {
	const { tools, tool_choice, parallel_tool_calls, response_format } = options;
	return { tools, tool_choice, parallel_tool_calls, response_format };
}

/**
 * Workers AI's own form (the model schemas of Llama 3.3, Llama 4 Scout, Hermes 2 Pro):
 * contents are strings, so a tool-call turn becomes its calls as JSON, as Cloudflare's
 * function-calling guide sends them; every tool and parameter needs a description; JSON
 * mode's `json_schema` is the schema itself. These models take no `tool_choice`.
 */
export function workersAiToolForm(messages: readonly ModelMessage[], options: ToolOptions) {
	const converted = messages.map((message) => {
		if (!("tool_calls" in message)) return message;
		const calls = JSON.stringify(
			message.tool_calls.map((call) => ({
				name: call.function.name,
				arguments: argumentsOf(call),
			})),
		);
		return { role: "assistant", content: message.content ? `${message.content}\n${calls}` : calls };
	});
	const tools = callableTools(options).map(({ function: fn }) => ({
		type: "function",
		function: {
			name: fn.name,
			description: fn.description ?? "",
			parameters: describedParameters(fn.parameters),
		},
	}));
	const format = options.response_format;
	const response_format =
		format?.type === "json_schema" && format.json_schema.schema
			? { type: "json_schema", json_schema: format.json_schema.schema }
			: format && format.type !== "text"
				? { type: "json_object" }
				: undefined;
	return { messages: converted, tools: tools.length > 0 ? tools : undefined, response_format };
}

/** Parameters as Workers AI's schemas require them: an object with properties, each described. */
function describedParameters(parameters: Record<string, unknown> | undefined) {
	const properties = isObject(parameters?.properties) ? parameters.properties : {};
	return {
		type: "object",
		...parameters,
		properties: Object.fromEntries(
			Object.entries(properties).map(([name, property]) => [
				name,
				isObject(property) && typeof property.description !== "string"
					? { ...property, description: "" }
					: property,
			]),
		),
	};
}

type AnthropicBlock = Record<string, unknown>;

/**
 * Anthropic's Messages form: the system prompt top level; a tool-call turn becomes
 * `tool_use` blocks, and tool results `tool_result` blocks of one user turn.
 */
export function anthropicToolForm(messages: readonly ModelMessage[], options: ToolOptions) {
	const system = messages
		.filter((message) => message.role === "system")
		.map((message) => message.content)
		.join("\n\n");
	const turns: { role: "user" | "assistant"; content: string | AnthropicBlock[] }[] = [];
	for (const message of messages) {
		if (message.role === "system") continue;
		if (message.role === "tool") {
			const result = {
				type: "tool_result",
				tool_use_id: message.tool_call_id,
				content: message.content,
			};
			const last = turns.at(-1);
			// Results of one turn's calls go back together, in one user turn.
			if (last?.role === "user" && Array.isArray(last.content)) last.content.push(result);
			else turns.push({ role: "user", content: [result] });
		} else if ("tool_calls" in message) {
			const uses = message.tool_calls.map((call) => {
				const input = argumentsOf(call);
				return {
					type: "tool_use",
					id: call.id,
					name: call.function.name,
					input: isObject(input) ? input : {},
				};
			});
			turns.push({
				role: "assistant",
				content: message.content ? [{ type: "text", text: message.content }, ...uses] : uses,
			});
		} else turns.push({ role: message.role, content: message.content });
	}
	return { system: system || undefined, messages: turns, ...anthropicTools(options) };
}

function anthropicTools(options: ToolOptions) {
	const { tools, tool_choice, parallel_tool_calls } = options;
	if (!tools?.length) return {};
	const choice: Record<string, unknown> =
		tool_choice === "required"
			? { type: "any" }
			: tool_choice === "none"
				? { type: "none" }
				: typeof tool_choice === "object"
					? { type: "tool", name: tool_choice.function.name }
					: { type: "auto" };
	if (parallel_tool_calls === false && choice.type !== "none")
		choice.disable_parallel_tool_use = true;
	return {
		tools: tools.map(({ function: fn }) => ({
			name: fn.name,
			description: fn.description,
			input_schema: fn.parameters ?? { type: "object", properties: {} },
		})),
		tool_choice: choice,
	};
}

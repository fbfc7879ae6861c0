/**
 * The parts of a request that ask for tools or JSON, and the tool-call histories in its
 * messages, checked the way each real service checks them. Each parser answers what it
 * read, or a problem (a sentence) that its caller turns into that service's error.
 */

import type { ChatMessage } from "./answers.ts";
import {
	type EmulatedTool,
	type JsonMode,
	NO_TOOLS,
	type ToolChoice,
	type ToolRequest,
} from "./tools.ts";

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
	typeof value === "object" && value !== null && !Array.isArray(value);

/** Text of a message's content: a string, or an array of `{ type: "text", text }` parts. */
export function textOf(content: unknown): string | null {
	if (typeof content === "string") return content;
	if (!Array.isArray(content)) return null;
	const texts = content.map((part) =>
		part && typeof part === "object" && typeof part.text === "string" ? part.text : null,
	);
	return texts.every((text) => text !== null) ? texts.join("") : null;
}

/**
 * OpenAI chat messages, tool-call histories included: an assistant message may have
 * `content: null` with `tool_calls`; a `tool` message must answer one of those calls.
 */
export function openAiMessages(messages: unknown[]): ChatMessage[] | string {
	const parsed: ChatMessage[] = [];
	const callIds = new Set<string>();
	for (const [index, message] of messages.entries()) {
		const {
			role,
			content,
			tool_calls: calls,
			tool_call_id: answers,
		} = isObject(message) ? message : ({} as Json);
		const at = `messages.${index}`;
		if (typeof role !== "string") return `Invalid value at ${at}: expected { role, content }`;
		if (role === "assistant" && Array.isArray(calls) && calls.length > 0) {
			for (const [position, call] of calls.entries()) {
				const fn = isObject(call) ? call.function : undefined;
				if (
					!isObject(call) ||
					typeof call.id !== "string" ||
					call.id === "" ||
					call.type !== "function" ||
					!isObject(fn) ||
					typeof fn.name !== "string" ||
					typeof fn.arguments !== "string"
				)
					return `Invalid value at ${at}.tool_calls.${position}: expected { id, type: "function", function: { name, arguments } }`;
				callIds.add(call.id);
			}
			const text = content === null || content === undefined ? "" : textOf(content);
			if (text === null) return `Invalid value at ${at}.content: expected string or null`;
			parsed.push({ role, content: `${text}${JSON.stringify(calls)}` });
			continue;
		}
		const text = textOf(content);
		if (text === null) return `Invalid value at ${at}: expected { role, content }`;
		if (role === "tool" && !(typeof answers === "string" && callIds.has(answers)))
			return `Invalid parameter at ${at}: messages with role 'tool' must be a response to a preceding message with 'tool_calls'`;
		parsed.push({ role, content: text });
	}
	return parsed;
}

const toolNameOk = (name: unknown): name is string =>
	typeof name === "string" && /^[A-Za-z0-9_-]{1,64}$/.test(name);

/** OpenAI's `tools`, `tool_choice` and `response_format`. */
export function openAiTools(inputs: Json): ToolRequest | string {
	const tools: EmulatedTool[] = [];
	if (inputs.tools !== undefined && inputs.tools !== null) {
		if (!Array.isArray(inputs.tools)) return "Invalid value at tools: expected an array";
		for (const [index, tool] of inputs.tools.entries()) {
			const fn = isObject(tool) ? tool.function : undefined;
			if (!isObject(tool) || tool.type !== "function" || !isObject(fn) || !toolNameOk(fn.name))
				return `Invalid value at tools.${index}: expected { type: "function", function: { name, parameters } }`;
			tools.push({ name: fn.name, parameters: fn.parameters ?? {} });
		}
	}
	const choice = inputs.tool_choice;
	let toolChoice: ToolChoice = "auto";
	if (choice === "none" || choice === "auto" || choice === "required") toolChoice = choice;
	else if (isObject(choice) && choice.type === "function" && isObject(choice.function)) {
		const name = choice.function.name;
		if (!tools.some((tool) => tool.name === name))
			return `Invalid value at tool_choice: no tool named ${JSON.stringify(name)}`;
		toolChoice = { name: String(name) };
	} else if (choice !== undefined && choice !== null) return "Invalid value at tool_choice";
	const format = inputs.response_format;
	let jsonMode: JsonMode | null = null;
	if (isObject(format) && format.type === "json_object") jsonMode = { schema: null };
	else if (isObject(format) && format.type === "json_schema") {
		if (!isObject(format.json_schema)) return "Invalid value at response_format.json_schema";
		jsonMode = { schema: format.json_schema.schema ?? null };
	} else if (
		format !== undefined &&
		format !== null &&
		!(isObject(format) && format.type === "text")
	)
		return "Invalid value at response_format";
	return { tools, toolChoice, jsonMode };
}

/** A Workers AI tool's parameters, as the model schemas require them: every property described. */
function workersAiParametersOk(parameters: unknown): boolean {
	if (!isObject(parameters) || typeof parameters.type !== "string") return false;
	if (!isObject(parameters.properties)) return false;
	return Object.values(parameters.properties).every(
		(property) =>
			isObject(property) &&
			typeof property.type === "string" &&
			typeof property.description === "string",
	);
}

/**
 * Workers AI's own `tools` (the flat `{ name, description, parameters }` or
 * `{ type, function: { ... } }`, description required) and `response_format`
 * (`{ type, json_schema }`, the schema itself). These models take no `tool_choice`.
 */
export function workersAiTools(inputs: Json): ToolRequest | string {
	const tools: EmulatedTool[] = [];
	if (inputs.tools !== undefined) {
		if (!Array.isArray(inputs.tools)) return "Type mismatch of '/tools', 'array' not in 'object'";
		for (const [index, tool] of inputs.tools.entries()) {
			const fn = isObject(tool) && isObject(tool.function) ? tool.function : tool;
			if (
				!isObject(fn) ||
				typeof fn.name !== "string" ||
				typeof fn.description !== "string" ||
				!workersAiParametersOk(fn.parameters)
			)
				return `oneOf at '/tools/${index}' not all met: name, description and parameters (type, properties, each with type and description) are required`;
			tools.push({ name: fn.name, parameters: fn.parameters });
		}
	}
	const format = inputs.response_format;
	let jsonMode: JsonMode | null = null;
	if (format !== undefined) {
		if (!isObject(format) || (format.type !== "json_object" && format.type !== "json_schema"))
			return "Type mismatch of '/response_format/type', expected one of json_object, json_schema";
		jsonMode = { schema: format.type === "json_schema" ? (format.json_schema ?? null) : null };
	}
	return { ...NO_TOOLS, tools, jsonMode };
}

/**
 * Anthropic's content blocks: text, `tool_use` (assistant) and `tool_result` (user, one
 * `tool` message each here, answering a `tool_use` of an earlier message).
 */
export function anthropicMessage(
	role: "user" | "assistant",
	content: unknown,
	toolUseIds: Set<string>,
): ChatMessage[] | null {
	const text = textOf(content);
	if (text !== null) return [{ role, content: text }];
	if (!Array.isArray(content)) return null;
	const parsed: ChatMessage[] = [];
	let said = "";
	for (const block of content) {
		if (!isObject(block)) return null;
		if (block.type === "text" && typeof block.text === "string") said += block.text;
		else if (role === "assistant" && block.type === "tool_use" && typeof block.id === "string") {
			if (typeof block.name !== "string" || !isObject(block.input)) return null;
			toolUseIds.add(block.id);
			said += JSON.stringify(block);
		} else if (role === "user" && block.type === "tool_result") {
			const result = block.content === undefined ? "" : textOf(block.content);
			if (
				typeof block.tool_use_id !== "string" ||
				!toolUseIds.has(block.tool_use_id) ||
				result === null
			)
				return null;
			parsed.push({ role: "tool", content: result });
		} else return null;
	}
	if (said || parsed.length === 0) parsed.push({ role, content: said });
	return parsed;
}

/** Anthropic's `tools` (`{ name, description?, input_schema }`) and `tool_choice`. */
export function anthropicTools(inputs: Json): ToolRequest | string {
	const tools: EmulatedTool[] = [];
	if (inputs.tools !== undefined) {
		if (!Array.isArray(inputs.tools))
			return "Invalid value at tools: Invalid input: expected array";
		for (const [index, tool] of inputs.tools.entries()) {
			if (!isObject(tool) || !toolNameOk(tool.name) || !isObject(tool.input_schema))
				return `Invalid value at tools.${index}: expected { name, input_schema }`;
			tools.push({ name: tool.name, parameters: tool.input_schema });
		}
	}
	const choice = inputs.tool_choice;
	let toolChoice: ToolChoice = "auto";
	if (choice !== undefined) {
		if (!isObject(choice)) return "Invalid value at tool_choice: expected object";
		if (choice.type === "any") toolChoice = "required";
		else if (choice.type === "none") toolChoice = "none";
		else if (choice.type === "tool") {
			if (!tools.some((tool) => tool.name === choice.name))
				return `Invalid value at tool_choice.name: no tool named ${JSON.stringify(choice.name)}`;
			toolChoice = { name: String(choice.name) };
		} else if (choice.type !== "auto")
			return 'Invalid value at tool_choice.type: expected one of "auto"|"any"|"tool"|"none"';
	}
	return { ...NO_TOOLS, tools, toolChoice };
}

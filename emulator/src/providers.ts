/** Model names, providers, and the request bodies each wire shape accepts. */

import { type ChatMessage, type OutputShape, outputShapeOf } from "./answers.ts";
import { gatewayError, userInputError } from "./errors.ts";
import {
	anthropicMessage,
	anthropicTools,
	openAiMessages,
	openAiTools,
	textOf,
	workersAiTools,
} from "./tool-requests.ts";
import { NO_TOOLS, type ToolRequest } from "./tools.ts";

/** A model as the gateway serves it: the provider's slug and the provider's own model id. */
export interface ModelRef {
	/** `workers-ai`, `openai`, `anthropic`, `google-ai-studio`, ... (the `cf-aig-provider` header). */
	provider: string;
	/** The model id as the provider knows it (the `cf-aig-model` header). */
	model: string;
	/** Billed through Unified Billing (every provider but Workers AI). */
	thirdParty: boolean;
}

/** Slugs the gateway accepts as a `compat` or dynamic-route provider prefix. */
const PROVIDERS = new Set([
	"workers-ai",
	"openai",
	"anthropic",
	"google-ai-studio",
	"google-vertex-ai",
	"groq",
	"mistral",
	"deepseek",
	"grok",
	"cerebras",
	"perplexity-ai",
	"openrouter",
	"cohere",
]);
const ALIASES: Record<string, string> = { google: "google-ai-studio", xai: "grok" };

export type ModelRefProblem = "no-provider" | "unknown-provider";

/**
 * Reads `provider/model` as the `compat` endpoint and dynamic routes name models:
 * `workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast`, `openai/gpt-4.1-mini`,
 * `anthropic/claude-sonnet-4`, `google/gemini-3-flash` (`google` is Google AI Studio).
 * With `bareWorkersAi` (route settings only) a bare `@cf/...` id means Workers AI.
 */
export function parseModelRef(name: string, bareWorkersAi = false): ModelRef | ModelRefProblem {
	if (/^@(cf|hf)\//.test(name)) {
		return bareWorkersAi
			? { provider: "workers-ai", model: name, thirdParty: false }
			: "no-provider";
	}
	const slash = name.indexOf("/");
	if (slash <= 0 || slash === name.length - 1) return "no-provider";
	const prefix = name.slice(0, slash);
	const provider = ALIASES[prefix] ?? prefix;
	if (!PROVIDERS.has(provider)) return "unknown-provider";
	const model = name.slice(slash + 1);
	return { provider, model, thirdParty: provider !== "workers-ai" };
}

/**
 * Third-party models `env.AI.run` takes (Unified Billing), as `{author}/{model}`: openai,
 * anthropic, google, xai, alibaba, ... (Workers AI's own ids start with `@`).
 */
const THIRD_PARTY_RUN = /^[a-z0-9][a-z0-9-]*\/[^/]/;

export function isThirdPartyRunModel(model: string): boolean {
	return THIRD_PARTY_RUN.test(model) && !model.startsWith("dynamic/");
}

/** The gateway's provider slug and model id of a third-party model on `env.AI.run`. */
export function runModelRef(model: string): ModelRef {
	const ref = parseModelRef(model);
	if (typeof ref !== "string") return ref;
	// An author the gateway's `compat` list does not name: its own slug.
	const slash = model.indexOf("/");
	return { provider: model.slice(0, slash), model: model.slice(slash + 1), thirdParty: true };
}

/** How Google models answer on `env.AI.run`: OpenAI-normalised (default) or native Gemini. */
export type GoogleWire = "openai" | "gemini";

/**
 * The shape `env.AI.run` answers a model in. Cloudflare normalises third-party models on
 * this path to OpenAI chat completions, except Anthropic, which passes through natively
 * (Cloudflare's own workers-ai-provider, `runWireFormat`).
 */
export function runShapeOf(model: string, googleWire: GoogleWire): OutputShape {
	if (model.startsWith("anthropic/")) return "anthropic";
	if (model.startsWith("google/")) return googleWire === "gemini" ? "gemini" : "openai-chat";
	if (isThirdPartyRunModel(model)) return "openai-chat";
	return outputShapeOf(model);
}

/** The model's name as its answers give it: the provider's id without the author prefix. */
export function answerModelName(model: string): string {
	return isThirdPartyRunModel(model) ? model.slice(model.indexOf("/") + 1) : model;
}

/** A chat request reduced to what the emulator needs, whatever its wire shape. */
export interface ChatRequest {
	/** Every message, a system prompt included, as plain text. */
	messages: ChatMessage[];
	maxTokens: number;
	stream: boolean;
	/** OpenAI `stream_options.include_usage`. */
	includeUsage: boolean;
	/** The tools, tool_choice and JSON mode it asks for. */
	toolRequest: ToolRequest;
}

const DEFAULT_MAX_TOKENS = 256;

const typeName = (value: unknown) =>
	value === null ? "null" : Array.isArray(value) ? "array" : typeof value;

export const missingMessages = () =>
	gatewayError(400, 5006, "Error: oneOf at '/' not all met: 'messages' or 'prompt' is required");

/** Parses a request body in `shape`; answers the error the real service would give otherwise. */
export function parseChat(
	shape: OutputShape,
	inputs: Record<string, unknown>,
): ChatRequest | Response {
	const stream = inputs.stream === true;
	const number = (value: unknown) => (typeof value === "number" ? value : undefined);
	switch (shape) {
		case "workers-ai": {
			const messages = plainMessages(inputs);
			if (!messages) return missingMessages();
			const toolRequest = workersAiTools(inputs);
			if (typeof toolRequest === "string") return workersAiInputError(toolRequest);
			// "JSON Mode currently doesn't support streaming" (Workers AI's JSON mode page); how
			// the service answers one is not documented: here, a refusal.
			if (toolRequest.jsonMode && stream)
				return workersAiInputError("JSON Mode does not support streaming");
			const maxTokens = number(inputs.max_tokens) ?? DEFAULT_MAX_TOKENS;
			return { messages, maxTokens, stream, includeUsage: false, toolRequest };
		}
		case "openai": {
			// Workers AI's OpenAI-shaped models (gpt-oss, Kimi) take chat-completions inputs.
			const messages = Array.isArray(inputs.messages)
				? openAiMessages(inputs.messages)
				: plainMessages(inputs);
			if (!messages) return missingMessages();
			if (typeof messages === "string") return workersAiInputError(messages);
			const toolRequest = openAiTools(inputs);
			if (typeof toolRequest === "string") return workersAiInputError(toolRequest);
			const maxTokens = number(inputs.max_tokens) ?? DEFAULT_MAX_TOKENS;
			return { messages, maxTokens, stream, includeUsage: false, toolRequest };
		}
		case "openai-chat": {
			if (!Array.isArray(inputs.messages) || inputs.messages.length === 0)
				return userInputError(
					`Invalid value at messages: Invalid input: expected non-empty array, received ${typeName(inputs.messages)}`,
				);
			const messages = openAiMessages(inputs.messages);
			if (typeof messages === "string") return userInputError(messages);
			const toolRequest = openAiTools(inputs);
			if (typeof toolRequest === "string") return userInputError(toolRequest);
			const maxTokens =
				number(inputs.max_completion_tokens) ?? number(inputs.max_tokens) ?? DEFAULT_MAX_TOKENS;
			const options = inputs.stream_options as { include_usage?: unknown } | undefined;
			return {
				messages,
				maxTokens,
				stream,
				includeUsage: options?.include_usage === true,
				toolRequest,
			};
		}
		case "anthropic":
			return parseAnthropic(inputs, stream);
		case "gemini":
			return parseGemini(inputs, stream);
	}
}

const workersAiInputError = (problem: string) => gatewayError(400, 5006, `Error: ${problem}`);

/** Workers AI: `messages` with string (or text-part) contents, or a `prompt`. */
function plainMessages(inputs: Record<string, unknown>): ChatMessage[] | null {
	if (Array.isArray(inputs.messages)) {
		const messages: ChatMessage[] = [];
		for (const message of inputs.messages) {
			const text = textOf(message?.content);
			if (typeof message?.role !== "string" || text === null) return null;
			messages.push({ role: message.role, content: text });
		}
		return messages;
	}
	if (typeof inputs.prompt === "string") return [{ role: "user", content: inputs.prompt }];
	return null;
}

/**
 * Anthropic Messages as the binding's path validates it before billing: `max_tokens`
 * required, `system` a top-level string, message roles `user` and `assistant` only.
 */
function parseAnthropic(inputs: Record<string, unknown>, stream: boolean): ChatRequest | Response {
	const { max_tokens: maxTokens, messages, system } = inputs;
	if (maxTokens === undefined) return userInputError("Required value missing: max_tokens");
	if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1)
		return userInputError(
			`Invalid value at max_tokens: Invalid input: expected positive integer, received ${typeName(maxTokens)}`,
		);
	if (messages === undefined) return userInputError("Required value missing: messages");
	if (!Array.isArray(messages))
		return userInputError(
			`Invalid value at messages: Invalid input: expected array, received ${typeName(messages)}`,
		);
	if (system !== undefined && typeof system !== "string")
		return userInputError(
			`Invalid value at system: Invalid input: expected string, received ${typeName(system)}`,
		);
	const parsed: ChatMessage[] = system ? [{ role: "system", content: system }] : [];
	const toolUseIds = new Set<string>();
	for (const [index, message] of messages.entries()) {
		const role = message?.role;
		if (role !== "user" && role !== "assistant")
			return userInputError(
				`Invalid value at messages.${index}.role: Invalid option: expected one of "user"|"assistant", received ${JSON.stringify(role ?? null)}` +
					(role === "system"
						? ". The Messages API takes the system prompt as the top-level `system` field"
						: ""),
			);
		const read = anthropicMessage(role, message.content, toolUseIds);
		if (read === null)
			return userInputError(
				`Invalid value at messages.${index}.content: Invalid input: expected string or array of content blocks (text, tool_use, or tool_result answering an earlier tool_use)`,
			);
		parsed.push(...read);
	}
	if (!parsed.some((message) => message.role !== "system"))
		return userInputError("Invalid value at messages: at least one message is required");
	const toolRequest = anthropicTools(inputs);
	if (typeof toolRequest === "string") return userInputError(toolRequest);
	return { messages: parsed, maxTokens, stream, includeUsage: false, toolRequest };
}

/** Gemini `generateContent`: `contents` (roles `user` and `model`), or chat `messages`. */
function parseGemini(inputs: Record<string, unknown>, stream: boolean): ChatRequest | Response {
	const config = inputs.generationConfig as { maxOutputTokens?: unknown } | undefined;
	const maxTokens =
		typeof config?.maxOutputTokens === "number"
			? config.maxOutputTokens
			: typeof inputs.max_tokens === "number"
				? inputs.max_tokens
				: DEFAULT_MAX_TOKENS;
	if (inputs.contents === undefined) {
		const messages = plainMessages(inputs);
		if (!messages) return userInputError("Required value missing: contents");
		return { messages, maxTokens, stream, includeUsage: false, toolRequest: NO_TOOLS };
	}
	if (!Array.isArray(inputs.contents))
		return userInputError(
			`Invalid value at contents: Invalid input: expected array, received ${typeName(inputs.contents)}`,
		);
	const messages: ChatMessage[] = [];
	const instruction = inputs.systemInstruction as { parts?: unknown } | undefined;
	const system = instruction ? textOf(instruction.parts) : null;
	if (system) messages.push({ role: "system", content: system });
	for (const [index, content] of inputs.contents.entries()) {
		const text = textOf(content?.parts);
		if (text === null)
			return userInputError(`Invalid value at contents.${index}.parts: expected [{ text }]`);
		messages.push({ role: content?.role === "model" ? "assistant" : "user", content: text });
	}
	return { messages, maxTokens, stream, includeUsage: false, toolRequest: NO_TOOLS };
}

/**
 * Which models can do what beyond text (function calling, JSON mode), and in which form
 * they take it: the one declaration the request translation (providers.ts), the fallback
 * choice (inference.ts) and the /v1 refusals read. Add a model here once its input schema
 * shows the feature.
 */

import { type ChatInput, hasToolHistory } from "./chat";
import { modelInfo, ROUTED_IN_GATEWAY } from "./models";
import { forcesToolCall, wantsJson } from "./tools";

/** The request form a model takes tools and JSON mode in: see gateway/tools.ts. */
export type ToolForm = "openai" | "workers-ai" | "anthropic";

export interface ModelCapabilities {
	/** The form of `tools` and tool-call histories it takes; null: no function calling. */
	tools: ToolForm | null;
	/** Honours tool_choice "required" or a named function, and parallel_tool_calls: false. */
	toolChoice: boolean;
	/** The form of `response_format` it takes; null: no JSON mode. */
	json: Exclude<ToolForm, "anthropic"> | null;
}

/**
 * Workers AI models whose inputs are OpenAI's chat completions (`ChatCompletionsInput` in
 * @cloudflare/workers-types: tools, tool_choice, parallel_tool_calls, response_format).
 */
const WORKERS_AI_OPENAI_FORM = /^@cf\/(openai\/gpt-oss-|moonshotai\/kimi-)/;

/** Workers AI models with function calling in their own form (the model catalogue's "Function calling"). */
const WORKERS_AI_FUNCTION_CALLING = new Set([
	"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	"@cf/meta/llama-4-scout-17b-16e-instruct",
	"@hf/nousresearch/hermes-2-pro-mistral-7b",
]);

/** Workers AI models with JSON mode in their own form (the JSON mode page; Llama 4 Scout's schema). */
const WORKERS_AI_JSON_MODE = new Set([
	"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	"@cf/meta/llama-4-scout-17b-16e-instruct",
	"@cf/meta/llama-3-8b-instruct",
	"@cf/meta/llama-3.1-8b-instruct",
	"@hf/nousresearch/hermes-2-pro-mistral-7b",
	"@hf/thebloke/deepseek-coder-6.7b-instruct-awq",
	"@cf/deepseek-ai/deepseek-r1-distill-qwen-32b",
]);

const OPENAI_FORM: ModelCapabilities = { tools: "openai", toolChoice: true, json: "openai" };

export function capabilitiesOf(model: string): ModelCapabilities {
	const { kind, shape } = modelInfo(model);
	// The gateway's compat endpoint takes OpenAI's form and translates for the route's models.
	if (ROUTED_IN_GATEWAY.has(kind)) return OPENAI_FORM;
	// Third-party models answer in OpenAI's shape on this path, except Anthropic's Messages.
	if (kind === "third-party") {
		return shape === "anthropic"
			? { tools: "anthropic", toolChoice: true, json: null }
			: OPENAI_FORM;
	}
	if (WORKERS_AI_OPENAI_FORM.test(model)) return OPENAI_FORM;
	return {
		tools: WORKERS_AI_FUNCTION_CALLING.has(model) ? "workers-ai" : null,
		toolChoice: false,
		json: WORKERS_AI_JSON_MODE.has(model) ? "workers-ai" : null,
	};
}

/** The parameter of `input` that `model` cannot honour, if any. */
export function refusedParameter(model: string, input: ChatInput): RefusedParameter | null {
	const can = capabilitiesOf(model);
	if (!can.tools) {
		if (hasToolHistory(input.messages)) return "messages";
		if (input.tools?.length && input.tool_choice !== "none") return "tools";
	}
	if (!can.toolChoice && input.tools?.length) {
		if (forcesToolCall(input)) return "tool_choice";
		if (input.parallel_tool_calls === false) return "parallel_tool_calls";
	}
	if (!can.json && wantsJson(input)) return "response_format";
	return null;
}

type RefusedParameter =
	| "messages"
	| "tools"
	| "tool_choice"
	| "parallel_tool_calls"
	| "response_format";

const WHY: Record<RefusedParameter, string> = {
	messages: "cannot take tool calls or tool results: it has no function calling here",
	tools: "cannot call tools here",
	tool_choice:
		'cannot be made to call a tool (tool_choice "required" or a named function): it chooses for itself',
	parallel_tool_calls: "cannot be kept to one tool call (parallel_tool_calls: false)",
	response_format: "has no JSON mode here",
};

/** What to tell a client whose request `model` cannot honour, with the allowed models that can. */
export function unsupportedMessage(
	model: string,
	param: RefusedParameter,
	input: ChatInput,
	allowedModels: Iterable<string>,
): string {
	const able = [...allowedModels].filter((other) => refusedParameter(other, input) === null);
	const others =
		able.length > 0
			? `Of the allowed models, these can: ${able.join(", ")}.`
			: "None of the allowed models can; docs/api.md (Tools and JSON mode) lists the models that can.";
	return `${param}: ${model.slice(0, 100)} ${WHY[param]}. ${others}`;
}

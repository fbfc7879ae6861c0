import type { ChatInput } from "../../core/chat";
import { type Config, resolveModel } from "../../core/config";
import { ApiError } from "../../core/errors";
import { refusedParameter, unsupportedMessage } from "../../core/model-capabilities";
import { requirePrompt } from "../../core/prompt";
import type { OpenAiChatRequest } from "./schemas";

/** Parameters that change the answer and that no model here honours. */
const NEVER_HONOURED = {
	logprobs: "no model here returns log probabilities: leave logprobs out, or false",
	top_logprobs: "no model here returns log probabilities: leave top_logprobs out",
	functions: "the deprecated functions parameter is not supported: send tools instead",
	function_call:
		"the deprecated function_call parameter is not supported: send tool_choice instead",
} as const;

const unsupported = (param: string, message: string) =>
	new ApiError(400, "unsupported_parameter", message, { param });

/**
 * The AI call a valid /v1 request asks for. Refuses (400) what no model honours, an empty
 * prompt (core/prompt.ts), a model outside the allow-list, and a parameter the chosen model cannot honour
 * (`unsupported_parameter`, naming the allowed models that can).
 */
export function chatInputOf(config: Config, body: OpenAiChatRequest): ChatInput {
	for (const [param, why] of Object.entries(NEVER_HONOURED)) {
		const value = body[param as keyof typeof NEVER_HONOURED];
		if (value !== undefined && value !== null && value !== false)
			throw unsupported(param, `${param}: ${why}`);
	}
	requirePrompt(body.messages);
	const input: ChatInput = {
		model: resolveModel(config, body.model),
		messages: body.messages,
		max_tokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
		temperature: body.temperature ?? undefined,
		top_p: body.top_p ?? undefined,
		stop: typeof body.stop === "string" ? [body.stop] : (body.stop ?? undefined),
		tools: body.tools ?? undefined,
		tool_choice: body.tool_choice ?? undefined,
		parallel_tool_calls: body.parallel_tool_calls ?? undefined,
		response_format: body.response_format ?? undefined,
		route: "/v1/chat/completions",
		user: body.user,
	};
	const param = refusedParameter(input.model, input);
	if (param)
		throw unsupported(param, unsupportedMessage(input.model, param, input, config.allowedModels));
	return input;
}

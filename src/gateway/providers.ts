import type { ModelInput } from "../core/chat";
import { capabilitiesOf } from "../core/model-capabilities";
import { modelInfo } from "../core/models";
import { anthropicToolForm, openAiToolFields, workersAiToolForm } from "./tools";

/** Anthropic's Messages API needs `max_tokens`; this is what a request without one gets. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 1024;

/**
 * The model's inputs, in its provider's format, with tools and JSON mode in the form the
 * model takes (model-capabilities.ts; a parameter it cannot take is refused before this).
 */
export function modelInputs(model: string, input: ModelInput, stream: boolean) {
	const can = capabilitiesOf(model);
	const { shape } = modelInfo(model);
	if (shape === "anthropic") {
		// Anthropic Messages: the system prompt is top level, and max_tokens is required.
		const { system, messages, tools, tool_choice } = anthropicToolForm(input.messages, input);
		return {
			...(system && { system }),
			messages,
			max_tokens: input.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
			temperature: input.temperature,
			top_p: input.top_p,
			stop_sequences: input.stop,
			stream,
			tools,
			tool_choice,
		};
	}
	const sampling = {
		max_tokens: input.max_tokens,
		temperature: input.temperature,
		top_p: input.top_p,
		stop: input.stop,
	};
	if (can.tools === "openai") {
		const openAiShaped = shape === "openai";
		return {
			messages: input.messages,
			...sampling,
			stream,
			// OpenAI-shaped streams report usage only when asked.
			...(openAiShaped && stream && { stream_options: { include_usage: true } }),
			...openAiToolFields(input),
		};
	}
	const { messages, tools, response_format } = workersAiToolForm(input.messages, input);
	const sent = {
		tools: can.tools ? tools : undefined,
		response_format: can.json ? response_format : undefined,
	};
	return {
		messages,
		...sampling,
		// JSON mode does not stream, and streamed tool calls in this form are undocumented:
		// such a request is answered whole, and streamed on as one chunk (inference.ts).
		stream: stream && !sent.tools && !sent.response_format,
		...sent,
	};
}

/** An answer as one JSON body, in each shape (answers.ts composes it). */

import {
	type Answer,
	anthropicStop,
	callId,
	compactId,
	geminiUsage,
	now,
	type OutputShape,
	openAiFinish,
	toolUseId,
} from "./answers.ts";

/** Workers AI models whose tool calls come as `{ id, type, function }` (the types' Llama 4 output). */
const NESTED_TOOL_CALLS = /^@cf\/meta\/llama-4-/;

/** A Workers AI tool call: `{ name, arguments }`, or Llama 4's `{ id, type, function }`. */
function workersAiToolCall(answer: Answer, call: NonNullable<Answer["toolCall"]>) {
	return NESTED_TOOL_CALLS.test(answer.model)
		? { id: callId(answer.id), type: "function", function: call }
		: { name: call.name, arguments: call.arguments };
}

export function jsonAnswer(shape: OutputShape, answer: Answer): unknown {
	const { id, model, text, usage, truncated, toolCall } = answer;
	switch (shape) {
		case "workers-ai":
			if (toolCall)
				return { response: "", tool_calls: [workersAiToolCall(answer, toolCall)], usage };
			return { response: "json" in answer ? answer.json : text, tool_calls: [], usage };
		case "anthropic":
			return {
				id: `msg_${compactId(id)}`,
				type: "message",
				role: "assistant",
				model,
				content: toolCall
					? [
							{
								type: "tool_use",
								id: toolUseId(id),
								name: toolCall.name,
								input: toolCall.arguments,
							},
						]
					: [{ type: "text", text }],
				stop_reason: anthropicStop(answer),
				stop_sequence: null,
				usage: { input_tokens: usage.prompt_tokens, output_tokens: usage.completion_tokens },
			};
		case "gemini":
			return {
				candidates: [
					{
						content: { parts: [{ text }], role: "model" },
						finishReason: truncated ? "MAX_TOKENS" : "STOP",
						index: 0,
					},
				],
				usageMetadata: geminiUsage(usage),
				modelVersion: model,
				responseId: compactId(id),
			};
		default:
			return {
				id: `chatcmpl-${id}`,
				object: "chat.completion",
				created: now(),
				model,
				choices: [
					{
						index: 0,
						message: toolCall
							? {
									role: "assistant",
									content: null,
									tool_calls: [
										{
											id: callId(id),
											type: "function",
											function: { name: toolCall.name, arguments: text },
										},
									],
									refusal: null,
								}
							: { role: "assistant", content: text, refusal: null },
						logprobs: null,
						finish_reason: openAiFinish(answer),
					},
				],
				usage,
			};
	}
}

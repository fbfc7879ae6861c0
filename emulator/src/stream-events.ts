/** An answer as server-sent events, in each shape (answers.ts composes it). */

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

/** One server-sent event: `event:` line if named, then one `data:` line. */
export interface StreamEvent {
	event?: string;
	data: unknown;
	/** Carries one token of the answer (paced, counted, and where a broken stream breaks). */
	isToken: boolean;
}

export function formatEvent(event: StreamEvent): string {
	const data = typeof event.data === "string" ? event.data : JSON.stringify(event.data);
	return `${event.event ? `event: ${event.event}\n` : ""}data: ${data}\n\n`;
}

/** Every event of a streamed answer in order, including the closing `[DONE]` where the shape has one. */
export function streamEvents(shape: OutputShape, answer: Answer): StreamEvent[] {
	const { id, model, tokens, usage, truncated, toolCall } = answer;
	const token = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: true });
	const other = (data: unknown, event?: string): StreamEvent => ({ event, data, isToken: false });
	const done = other("[DONE]");
	switch (shape) {
		case "workers-ai":
			if (toolCall)
				// As Cloudflare's workers-ai-provider reads them: a start, argument pieces, and a
				// closing entry of nulls.
				return [
					other({
						response: "",
						tool_calls: [
							{ index: 0, id: callId(id), type: "function", function: { name: toolCall.name } },
						],
					}),
					...tokens.map((piece) =>
						token({ response: "", tool_calls: [{ index: 0, function: { arguments: piece } }] }),
					),
					other({
						response: "",
						tool_calls: [{ id: null, type: null, function: { name: null } }],
					}),
					other({ response: "", usage }),
					done,
				];
			return [
				...tokens.map((delta) =>
					token({
						response: delta,
						p: "abcdefghijklmnopqrstuvwxyz0123456789".slice(0, (delta.length % 16) + 1),
					}),
				),
				other({ response: "", usage }),
				done,
			];
		case "anthropic": {
			const messageId = `msg_${compactId(id)}`;
			return [
				other(
					{
						type: "message_start",
						message: {
							id: messageId,
							type: "message",
							role: "assistant",
							model,
							content: [],
							stop_reason: null,
							stop_sequence: null,
							usage: { input_tokens: usage.prompt_tokens, output_tokens: 1 },
						},
					},
					"message_start",
				),
				other(
					{
						type: "content_block_start",
						index: 0,
						content_block: toolCall
							? { type: "tool_use", id: toolUseId(id), name: toolCall.name, input: {} }
							: { type: "text", text: "" },
					},
					"content_block_start",
				),
				other({ type: "ping" }, "ping"),
				...tokens.map((text) =>
					token(
						{
							type: "content_block_delta",
							index: 0,
							delta: toolCall
								? { type: "input_json_delta", partial_json: text }
								: { type: "text_delta", text },
						},
						"content_block_delta",
					),
				),
				other({ type: "content_block_stop", index: 0 }, "content_block_stop"),
				other(
					{
						type: "message_delta",
						delta: { stop_reason: anthropicStop(answer), stop_sequence: null },
						usage: { output_tokens: usage.completion_tokens },
					},
					"message_delta",
				),
				other({ type: "message_stop" }, "message_stop"),
			];
		}
		case "gemini": {
			const chunk = (text: string) => ({
				candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0 }],
				modelVersion: model,
				responseId: compactId(id),
			});
			return [
				...tokens.map((text) => token(chunk(text))),
				other({
					candidates: [
						{
							content: { parts: [{ text: "" }], role: "model" },
							finishReason: truncated ? "MAX_TOKENS" : "STOP",
							index: 0,
						},
					],
					usageMetadata: geminiUsage(usage),
					modelVersion: model,
					responseId: compactId(id),
				}),
			];
		}
		default: {
			const base = {
				id: `chatcmpl-${id}`,
				object: "chat.completion.chunk",
				created: now(),
				model,
			};
			const finish = {
				...base,
				choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: openAiFinish(answer) }],
			};
			const chunk = (delta: unknown) => ({
				...base,
				choices: [{ index: 0, delta, logprobs: null, finish_reason: null }],
			});
			const closing =
				shape === "openai"
					? [other({ ...finish, usage })]
					: [
							other(finish),
							...(answer.includeUsage ? [other({ ...base, choices: [], usage })] : []),
						];
			if (toolCall)
				// OpenAI's way: the call's id and name first, then its arguments in pieces, all at index 0.
				return [
					other(
						chunk({
							role: "assistant",
							content: null,
							tool_calls: [
								{
									index: 0,
									id: callId(id),
									type: "function",
									function: { name: toolCall.name, arguments: "" },
								},
							],
						}),
					),
					...tokens.map((piece) =>
						token(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] })),
					),
					...closing,
					done,
				];
			return [
				other(chunk({ role: "assistant", content: "" })),
				...tokens.map((content) => token(chunk({ content }))),
				...closing,
				done,
			];
		}
	}
}

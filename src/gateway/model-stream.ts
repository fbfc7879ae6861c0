import type { AnswerOutcome, Usage } from "../core/chat";
import { log } from "../core/log";
import { createSseParser } from "../core/sse";
import {
	chunkDelta,
	chunkEndsStream,
	chunkError,
	chunkFinishReason,
	chunkToolCalls,
	mergeUsage,
	newToolCallId,
	type ToolCallDelta,
	usageOf,
} from "./model-output";

/** Turns what the model streams into the bytes of one of this Worker's stream formats. */
export interface StreamFramer {
	/** Sent before anything from the model. */
	start(): string;
	delta(text: string): string;
	/**
	 * A piece of a tool call, numbered from 0 in the order the calls start; a call's first
	 * piece has its id and name. Formats that ask for no tools leave it out.
	 */
	toolCall?(piece: ToolCallDelta): string;
	/** After the model's last chunk. */
	end(summary: { usage?: Usage; finishReason: string }): string;
	/** When the model fails part-way: replaces `end`. */
	fail(): string;
}

/** Hears what a model stream carried and how it ended, as the stream is read (the feedback store). */
export interface StreamObserver {
	delta(text: string): void;
	/** Called once, when the stream ends in any way. */
	end(outcome: AnswerOutcome, usage?: Usage): void;
}

/** Whom a reframed stream tells about itself: its log id for the logs, and an observer. */
export interface StreamContext {
	aiGatewayLogId: string | null;
	observer?: StreamObserver;
}

const encoder = new TextEncoder();

/**
 * Reads the model's SSE stream, in either output shape, and re-frames it
 * with `framer`. Pull-based: each upstream chunk is forwarded as soon as it
 * is read and never held. A client that goes away cancels the upstream read,
 * which stops the inference.
 */
export function reframeModelStream(
	upstream: ReadableStream<Uint8Array>,
	framer: StreamFramer,
	{ aiGatewayLogId, observer }: StreamContext,
): ReadableStream<Uint8Array> {
	const reader = upstream.getReader();
	const decoder = new TextDecoder();
	let outgoing = "";
	let finished = false;
	let usage: Usage | undefined;
	let finishReason = "stop";
	// The model's numbering of tool calls (Anthropic counts text blocks too) to 0, 1, ...
	const toolCalls = new Map<number, number>();
	const summary = () => ({
		usage,
		// Workers AI's own shape gives no finish reason: calls mean "tool_calls".
		finishReason: toolCalls.size > 0 && finishReason === "stop" ? "tool_calls" : finishReason,
	});
	const toolCall = (piece: ToolCallDelta) => {
		if (!framer.toolCall) return;
		let index = toolCalls.get(piece.index);
		if (index === undefined) {
			index = toolCalls.size;
			toolCalls.set(piece.index, index);
			outgoing += framer.toolCall({
				index,
				id: piece.id || newToolCallId(),
				name: piece.name ?? "",
				arguments: piece.arguments ?? "",
			});
		} else if (piece.arguments) {
			outgoing += framer.toolCall({ index, arguments: piece.arguments });
		}
	};

	// The client went away (cancel below): the store records the answer as "aborted". Not a
	// failure: the upstream read that cancel breaks off must not be logged as one.
	let cancelled = false;
	const abort = () => {
		cancelled = true;
		finished = true;
		log.info("model stream aborted", { aiGatewayLogId });
		observer?.end("aborted", usage);
	};

	const fail = (reason: string) => {
		log.error("model stream failed", { reason, aiGatewayLogId });
		outgoing += framer.fail();
		finished = true;
		observer?.end("failed", usage);
	};

	const feed = createSseParser((message) => {
		if (finished) return;
		if (message.data === "[DONE]") {
			outgoing += framer.end(summary());
			finished = true;
			observer?.end("complete", usage);
			return;
		}
		let chunk: unknown;
		try {
			chunk = JSON.parse(message.data);
		} catch {
			return fail("malformed chunk");
		}
		const error = message.event === "error" ? message.data : chunkError(chunk);
		if (error) return fail(`upstream error event: ${error.slice(0, 200)}`);
		usage = mergeUsage(usage, usageOf(chunk));
		finishReason = chunkFinishReason(chunk) ?? finishReason;
		const delta = chunkDelta(chunk);
		if (delta) {
			outgoing += framer.delta(delta);
			observer?.delta(delta);
		}
		for (const piece of chunkToolCalls(chunk)) toolCall(piece);
		if (chunkEndsStream(chunk)) {
			outgoing += framer.end(summary());
			finished = true;
			observer?.end("complete", usage);
		}
	});

	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(framer.start()));
		},
		async pull(controller) {
			try {
				while (!outgoing && !finished) {
					const { done, value } = await reader.read();
					if (done) {
						feed(decoder.decode());
						if (!finished) fail("stream ended without [DONE]");
						break;
					}
					feed(decoder.decode(value, { stream: true }));
				}
			} catch (err) {
				if (!finished) fail(`read failed: ${err instanceof Error ? err.message : String(err)}`);
			}
			if (cancelled) return;
			if (outgoing) {
				controller.enqueue(encoder.encode(outgoing));
				outgoing = "";
			}
			if (finished) {
				controller.close();
				reader.cancel().catch(() => {});
			}
		},
		cancel(reason) {
			if (!finished) abort();
			return reader.cancel(reason);
		},
	});
}

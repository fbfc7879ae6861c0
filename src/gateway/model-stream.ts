import { createParser } from "eventsource-parser";
import type { AnswerOutcome, Usage } from "../core/chat";
import { log } from "../core/log";
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
 * which stops the inference. The stream ends once: complete (`[DONE]` or a last
 * chunk), failed (the model broke it), or aborted (the client went away).
 */
export function reframeModelStream(
	upstream: ReadableStream<Uint8Array>,
	framer: StreamFramer,
	context: StreamContext,
): ReadableStream<Uint8Array> {
	const reader = upstream.getReader();
	const decoder = new TextDecoder();
	/** Ended, in any way: nothing more is read or framed. */
	let finished = false;
	/** Ended by the client going away: nothing more is sent either. */
	let cancelled = false;
	/** What is framed and not yet sent. */
	let outgoing = "";
	let usage: Usage | undefined;
	let finishReason = "stop";
	/** The model's numbering of tool calls (Anthropic counts text blocks too) to 0, 1, ... */
	const toolCalls = new Map<number, number>();

	const end = (outcome: AnswerOutcome) => {
		finished = true;
		context.observer?.end(outcome, usage);
	};

	/** The model broke the stream off: the framer's failure ends it. */
	const fail = (reason: string) => {
		log.error("model stream failed", { reason, aiGatewayLogId: context.aiGatewayLogId });
		outgoing += framer.fail();
		end("failed");
	};

	const complete = () => {
		outgoing += framer.end({
			usage,
			// Workers AI's own shape gives no finish reason: calls mean "tool_calls".
			finishReason: toolCalls.size > 0 && finishReason === "stop" ? "tool_calls" : finishReason,
		});
		end("complete");
	};

	/** A piece of a tool call, renumbered; a call's first piece gets an id if it has none. */
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

	/** One SSE event of the model: `[DONE]`, an error, or a chunk of the answer. */
	const parser = createParser({
		onEvent(event) {
			if (finished) return;
			if (event.data === "[DONE]") return complete();
			let chunk: unknown;
			try {
				chunk = JSON.parse(event.data);
			} catch {
				return fail("malformed chunk");
			}
			const error = event.event === "error" ? event.data : chunkError(chunk);
			if (error) return fail(`upstream error event: ${error.slice(0, 200)}`);
			// A chunk, in any model shape: its usage, finish reason, text and tool calls.
			usage = mergeUsage(usage, usageOf(chunk));
			finishReason = chunkFinishReason(chunk) ?? finishReason;
			const delta = chunkDelta(chunk);
			if (delta) {
				outgoing += framer.delta(delta);
				context.observer?.delta(delta);
			}
			for (const piece of chunkToolCalls(chunk)) toolCall(piece);
			if (chunkEndsStream(chunk)) complete();
		},
	});

	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(framer.start()));
		},
		async pull(controller) {
			try {
				// Reads until there is something to send, or the stream has ended.
				while (!outgoing && !finished) {
					const { done, value } = await reader.read();
					if (done) {
						// The model's stream ended: complete only if it said so.
						parser.feed(decoder.decode());
						if (!finished) fail("stream ended without [DONE]");
					} else {
						parser.feed(decoder.decode(value, { stream: true }));
					}
				}
			} catch (err) {
				if (!finished) fail(`read failed: ${err instanceof Error ? err.message : String(err)}`);
			}
			if (cancelled) return;
			if (outgoing) controller.enqueue(encoder.encode(outgoing));
			outgoing = "";
			if (finished) {
				controller.close();
				reader.cancel().catch(() => {});
			}
		},
		/**
		 * The client went away: the store records the answer as "aborted". Not a failure: the
		 * upstream read that the cancel breaks off must not be logged as one.
		 */
		cancel(reason) {
			if (!finished) {
				cancelled = true;
				log.info("model stream aborted", { aiGatewayLogId: context.aiGatewayLogId });
				end("aborted");
			}
			return reader.cancel(reason);
		},
	});
}

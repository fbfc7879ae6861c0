import { createParser, type EventSourceMessage } from "eventsource-parser";
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
 * which stops the inference.
 */
export function reframeModelStream(
	upstream: ReadableStream<Uint8Array>,
	framer: StreamFramer,
	context: StreamContext,
): ReadableStream<Uint8Array> {
	const reader = upstream.getReader();
	const reframing = new Reframing(framer, context);
	return new ReadableStream<Uint8Array>({
		start(controller) {
			controller.enqueue(encoder.encode(framer.start()));
		},
		async pull(controller) {
			await readUntilOutput(reader, reframing);
			if (reframing.cancelled) return;
			const output = reframing.takeOutput();
			if (output) controller.enqueue(encoder.encode(output));
			if (reframing.finished) {
				controller.close();
				reader.cancel().catch(() => {});
			}
		},
		cancel(reason) {
			if (!reframing.finished) reframing.abort();
			return reader.cancel(reason);
		},
	});
}

/** Reads the model's stream until there is something to send, or the stream has ended. */
async function readUntilOutput(
	reader: ReadableStreamDefaultReader<Uint8Array>,
	reframing: Reframing,
): Promise<void> {
	try {
		while (!reframing.hasOutput() && !reframing.finished) {
			const { done, value } = await reader.read();
			if (done) {
				reframing.upstreamEnded();
				return;
			}
			reframing.read(value);
		}
	} catch (err) {
		if (!reframing.finished)
			reframing.fail(`read failed: ${err instanceof Error ? err.message : String(err)}`);
	}
}

/**
 * One model stream being re-framed: fed the model's bytes, it parses their SSE events,
 * frames what they carry, tells the observer, and keeps the framed text until it is taken.
 * It ends once: complete (`[DONE]` or a last chunk), failed (the model broke it), or
 * aborted (the client went away).
 */
class Reframing {
	/** Ended, in any way: nothing more is read or framed. */
	finished = false;
	/** Ended by the client going away: nothing more is sent either. */
	cancelled = false;
	#outgoing = "";
	#usage: Usage | undefined;
	#finishReason = "stop";
	/** The model's numbering of tool calls (Anthropic counts text blocks too) to 0, 1, ... */
	readonly #toolCalls = new Map<number, number>();
	readonly #decoder = new TextDecoder();
	readonly #parser = createParser({ onEvent: (event) => this.#event(event) });
	readonly #framer: StreamFramer;
	readonly #context: StreamContext;

	constructor(framer: StreamFramer, context: StreamContext) {
		this.#framer = framer;
		this.#context = context;
	}

	read(bytes: Uint8Array): void {
		this.#parser.feed(this.#decoder.decode(bytes, { stream: true }));
	}

	/** The model's stream ended: complete only if it said so. */
	upstreamEnded(): void {
		this.#parser.feed(this.#decoder.decode());
		if (!this.finished) this.fail("stream ended without [DONE]");
	}

	hasOutput(): boolean {
		return this.#outgoing !== "";
	}

	/** What is framed and not yet sent. */
	takeOutput(): string {
		const output = this.#outgoing;
		this.#outgoing = "";
		return output;
	}

	/** The model broke the stream off: the framer's failure ends it. */
	fail(reason: string): void {
		log.error("model stream failed", { reason, aiGatewayLogId: this.#context.aiGatewayLogId });
		this.#outgoing += this.#framer.fail();
		this.finished = true;
		this.#context.observer?.end("failed", this.#usage);
	}

	/**
	 * The client went away (the stream's cancel): the store records the answer as "aborted".
	 * Not a failure: the upstream read that the cancel breaks off must not be logged as one.
	 */
	abort(): void {
		this.cancelled = true;
		this.finished = true;
		log.info("model stream aborted", { aiGatewayLogId: this.#context.aiGatewayLogId });
		this.#context.observer?.end("aborted", this.#usage);
	}

	/** One SSE event of the model: `[DONE]`, an error, or a chunk of the answer. */
	#event(event: EventSourceMessage) {
		if (this.finished) return;
		if (event.data === "[DONE]") return this.#complete();
		let chunk: unknown;
		try {
			chunk = JSON.parse(event.data);
		} catch {
			return this.fail("malformed chunk");
		}
		const error = event.event === "error" ? event.data : chunkError(chunk);
		if (error) return this.fail(`upstream error event: ${error.slice(0, 200)}`);
		this.#chunk(chunk);
	}

	/** A chunk, in any model shape: its usage, finish reason, text and tool calls. */
	#chunk(chunk: unknown): void {
		this.#usage = mergeUsage(this.#usage, usageOf(chunk));
		this.#finishReason = chunkFinishReason(chunk) ?? this.#finishReason;
		const delta = chunkDelta(chunk);
		if (delta) {
			this.#outgoing += this.#framer.delta(delta);
			this.#context.observer?.delta(delta);
		}
		for (const piece of chunkToolCalls(chunk)) this.#toolCall(piece);
		if (chunkEndsStream(chunk)) this.#complete();
	}

	/** A piece of a tool call, renumbered; a call's first piece gets an id if it has none. */
	#toolCall(piece: ToolCallDelta): void {
		if (!this.#framer.toolCall) return;
		let index = this.#toolCalls.get(piece.index);
		if (index === undefined) {
			index = this.#toolCalls.size;
			this.#toolCalls.set(piece.index, index);
			this.#outgoing += this.#framer.toolCall({
				index,
				id: piece.id || newToolCallId(),
				name: piece.name ?? "",
				arguments: piece.arguments ?? "",
			});
		} else if (piece.arguments) {
			this.#outgoing += this.#framer.toolCall({ index, arguments: piece.arguments });
		}
	}

	#complete(): void {
		this.#outgoing += this.#framer.end(this.#summary());
		this.finished = true;
		this.#context.observer?.end("complete", this.#usage);
	}

	#summary(): { usage?: Usage; finishReason: string } {
		const toolCalls = this.#toolCalls;
		const finishReason = this.#finishReason;
		return {
			usage: this.#usage,
			// Workers AI's own shape gives no finish reason: calls mean "tool_calls".
			finishReason: toolCalls.size > 0 && finishReason === "stop" ? "tool_calls" : finishReason,
		};
	}
}

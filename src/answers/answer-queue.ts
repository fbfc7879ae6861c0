/**
 * The answers' way into the feedback store. With ANSWERS_QUEUE bound (wrangler.jsonc), each
 * ended answer is one queue message, and this Worker's queue() writes up to 100 of them in
 * one D1 batch; without it, the Worker writes them itself, batched per isolate
 * (store/answers.ts writeAnswer). The binding's presence is the one switch.
 */
import * as v from "valibot";
import type { Column } from "../core/columns";
import { readConfig } from "../core/config";
import { MAX_MESSAGE_BYTES } from "../core/limits";
import { ANSWERS_WRITTEN, describeError, log } from "../core/log";
import { once } from "../core/once";
import { retryDelay } from "../core/retry-policy";
import { chosen } from "../dead-letters/dead-letter-list";
import {
	dropDeadJudgements,
	JUDGE_DEAD_LETTER_QUEUE,
	JUDGE_QUEUE,
	judgeBatch,
} from "../judge/judge";
import { ANSWER_FIELDS } from "../store/answer-row";
import { type AnswerRow, chunked, writeAnswer, writeAnswerRows } from "../store/answers";
import { logStoreError, utf8Bytes } from "../store/db";
import { moveLongTranscript } from "../store/transcripts";
import { type AnswerDeadLetter, answerDeadLetters } from "./dead-letters";

/**
 * The dead-letter queue's name in wrangler.jsonc: its batches are parked, not written. A
 * renamed one would be written like the answers' queue (the same idempotent write), not lost.
 */
export const ANSWERS_DEAD_LETTER_QUEUE = "ai-gateway-feedback-chat-answers-dead-letters";

/**
 * Records one ended answer: its long transcript into R2 when TRANSCRIPTS is bound, then
 * the row onto the queue, or straight into D1 when there is no queue, the message would be
 * too large, or the queue refuses it (a Free plan past its daily operations, an outage).
 * Never throws, and never drops a transcript: when R2 fails it stays in the row.
 */
export async function storeAnswer(env: Cloudflare.Env, answer: AnswerRow): Promise<void> {
	let row = answer;
	if (env.TRANSCRIPTS) {
		try {
			row = await moveLongTranscript(env.TRANSCRIPTS, row);
		} catch (err) {
			logStoreError("store transcript in R2", row.aiGatewayLogId)(err);
		}
	}
	const queue = env.ANSWERS_QUEUE;
	if (queue) {
		const bytes = utf8Bytes(JSON.stringify(row));
		if (bytes <= MAX_MESSAGE_BYTES) {
			try {
				await queue.send(row, { contentType: "json" });
				return;
			} catch (err) {
				logStoreError("queue answer (writing it directly)", row.aiGatewayLogId)(err);
			}
		} else {
			// A long transcript with no R2 bucket to hold it.
			log.warn("feedback store: answer too large for a queue message, writing it directly", {
				aiGatewayLogId: row.aiGatewayLogId,
				bytes,
			});
		}
	}
	await writeAnswer(env.FEEDBACK_DB, row);
}

/**
 * A message as storeAnswer sends it: one AnswerRow, checked field by field as ANSWER_FIELDS
 * declares them (the cast: valibot cannot type an object built from entries). Anything else
 * is dead-lettered unread. Built by the consumer's first batch, not at start-up.
 */
const answerMessage = once(() => {
	const int = v.pipe(v.number(), v.integer());
	/** Each column type's schema (core/columns.ts). */
	const TYPE_SCHEMAS = { text: v.string(), integer: int, flag: v.boolean() };
	return v.object(
		Object.fromEntries(
			Object.entries(ANSWER_FIELDS).map(([field, declared]: [string, Column]) => {
				const type = declared.type;
				let schema: v.GenericSchema =
					typeof type === "string" ? TYPE_SCHEMAS[type] : v.picklist(type);
				// The key: an answer without one could be neither written nor replayed.
				if (field === "aiGatewayLogId") schema = v.pipe(v.string(), v.minLength(1));
				if (declared.nullable) schema = v.nullable(schema);
				if (declared.optional) schema = v.optional(schema);
				return [field, schema];
			}),
		),
	) as unknown as v.GenericSchema<unknown, AnswerRow>;
});

export const readAnswerMessage = (body: unknown): AnswerRow | undefined => {
	const parsed = v.safeParse(answerMessage(), body);
	return parsed.success ? parsed.output : undefined;
};

/**
 * The Worker's queue(), for every queue it consumes: the answers' queue writes, its
 * dead-letter queue parks; the judge's queue judges, its dead-letter queue drops (judge/).
 */
export async function answerQueue(batch: MessageBatch<unknown>, env: Cloudflare.Env) {
	const queue = batch.queue;
	if (queue === ANSWERS_DEAD_LETTER_QUEUE) return parkDeadAnswers(batch, env);
	if (queue === JUDGE_QUEUE) return judgeBatch(batch, env);
	if (queue === JUDGE_DEAD_LETTER_QUEUE) return dropDeadJudgements(batch);
	return writeAnswerBatch(batch, env);
}

/**
 * Writes a batch of answers in one D1 batch. Idempotent on the log id, so a batch that is
 * redelivered or retried after a partial failure changes nothing that is stored. When D1
 * fails, the whole batch is retried with the votes' backoff (FEEDBACK_RETRY_BASE_MS,
 * doubling, with jitter); after max_retries the queue moves it to the dead letters. A
 * message that is not an answer goes there at once.
 */
async function writeAnswerBatch(batch: MessageBatch<unknown>, env: Cloudflare.Env): Promise<void> {
	const rows: AnswerRow[] = [];
	const answers: Message<unknown>[] = [];
	for (const message of batch.messages) {
		const row = readAnswerMessage(message.body);
		if (row) {
			rows.push(row);
			answers.push(message);
			continue;
		}
		try {
			await env.ANSWERS_DEAD_LETTER_QUEUE.send(message.body, { contentType: "json" });
			message.ack();
		} catch {
			// Retried, and dead-lettered by the queue itself after max_retries.
			message.retry();
		}
	}
	try {
		const written = await writeAnswerRows(env.FEEDBACK_DB, rows);
		for (const message of answers) message.ack();
		// One line per batch: its rows, statements and time, for Workers Logs and the bench.
		if (written.rows > 0) log.info(ANSWERS_WRITTEN, { via: "queue", ...written });
	} catch (err) {
		const attempts = Math.max(...answers.map((message) => message.attempts));
		const delaySeconds = Math.round(retryDelay(readConfig(env).retry, attempts) / 1000);
		for (const message of answers) message.retry({ delaySeconds });
		log.error("feedback store: answer batch failed, retrying", {
			rows: rows.length,
			attempts,
			delaySeconds,
			detail: describeError(err, 1000),
		});
	}
}

/** Parks what the answers' queue gave up on in ANSWER_DEAD_LETTERS, for the debug API. */
async function parkDeadAnswers(batch: MessageBatch<unknown>, env: Cloudflare.Env): Promise<void> {
	const deadAt = new Date().toISOString();
	const letters = batch.messages.map((message): AnswerDeadLetter => {
		const row = readAnswerMessage(message.body);
		return row
			? { id: row.aiGatewayLogId, row, deadAt }
			: { id: `message:${message.id}`, row: null, deadAt };
	});
	await answerDeadLetters(env).add(letters);
	log.warn("feedback store: answers dead-lettered", {
		count: letters.length,
		first: letters[0]?.id,
	});
	batch.ackAll();
}

/**
 * Sends dead-lettered answers back through the queue (or writes them directly when none is
 * bound) and forgets them. Rows already stored are skipped by the write, so replaying
 * twice is harmless. Returns the log ids replayed.
 */
export async function replayDeadAnswers(
	env: Cloudflare.Env,
	aiGatewayLogIds?: readonly string[],
): Promise<string[]> {
	const list = answerDeadLetters(env);
	const letters = chosen(await list.list(), (letter) => letter.id, aiGatewayLogIds).filter(
		(letter): letter is AnswerDeadLetter & { row: AnswerRow } => letter.row !== null,
	);
	const rows = letters.map((letter) => letter.row);
	const queue = env.ANSWERS_QUEUE;
	if (queue) {
		for (const chunk of sendBatches(rows))
			await queue.sendBatch(chunk.map((body) => ({ body, contentType: "json" as const })));
	} else {
		await writeAnswerRows(env.FEEDBACK_DB, rows);
	}
	const ids = letters.map((letter) => letter.id);
	await list.remove(ids);
	return ids;
}

/** A sendBatch takes at most 100 messages and 256 KB. */
const sendBatches = (rows: readonly AnswerRow[]) =>
	chunked(rows, (row) => utf8Bytes(JSON.stringify(row)), 250_000, 100);

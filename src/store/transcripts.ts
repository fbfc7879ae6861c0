/**
 * Transcripts too long for their row, in R2 (the TRANSCRIPTS bucket): one object per answer,
 * keyed by its UTC day and log id, so the daily retention can drop whole days by prefix.
 */
import { DAY_MS } from "../core/time";
import type { AnswerRow } from "./answer-row";
import { utf8Bytes } from "./db";

/**
 * The most transcript (the conversation and the answer, as the JSON a queue message carries
 * them) a row keeps itself. A longer one goes to R2 when the bucket is bound: the row then
 * stays small, a queue message within one 64 KB billing unit, and an export reads at most
 * one object per long transcript.
 */
export const TRANSCRIPT_IN_ROW_BYTES = 32 * 1024;

const PREFIX = "transcripts/";
const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);

export const transcriptKey = (row: Pick<AnswerRow, "createdAt" | "aiGatewayLogId">) =>
	`${PREFIX}${dayOf(row.createdAt)}/${row.aiGatewayLogId}.json`;

/** What an object holds: the row's two transcript columns. */
interface Transcript {
	conversation: string | null;
	answerText: string | null;
}

/** The transcript's size as a queue message carries it (JSON, UTF-8). */
export const transcriptBytes = (row: Transcript) =>
	row.conversation === null && row.answerText === null
		? 0
		: utf8Bytes(JSON.stringify([row.conversation, row.answerText]));

/**
 * The row with its transcript moved to R2 when it is longer than TRANSCRIPT_IN_ROW_BYTES.
 * Throws when R2 fails (the caller keeps the row as it was: nothing is dropped).
 */
export async function moveLongTranscript(bucket: R2Bucket, row: AnswerRow): Promise<AnswerRow> {
	if (transcriptBytes(row) <= TRANSCRIPT_IN_ROW_BYTES) return row;
	const key = transcriptKey(row);
	const body: Transcript = { conversation: row.conversation, answerText: row.answerText };
	await bucket.put(key, JSON.stringify(body), {
		httpMetadata: { contentType: "application/json" },
	});
	return { ...row, conversation: null, answerText: null, transcriptKey: key };
}

/** Calls to R2 in flight at once: a Worker has six connections per request. */
const CONCURRENCY = 4;

/**
 * The transcripts under `keys`, by key. Throws when one is missing: an export must not
 * look complete without it.
 */
export async function readTranscripts(
	bucket: R2Bucket,
	keys: readonly string[],
): Promise<Map<string, Transcript>> {
	const found = new Map<string, Transcript>();
	const pending = [...new Set(keys)];
	const worker = async () => {
		for (let key = pending.pop(); key !== undefined; key = pending.pop()) {
			const object = await bucket.get(key);
			if (!object) throw new Error(`transcript ${key} is not in R2`);
			found.set(key, await object.json<Transcript>());
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	return found;
}

/** Objects deleted per call: R2 takes up to 1,000 keys at once. */
const DELETE_BATCH = 1000;

/** Deletes the transcripts of every UTC day before `cutoff` (whole days only). Returns how many. */
export async function deleteTranscriptsBefore(bucket: R2Bucket, cutoff: number): Promise<number> {
	const lastDay = dayOf(cutoff - DAY_MS);
	let deleted = 0;
	let cursor: string | undefined;
	do {
		const days = await bucket.list({ prefix: PREFIX, delimiter: "/", cursor });
		cursor = days.truncated ? days.cursor : undefined;
		for (const dayPrefix of days.delimitedPrefixes) {
			if (dayPrefix.slice(PREFIX.length, -1) > lastDay) continue;
			let objects: string | undefined;
			do {
				const page = await bucket.list({ prefix: dayPrefix, cursor: objects, limit: DELETE_BATCH });
				objects = page.truncated ? page.cursor : undefined;
				if (page.objects.length > 0) await bucket.delete(page.objects.map((object) => object.key));
				deleted += page.objects.length;
			} while (objects);
		}
	} while (cursor);
	return deleted;
}

import { type D1Reads, logStoreError } from "./db";
import {
	exportedFields,
	type FeedbackFilters,
	feedbackItem,
	feedbackRows,
	type Keyset,
	keysetOf,
} from "./feedback-rows";
import { readTranscripts } from "./transcripts";

/**
 * The export's formats: the rows as JSON Lines or CSV, or the golden set, a chat fine-tuning
 * dataset (docs/datasets.md).
 */
export const EXPORT_FORMATS = ["jsonl", "csv", "golden"] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Rows per D1 query: a batch with transcripts is at most about 100 KB a row. */
const BATCH = 200;

type Row = Parameters<typeof feedbackItem>[0];

/** An export row: the list's fields, then the conversation sent (parsed) and the answer's text. */
function exportItem(row: Row) {
	const item = feedbackItem(row);
	if (typeof row.conversation === "string") {
		try {
			item.conversation = JSON.parse(row.conversation);
		} catch {
			// Stored by this Worker as JSON; should it not parse, export it as the text it is.
		}
	}
	return item;
}

/**
 * The fields people type (or a model writes from what they typed): the only ones a formula
 * can be smuggled into. The rest are identifiers and values the app sets (a model id starts
 * with @), exported as they are so the dataset matches the API, the stats and the filters.
 */
const TYPED = new Set(["comment", "correction", "conversation", "answer", "judgeRationale"]);

/**
 * One CSV field (RFC 4180). Typed text that a spreadsheet would run as a formula (starting
 * with =, +, -, @, tab or CR) gets a leading apostrophe.
 */
function csvField(value: unknown, typed: boolean): string {
	if (value === null || value === undefined) return "";
	let text = typeof value === "object" ? JSON.stringify(value) : String(value);
	if (typed && typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
	return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * Line breaks that JSON leaves raw in strings (U+2028, U+2029 and U+0085), where line-splitting
 * readers such as Python's str.splitlines() would cut a record: escaped as \u2028 and so on.
 */
const RAW_BREAKS = /[\u0085\u2028\u2029]/g;
const escapeBreak = (char: string) => `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;

const jsonLine = (item: Record<string, unknown>) =>
	`${JSON.stringify(item).replace(RAW_BREAKS, escapeBreak)}\n`;

/**
 * A golden example in the chat fine-tuning shape, `{"messages": [...]}`: the conversation sent,
 * then the answer people approved (thumbs up), or in place of a rejected one (thumbs down)
 * the correction its user suggested. Any other row, or one without its transcript, gives none.
 */
function goldenLine(item: Record<string, unknown>) {
	const content = item.vote === "up" ? item.answer : item.vote === "down" ? item.correction : null;
	return Array.isArray(item.conversation) && typeof content === "string" && content
		? jsonLine({ messages: [...item.conversation, { role: "assistant", content }] })
		: "";
}

const line: Record<ExportFormat, (item: Record<string, unknown>) => string> = {
	jsonl: jsonLine,
	golden: goldenLine,
	csv: (item) =>
		`${exportedFields()
			.map((field) => csvField(item[field], TYPED.has(field)))
			.join(",")}\r\n`,
};

/**
 * Puts back the transcripts kept in R2 (store/transcripts.ts) into a batch's rows, and
 * takes their keys out. Throws when one cannot be read: the bucket unbound or the object
 * missing.
 */
async function withTranscripts(rows: Row[], bucket: R2Bucket | undefined): Promise<Row[]> {
	const keys = rows.map((row) => row.transcriptKey).filter((key) => typeof key === "string");
	if (keys.length > 0 && !bucket)
		throw new Error("transcripts are kept in R2, but TRANSCRIPTS is not bound");
	const found = bucket && keys.length > 0 ? await readTranscripts(bucket, keys) : undefined;
	return rows.map(({ transcriptKey, ...row }) => {
		const transcript = typeof transcriptKey === "string" ? found?.get(transcriptKey) : undefined;
		return transcript
			? { ...row, conversation: transcript.conversation, answer: transcript.answerText }
			: row;
	});
}

/**
 * The whole filtered feedback as JSON Lines or CSV, read from D1 in keyset batches as the
 * client takes them: memory stays flat whatever the size. Transcripts kept in R2 are read
 * back in, each batch's at once. A failing read errors the stream, so the client sees a
 * broken download, never a short one that looks complete.
 */
export function exportStream(
	db: D1Reads,
	filters: FeedbackFilters,
	format: ExportFormat,
	transcripts?: R2Bucket,
): ReadableStream<Uint8Array> {
	const encoder = new TextEncoder();
	let after: Keyset | undefined;
	// The default high-water mark of one chunk: one batch read ahead, no more.
	return new ReadableStream<Uint8Array>({
		start(controller) {
			if (format === "csv") controller.enqueue(encoder.encode(`${exportedFields().join(",")}\r\n`));
		},
		async pull(controller) {
			let rows: Row[];
			try {
				rows = await withTranscripts(
					await feedbackRows(db, filters, after, BATCH, true),
					transcripts,
				);
			} catch (err) {
				logStoreError("export", after?.aiGatewayLogId ?? "")(err);
				throw err;
			}
			const last = rows.at(-1);
			if (last) {
				after = keysetOf(last);
				const text = rows.map((row) => line[format](exportItem(row))).join("");
				controller.enqueue(encoder.encode(text));
			}
			if (rows.length < BATCH) controller.close();
		},
	});
}

import { describeError, log } from "../core/log";

/** Logs a failed write to the feedback store: what failed and for which log, never the data. */
export const logStoreError = (what: string, aiGatewayLogId: string) => (err: unknown) =>
	log.error(`feedback store: ${what} failed`, { aiGatewayLogId, detail: describeError(err, 1000) });

const encoder = new TextEncoder();

/** The bytes of `text` in UTF-8: what D1, R2 and Queues count. */
export const utf8Bytes = (text: string) => encoder.encode(text).length;

/** What the store reads from: the database, or a session on it (D1 read replicas). */
export type D1Reads = D1Database | D1DatabaseSession;

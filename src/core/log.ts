/**
 * The Worker's one logger: a JSON line per event with a `message` field, which Workers Logs
 * indexes field by field. Callers pass only well-known fields: prompts, answers, comments
 * and secrets never reach the logs.
 */

type Fields = Record<string, string | number | boolean | null | undefined>;

const line = (message: string, fields?: Fields) => JSON.stringify({ message, ...fields });

export const log = {
	info: (message: string, fields?: Fields) => console.log(line(message, fields)),
	warn: (message: string, fields?: Fields) => console.warn(line(message, fields)),
	error: (message: string, fields?: Fields) => console.error(line(message, fields)),
};

/**
 * The message of the one log line per D1 batch of answers (the queue's consumer, or the
 * Worker itself without a queue; store/answers.ts AnswersWritten has its fields): an operator
 * reads the store's write cost in Workers Logs, and `npm run bench` counts D1 writes per
 * answer from the same line. Here, without imports, so that the bench's Node can read it.
 */
export const ANSWERS_WRITTEN = "feedback store: answers written";

/** What went wrong, as "Name: message", cut short: enough to find the cause, never a payload. */
export function describeError(err: unknown, maxChars = 300): string {
	const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err ?? "");
	return text.slice(0, maxChars);
}

/** Reading the feedback store: each log's latest vote with its answer, filtered, newest first. */
import { type Columns, columnOf } from "../core/columns";
import { once } from "../core/once";
import { type DeliveryState, VOTE_FIELDS, type Vote } from "../core/votes";
import { ANSWER_FIELDS } from "./answer-row";
import type { D1Reads } from "./db";

export interface FeedbackFilters {
	/** The served model. */
	model?: string;
	vote?: Vote;
	state?: DeliveryState;
	hasComment?: boolean;
	/**
	 * Whether the judge's verdict agrees with the vote (good with up, bad with down): false
	 * lists the disagreements. Either way only answers with both a verdict and an up or down.
	 */
	judgeAgrees?: boolean;
	/** The feedback's creation time (its first vote), ms: since inclusive, until exclusive. */
	since?: number;
	until?: number;
}

/** A position in the list's order: after the row with this creation time and log id. */
export interface Keyset {
	createdAt: number;
	aiGatewayLogId: string;
}

type Row = Record<string, string | number | null>;

/** A declared field as the list shows it: its name there, and how the query selects it. */
interface Listed {
	name: string;
	sql: string;
}

/** The transcript's fields: only the export reads them. */
const TRANSCRIPT_FIELDS = ["conversation", "answerText", "transcriptKey"];

/**
 * The list's columns, derived from the declarations by the admin API's first read rather
 * than at start-up: the query's select lists, the exported field names and the flags.
 */
const columns = once(() => {
	/** The listed flags (stored as 0 or 1), shown as booleans: listed() adds them. */
	const flags = new Set<string>();
	/**
	 * A declaration's fields as the list shows them, in its order: all but those left out, some
	 * renamed. A field added to a declaration is listed and exported with no change here.
	 */
	const listed = (
		alias: "a" | "v",
		fields: Columns,
		leftOut: readonly string[],
		renamed: Record<string, string> = {},
	): Listed[] =>
		Object.entries(fields)
			.filter(([field]) => !leftOut.includes(field))
			.map(([field, declared]) => {
				const name = renamed[field] ?? field;
				if (declared.type === "flag") flags.add(name);
				return { name, sql: `${alias}.${columnOf(field, declared)} ${name}` };
			});
	/**
	 * The fields of a row, named as the admin API names them: the log id, when its first vote
	 * reached the store, the answer's fields (the served model as `model`, its creation time as
	 * `answeredAt`), then the vote's and its delivery's.
	 */
	const LISTED: Listed[] = [
		{ name: "aiGatewayLogId", sql: "v.ai_gateway_log_id aiGatewayLogId" },
		{ name: "createdAt", sql: "v.created_at createdAt" },
		...listed("a", ANSWER_FIELDS, ["aiGatewayLogId", "gatewayId", ...TRANSCRIPT_FIELDS], {
			servedModel: "model",
			createdAt: "answeredAt",
		}),
		...listed("v", VOTE_FIELDS, ["aiGatewayLogId", "gatewayId", "failedAt"]),
		// The judge's verdict on the answer, when it ran (migrations/0007_judge.sql): its own
		// gateway log id opens the judge's call beside the answer's.
		// Each is named as its column in camelCase, after "judge" where the column does not start so.
		...[
			"outcome",
			"verdict",
			"score",
			"rationale",
			"judge_model",
			"rubric_version",
			"judge_log_id",
			"judged_at",
		].map((column) => {
			const name = (column.startsWith("judge") ? column : `judge_${column}`).replace(
				/_(.)/g,
				(_, letter: string) => letter.toUpperCase(),
			);
			return { name, sql: `j.${column} ${name}` };
		}),
	];
	/**
	 * The transcript: the conversation sent and the answer's text, exported, and where a
	 * transcript too long for its row is (store/transcripts.ts), read but never exported.
	 */
	const TRANSCRIPT = listed(
		"a",
		ANSWER_FIELDS,
		Object.keys(ANSWER_FIELDS).filter((field) => !TRANSCRIPT_FIELDS.includes(field)),
		{ answerText: "answer" },
	);
	return {
		sql: LISTED.map(({ sql }) => sql).join(", "),
		transcriptSql: `, ${TRANSCRIPT.map(({ sql }) => sql).join(", ")}`,
		/** The names of a row's exported fields, in order (with the transcript's). */
		fields: [...LISTED, ...TRANSCRIPT]
			.map(({ name }) => name)
			.filter((name) => name !== "transcriptKey"),
		flags,
	};
});

/** The names of a row's exported fields, in order (with the transcript's). */
export const exportedFields = (): string[] => columns().fields;

/** The SQL of one page (or export batch) of rows after `after`, in the list's order. */
export function feedbackQuery(
	filters: FeedbackFilters,
	after: Keyset | undefined,
	limit: number,
	transcripts = false,
) {
	const where: string[] = [];
	const params: (string | number)[] = [];
	const add = (condition: string, ...values: (string | number)[]) => {
		where.push(condition);
		params.push(...values);
	};
	// Unary +: walk the votes in the list's order and check each answer's model, rather than
	// gather the model's answers through any index on it and sort them for every page.
	if (filters.model !== undefined) add("+a.served_model = ?", filters.model);
	if (filters.vote) add("v.vote = ?", filters.vote);
	if (filters.state) add("v.state = ?", filters.state);
	if (filters.hasComment !== undefined)
		add(filters.hasComment ? "v.comment IS NOT NULL" : "v.comment IS NULL");
	if (filters.judgeAgrees !== undefined)
		// One expression of both, so the votes are walked in the list's order, not sorted by vote.
		add(
			`j.verdict || ' ' || v.vote IN (${filters.judgeAgrees ? "'good up', 'bad down'" : "'good down', 'bad up'"})`,
		);
	if (filters.since !== undefined) add("v.created_at >= ?", filters.since);
	if (filters.until !== undefined) add("v.created_at < ?", filters.until);
	if (after)
		add("(v.created_at, v.ai_gateway_log_id) < (?, ?)", after.createdAt, after.aiGatewayLogId);
	const selected = columns();
	const sql = `SELECT ${selected.sql}${transcripts ? selected.transcriptSql : ""}
FROM votes v LEFT JOIN answers a ON a.ai_gateway_log_id = v.ai_gateway_log_id
LEFT JOIN judge_verdicts j ON j.ai_gateway_log_id = v.ai_gateway_log_id
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY v.created_at DESC, v.ai_gateway_log_id DESC LIMIT ?`;
	return { sql, params: [...params, limit] };
}

/** One page (or export batch) of rows after `after`, in the list's order. */
export async function feedbackRows(
	db: D1Reads,
	filters: FeedbackFilters,
	after: Keyset | undefined,
	limit: number,
	transcripts = false,
): Promise<Row[]> {
	const { sql, params } = feedbackQuery(filters, after, limit, transcripts);
	const { results } = await db
		.prepare(sql)
		.bind(...params)
		.all<Row>();
	return results;
}

type Cell = string | number | null | undefined;

/** A row as the admin API shows it: times as ISO 8601, flags as booleans. */
export function feedbackItem(row: Row): Record<string, unknown> {
	const item: Record<string, unknown> = { ...row };
	const { flags } = columns();
	for (const [key, value] of Object.entries(row) as [string, Cell][]) {
		if (value == null) continue;
		if (key.endsWith("At")) item[key] = new Date(Number(value)).toISOString();
		else if (flags.has(key)) item[key] = value === 1;
	}
	return item;
}

export const keysetOf = (row: Row): Keyset => ({
	createdAt: Number(row.createdAt),
	aiGatewayLogId: String(row.aiGatewayLogId),
});

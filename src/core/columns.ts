/**
 * A table row declared once: each field of the row, its column and its type, in the order
 * written. The row's TypeScript type (RowOf), the SQL column lists and each row's values
 * derive from such a declaration (core/votes.ts VOTE_FIELDS, store/answer-row.ts
 * ANSWER_FIELDS), and scripts/check-store-schema.mjs (in `npm run check`) checks their
 * columns against migrations/. Imports nothing, so scripts run it in Node as it is.
 */

/** A column's values: SQLite's text or integer, a boolean stored as 0 or 1, or one of a list of texts. */
interface Types {
	text: string;
	integer: number;
	flag: boolean;
}

export interface Column {
	/** Its column, when not the field's name in snake_case (`castAt` is `cast_at`). */
	column?: string;
	type: keyof Types | readonly string[];
	/** May be null, in the row and in the column. */
	nullable?: boolean;
	/** May be left out of the row (then stored as null). */
	optional?: boolean;
}

export type Columns = Readonly<Record<string, Column>>;

type ValueOf<C extends Column> =
	| (C["type"] extends readonly string[] ? C["type"][number] : Types[C["type"] & keyof Types])
	| (C["nullable"] extends true ? null : never);

type Flatten<T> = { [K in keyof T]: T[K] };

/** The row a declaration describes: its optional fields optional, its nullable ones nullable. */
export type RowOf<T extends Columns> = Flatten<
	{
		-readonly [K in keyof T as T[K]["optional"] extends true ? never : K]: ValueOf<T[K]>;
	} & {
		-readonly [K in keyof T as T[K]["optional"] extends true ? K : never]?: ValueOf<T[K]>;
	}
>;

/** What D1 binds: a boolean as 0 or 1, and a missing value as null. */
export type SqlValue = string | number | null;

/** A field's value as its column stores it. */
export const sqlValue = (value: unknown): SqlValue =>
	value === undefined || value === null
		? null
		: typeof value === "boolean"
			? Number(value)
			: (value as string | number);

/** The column of `field`, declared as `declared`. */
export const columnOf = (field: string, declared: Column): string =>
	declared.column ?? field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

/** The columns of a declaration, in its order. */
export const columnsOf = (fields: Columns): string[] =>
	Object.entries(fields).map(([field, declared]) => columnOf(field, declared));

// Types of comparison.js for the unit tests (the pages themselves have no build step).

/** A row of GET /api/admin/stats (`models[]` or `days[]`): what a comparison reads of it. */
interface Row {
	model: string;
	day?: string;
	up: number;
	down: number;
	judgeGood?: number;
	judgeBad?: number;
}

interface Measure {
	up: (row: Row) => number;
	down: (row: Row) => number;
	noun: string;
}

export const THUMBS: Measure;
export const JUDGE: Measure;

export function comparisonOf(
	a: Row,
	b: Row,
	days: Row[],
	measure?: Measure,
): { verdict: "differ" | "undecided" | "no-data"; text: string };

export function renderComparison(stats: { models: Row[]; days: Row[] }): void;
export function compare(): void;

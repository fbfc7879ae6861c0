#!/usr/bin/env node
// The feedback store's tables against their declarations: applies migrations/ to an
// in-memory SQLite, reads each table's columns (PRAGMA table_info) and compares them with the
// columns its writer writes (src/store/answers.ts ANSWER_COLUMNS, from store/answer-row.ts
// ANSWER_FIELDS; src/store/votes.ts VOTE_COLUMNS, from core/votes.ts VOTE_FIELDS). Fails on
// a column no declaration names (a migration with no field) or a declared one no migration
// made (a field with no migration). `npm run check` runs it.
//
//   node scripts/check-store-schema.mjs [--migrations DIR]   (the tooling test passes another)
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { importTs } from "./import-ts.mjs";
import { root } from "./local-config.mjs";

const dirArg = process.argv.indexOf("--migrations");
const migrations =
	dirArg === -1 ? resolve(root, "migrations") : resolve(process.argv[dirArg + 1] ?? ".");

/** The tables' columns once every migration has run, in file order as wrangler applies them. */
export function migratedColumns(dir) {
	const db = new DatabaseSync(":memory:");
	for (const file of readdirSync(dir)
		.filter((name) => name.endsWith(".sql"))
		.sort())
		db.exec(readFileSync(resolve(dir, file), "utf8"));
	const columns = (table) =>
		db
			.prepare(`PRAGMA table_info(${table})`)
			.all()
			.map(({ name }) => String(name));
	return { answers: columns("answers"), votes: columns("votes") };
}

/** What is wrong between a table's columns and its declared ones: a line each. */
export function schemaProblems(table, migrated, declared) {
	return [
		...migrated
			.filter((column) => !declared.includes(column))
			.map(
				(column) => `${table}.${column}: a migration adds this column, but no field declares it`,
			),
		...declared
			.filter((column) => !migrated.includes(column))
			.map((column) => `${table}.${column}: declared, but no migration adds this column`),
	];
}

if (import.meta.main) {
	const migrated = migratedColumns(migrations);
	const { ANSWER_COLUMNS } = await importTs("src/store/answers.ts");
	const { VOTE_COLUMNS } = await importTs("src/store/votes.ts");
	const problems = [
		...schemaProblems("answers", migrated.answers, ANSWER_COLUMNS),
		...schemaProblems("votes", migrated.votes, VOTE_COLUMNS),
	];
	if (problems.length > 0) {
		console.error(
			`The feedback store's declarations and ${migrations} disagree:\n${problems.map((line) => `  ${line}`).join("\n")}\nA field needs its column: declare it (src/core/votes.ts VOTE_FIELDS, src/store/answer-row.ts ANSWER_FIELDS) and add a migration (docs/feedback-store.md).`,
		);
		process.exit(1);
	}
	console.log(
		`check-store-schema: answers (${migrated.answers.length} columns) and votes (${migrated.votes.length}) match their declarations`,
	);
}

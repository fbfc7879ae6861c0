#!/usr/bin/env node
// How many answers fit in a gigabyte of the feedback store (docs/feedback-store.md, "Past
// 10 GB"): for each transcript size, a fresh local D1 (SQLite in workerd, through Miniflare)
// gets the schema of migrations/ and N synthetic answers (scripts/seed-feedback.mjs, 35% of
// them voted), and D1's own size_after gives the bytes per answer, indexes and votes included.
//
//   node scripts/measure-store-size.mjs [--answers 2000]
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { root } from "./local-config.mjs";
import { answerInsert, generate, voteInsert } from "./seed-feedback.mjs";

const { values } = parseArgs({ options: { answers: { type: "string", default: "2000" } } });
const ANSWERS = Number(values.answers);

/** Transcript sizes (conversation and answer together, bytes): none, then a short question, ... */
const PROFILES = [
	{ name: "no transcripts (the default)", bytes: 0 },
	{ name: "transcripts, one short question and answer", bytes: 1_000 },
	{ name: "transcripts, a few turns", bytes: 4_000 },
	{ name: "transcripts, a long conversation", bytes: 16_000 },
	{ name: "transcripts at the most a row keeps with R2 bound", bytes: 32 * 1024 },
];

const migrations = readdirSync(resolve(root, "migrations"))
	.filter((file) => file.endsWith(".sql"))
	.sort()
	.flatMap((file) =>
		readFileSync(resolve(root, "migrations", file), "utf8")
			.replace(/--.*$/gm, "")
			.split(";")
			.map((statement) => statement.trim())
			.filter(Boolean),
	);

/** One row's INSERT, as the Worker writes it (scripts/seed-feedback.mjs answerInsert, voteInsert). */
const insertOf = (table, { columns }) =>
	`INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(",")})`;
const ANSWER_INSERT = insertOf("answers", answerInsert);
const VOTE_INSERT = insertOf("votes", voteInsert);

/** A transcript of about `bytes`: a conversation as JSON, and an answer, a quarter of it. */
function transcript(bytes, i) {
	if (bytes === 0) return [null, null];
	const words = (n) =>
		`${i} ${"lorem ipsum dolor sit amet ".repeat(Math.ceil(n / 27))}`.slice(0, n);
	const answer = words(Math.round(bytes / 4));
	const conversation = JSON.stringify([
		{ role: "user", content: words(bytes - answer.length - 40) },
	]);
	return [conversation, answer];
}

async function measure(profile) {
	const mf = new Miniflare(
		convertV4MiniflareOptions({
			modules: true,
			script: "export default { fetch: () => new Response(null) }",
			d1Databases: { DB: `size-${profile.bytes}` },
		}),
	);
	try {
		const db = await mf.getD1Database("DB");
		for (const statement of migrations) await db.prepare(statement).run();
		const empty = (await db.prepare("SELECT 1").run()).meta.size_after;
		const { answerRows, voteRows } = generate({
			answers: ANSWERS,
			days: 30,
			transcripts: false,
			seed: 20,
		});
		const rows = answerRows.map((row, i) => {
			const [conversation, answerText] = transcript(profile.bytes, i);
			return answerInsert.values({ ...row, conversation, answerText });
		});
		for (let i = 0; i < rows.length; i += 100)
			await db.batch(rows.slice(i, i + 100).map((row) => db.prepare(ANSWER_INSERT).bind(...row)));
		for (let i = 0; i < voteRows.length; i += 100)
			await db.batch(
				voteRows
					.slice(i, i + 100)
					.map((row) => db.prepare(VOTE_INSERT).bind(...voteInsert.values(row))),
			);
		const size = (await db.prepare("SELECT 1").run()).meta.size_after - empty;
		return { ...profile, answers: rows.length, votes: voteRows.length, size };
	} finally {
		await mf.dispose();
	}
}

console.log(`${ANSWERS} answers per profile, 35% voted; sizes from D1's size_after.\n`);
console.log("| transcript per answer | bytes per answer | answers per GB |");
console.log("|---|---|---|");
for (const profile of PROFILES) {
	const result = await measure(profile);
	const perAnswer = result.size / result.answers;
	console.log(
		`| ${profile.name} (${profile.bytes.toLocaleString("en-US")} B) | ${Math.round(perAnswer).toLocaleString("en-US")} | ${Math.round(1e9 / perAnswer).toLocaleString("en-US")} |`,
	);
}

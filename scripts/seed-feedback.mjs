#!/usr/bin/env node
// Seeds the local feedback store (the FEEDBACK_DB D1 of `npm run dev`) with synthetic
// answers, votes and judge verdicts, for the /insights page and the store's benchmark.
// Straight into the local D1 with `wrangler d1 execute --local` and batched SQL: no route,
// nothing in the production bundle. Deterministic for a given --seed. `--help` says how to call it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
// The emulator's seeded generator (Node strips its types): the same data for the same seed.
import { seededRandom } from "../emulator/src/random.ts";
import { DAY_MS } from "../src/core/time.ts";
import { applyLocalMigrations, wranglerBin } from "./d1-local.mjs";
import { importTs } from "./import-ts.mjs";
import { root } from "./local-config.mjs";

/** Served models: share of the traffic, up-rate of their votes, typical latency. */
const MODELS = [
	{
		name: "@cf/meta/llama-3.3-70b-instruct-fp8-fast",
		share: 0.4,
		upRate: 0.74,
		ttfbMs: 420,
		perTokenMs: 9,
	},
	{
		name: "@cf/meta/llama-4-scout-17b-16e-instruct",
		share: 0.2,
		upRate: 0.66,
		ttfbMs: 300,
		perTokenMs: 6,
	},
	{ name: "@cf/openai/gpt-oss-120b", share: 0.25, upRate: 0.71, ttfbMs: 650, perTokenMs: 11 },
	{ name: "@cf/moonshotai/kimi-k2.6", share: 0.15, upRate: 0.6, ttfbMs: 800, perTokenMs: 14 },
];
/** The share of answers asked of the Auto Router (`cloudflare/auto`), which picks among MODELS. */
const ROUTED_SHARE = 0.3;
/** The judge of the seeded verdicts: JUDGE_MODEL's default in wrangler.jsonc. */
const JUDGE_MODEL = "@cf/meta/llama-4-scout-17b-16e-instruct";
const COMMENTS = [
	"Out of date",
	"Exactly what I needed, thanks",
	"Too long",
	"Wrong about the pricing",
	"Clear and short",
	"Missed the point of the question",
	'Quoted "the docs" correctly, but the example fails',
	"Good, but cite a source next time",
	"Hallucinated an API that does not exist",
	"Nice formatting",
];
const QUESTIONS = [
	"What is Cloudflare?",
	"How do I bind D1 to a Worker?",
	"Explain Durable Objects in two sentences.",
	"Write a haiku about latency.",
	"How does AI Gateway caching work?",
	"What is a Wilson interval?",
];
/** The share of answers the LLM judge judged (JUDGE_SAMPLE_RATE), and its rationales. */
const JUDGED_SHARE = 0.5;
const RATIONALES = {
	good: [
		"Correct, complete and to the point.",
		"Answers the question directly, with a working example.",
		"Accurate; a little long, but clear.",
	],
	bad: [
		"States a wrong fact about the product.",
		"Does not answer the question asked.",
		"Invents an API that does not exist.",
		"Far too long for a simple question.",
	],
};
/** D1 takes SQL statements of up to 100 KB. */
const STATEMENT_BYTES = 90_000;

/** The model a number in [0, 1) falls on, by the models' shares of the traffic. */
function pickModel(roll) {
	let sum = 0;
	for (const model of MODELS) {
		sum += model.share;
		if (roll < sum) return model;
	}
	return MODELS[0];
}

/** A UUIDv7-shaped log id for a time, like the gateway's. */
function logId(rand, time) {
	const hex = time.toString(16).padStart(12, "0");
	const tail = Array.from({ length: 20 }, () => Math.floor(rand() * 16).toString(16)).join("");
	return `${hex.slice(0, 8)}-${hex.slice(8)}-7${tail.slice(0, 3)}-${((Number.parseInt(tail[3], 16) & 3) | 8).toString(16)}${tail.slice(4, 7)}-${tail.slice(7, 19)}`;
}

const sql = (value) =>
	value === null || value === undefined
		? "NULL"
		: typeof value === "number"
			? String(value)
			: `'${String(value).replaceAll("'", "''")}'`;

/** Answers and votes as the Worker and the delivery objects would have written them. */
export function generate({ answers, days, transcripts, seed, now = Date.now() }) {
	const rand = seededRandom(seed);
	// Which answers the Auto Router routed, and why, from a generator of their own: the rest
	// of the data stays as it was for a seed.
	const routing = seededRandom(seed + 1);
	// The judge's verdicts, from a third generator.
	const judging = seededRandom(seed + 2);
	const pick = (items) => items[Math.floor(rand() * items.length)];
	const lognormal = (median, spread = 0.45) => {
		const u = Math.max(rand(), 1e-9);
		const v = rand();
		return median * Math.exp(spread * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
	};
	const answerRows = [];
	const voteRows = [];
	const verdictRows = [];
	for (let i = 0; i < answers; i++) {
		// Traffic grows a little over the period.
		const age = days * DAY_MS * (1 - Math.sqrt(rand()));
		const createdAt = Math.floor(now - age);
		const model = pickModel(rand());
		const streamed = rand() < 0.7;
		const completion = 50 + Math.floor(rand() * 550);
		const prompt = 20 + Math.floor(rand() * 380);
		const firstText = Math.round(lognormal(model.ttfbMs));
		const total = Math.round(firstText + completion * model.perTokenMs * lognormal(1, 0.2));
		const id = logId(rand, createdAt);
		const question = pick(QUESTIONS);
		const routed = routing() < ROUTED_SHARE;
		const reasonRoll = routing();
		answerRows.push({
			aiGatewayLogId: id,
			gatewayId: "default",
			createdAt,
			route: rand() < 0.8 ? "/api/chat" : "/v1/chat/completions",
			requestedModel: routed ? "cloudflare/auto" : model.name,
			servedModel: model.name,
			provider: "workers-ai",
			step: null,
			routingReason: routed
				? reasonRoll < 0.6
					? "cost_optimal_within_pool"
					: reasonRoll < 0.92
						? "pinned_by_turn"
						: "fallback_candidate_unavailable"
				: null,
			routingDecisionId: routed ? logId(routing, createdAt) : null,
			streamed,
			outcome: "complete",
			ttfbMs: streamed ? firstText : total,
			totalMs: total,
			promptTokens: prompt,
			completionTokens: completion,
			totalTokens: prompt + completion,
			cached: false,
			conversation: transcripts ? JSON.stringify([{ role: "user", content: question }]) : null,
			answerText: transcripts
				? `An answer to "${question}" in ${completion} tokens. ${"Lorem ipsum dolor sit amet. ".repeat(4 + Math.floor(rand() * 8))}`
				: null,
			transcriptKey: null,
		});
		// Each model's up-rate drifts a little from day to day.
		const drift = 0.06 * Math.sin(createdAt / DAY_MS / 5 + model.share * 10);
		const voted = rand() < 0.35;
		const vote = !voted
			? null
			: rand() < 0.05
				? "clear"
				: rand() < model.upRate + drift
					? "up"
					: "down";
		if (judging() < JUDGED_SHARE) {
			// A judge that mostly sides with people: good on 85% of the answers voted up, bad on
			// 70% of those voted down; on the others, about as often as people vote up.
			const roll = judging();
			const good =
				vote === "up" ? roll < 0.85 : vote === "down" ? roll >= 0.7 : roll < model.upRate;
			const unparseable = judging() < 0.01;
			const verdict = good ? "good" : "bad";
			verdictRows.push({
				aiGatewayLogId: id,
				day: Math.floor(createdAt / DAY_MS),
				servedModel: model.name,
				judgedAt: createdAt + 4000,
				judgeModel: JUDGE_MODEL,
				rubricVersion: "seed",
				judgeLogId: logId(judging, createdAt + 4000),
				outcome: unparseable ? "unparseable" : "judged",
				verdict: unparseable ? null : verdict,
				score: unparseable
					? null
					: good
						? 4 + Math.floor(judging() * 2)
						: 1 + Math.floor(judging() * 3),
				rationale: unparseable
					? null
					: RATIONALES[verdict][Math.floor(judging() * RATIONALES[verdict].length)],
				promptTokens: 420 + prompt + completion,
				completionTokens: 40 + Math.floor(judging() * 40),
			});
		}
		if (!voted) continue;
		const score =
			vote !== "clear" && rand() < 0.4
				? vote === "up"
					? 60 + Math.floor(rand() * 41)
					: Math.floor(rand() * 51)
				: null;
		const comment = vote !== "clear" && rand() < 0.08 ? pick(COMMENTS) : null;
		const castAt = createdAt + 2000 + Math.floor(rand() * 60_000);
		const roll = rand();
		const state = roll < 0.007 ? "pending" : roll < 0.012 ? "failed" : "delivered";
		const refused = state === "failed" && rand() < 0.4 ? 1 : 0;
		const attempts = state === "pending" ? 1 : 1 + Math.floor(rand() * 2);
		const failed = state === "failed";
		voteRows.push({
			vote: {
				aiGatewayLogId: id,
				gatewayId: "default",
				vote,
				score,
				comment,
				sequence: castAt,
				revision: 1,
				state,
				refused: refused === 1,
				attempts,
				castAt,
				deliveredAt: state === "delivered" ? castAt + 200 + Math.floor(rand() * 3000) : null,
				nextAttemptAt: state === "pending" ? castAt + 4000 : null,
				failedAt: failed ? castAt + 900_000 : null,
				error: failed
					? refused
						? "the gateway rejected the vote (400)"
						: "gave up after 12 attempts: the gateway failed (503)"
					: state === "pending"
						? "the gateway has not written the log yet"
						: null,
			},
			version: attempts + 1,
			writtenAt: castAt + 3000,
		});
	}
	return { answerRows, voteRows, verdictRows };
}

/**
 * The columns and values the Worker writes (src/store/answers.ts, src/store/votes.ts, from
 * the fields declared in src/store/answer-row.ts and src/core/votes.ts), bundled for Node.
 */
const { ANSWER_COLUMNS, answerValues } = await importTs("src/store/answers.ts");
const { VOTE_COLUMNS, voteValues } = await importTs("src/store/votes.ts");

/** Each generated row as the Worker writes it: its columns, and its values in their order. */
export const answerInsert = { columns: ANSWER_COLUMNS, values: answerValues };
export const voteInsert = {
	columns: VOTE_COLUMNS,
	values: ({ vote, version, writtenAt }) => voteValues(vote, version, writtenAt),
};

/** The judge's verdicts as migrations/0007_judge.sql stores them (src/store/judge-verdicts.ts). */
const VERDICT_FIELDS = {
	aiGatewayLogId: "ai_gateway_log_id",
	day: "day",
	servedModel: "served_model",
	judgedAt: "judged_at",
	judgeModel: "judge_model",
	rubricVersion: "rubric_version",
	judgeLogId: "judge_log_id",
	outcome: "outcome",
	verdict: "verdict",
	score: "score",
	rationale: "rationale",
	promptTokens: "prompt_tokens",
	completionTokens: "completion_tokens",
};
export const verdictInsert = {
	columns: Object.values(VERDICT_FIELDS),
	values: (row) => Object.keys(VERDICT_FIELDS).map((field) => row[field]),
};

/** Multi-row INSERTs, each under D1's statement size limit. */
function* statements(table, { columns, values: valuesOf }, rows) {
	const head = `INSERT OR IGNORE INTO ${table} (${columns.join(", ")}) VALUES\n`;
	let values = [];
	let bytes = head.length;
	for (const row of rows) {
		const tuple = `(${valuesOf(row).map(sql).join(",")})`;
		if (values.length > 0 && bytes + tuple.length + 2 > STATEMENT_BYTES) {
			yield `${head}${values.join(",\n")};\n`;
			values = [];
			bytes = head.length;
		}
		values.push(tuple);
		bytes += Buffer.byteLength(tuple) + 2;
	}
	if (values.length > 0) yield `${head}${values.join(",\n")};\n`;
}

/** Generates and writes the rows into the local D1 under `persistTo`; returns the counts. */
export function seedLocal({ answers, days, transcripts, seed, persistTo, now }) {
	const { answerRows, voteRows, verdictRows } = generate({ answers, days, transcripts, seed, now });
	applyLocalMigrations(persistTo);
	const dir = mkdtempSync(join(tmpdir(), "seed-feedback-"));
	try {
		const file = join(dir, "seed.sql");
		writeFileSync(
			file,
			[
				...statements("answers", answerInsert, answerRows),
				...statements("votes", voteInsert, voteRows),
				...statements("judge_verdicts", verdictInsert, verdictRows),
			].join(""),
		);
		execFileSync(
			wranglerBin,
			[
				"d1",
				"execute",
				"FEEDBACK_DB",
				"--local",
				"--persist-to",
				persistTo,
				"--file",
				file,
				"--yes",
			],
			{
				cwd: root,
				stdio: ["ignore", "ignore", "inherit"],
				env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
			},
		);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	return { answers: answerRows.length, votes: voteRows.length, verdicts: verdictRows.length };
}

const USAGE = `Usage: node scripts/seed-feedback.mjs [options]

Seeds the local feedback store of \`npm run dev\` (its D1) with synthetic answers,
votes and judge verdicts (half the answers), for /insights and the admin API. Deterministic for a given --seed.

Options:
  --answers N        answers to write, 1 to 1000000 (default 100000; about a third are voted)
  --days N           spread them over the last N days, 1 to 366 (default 60)
  --persist-to DIR   the local state of \`npm run dev\` (default .wrangler/state)
  --no-transcripts   leave out the conversations and answer texts
  --seed N           seed of the generator, 0 to 4294967295 (default 13)
  -h, --help         show this text`;

const OPTIONS = /** @type {const} */ ({
	answers: { type: "string", default: "100000" },
	days: { type: "string", default: "60" },
	"persist-to": { type: "string", default: resolve(root, ".wrangler/state") },
	"no-transcripts": { type: "boolean", default: false },
	seed: { type: "string", default: "13" },
	help: { type: "boolean", short: "h", default: false },
});

/** A usage mistake: said in one line, exit code 2. */
class UsageError extends Error {}

/** `value` as a whole number from `min` to `max`, else a UsageError naming `--name`. */
function wholeNumber(name, value, min, max) {
	const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
	if (!(number >= min && number <= max)) {
		throw new UsageError(
			`--${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`,
		);
	}
	return number;
}

/** The options of `argv`, checked before anything is written; `undefined` for --help. */
export function parseOptions(argv) {
	// parseArgs takes `--days -3` for a value left out: pass it as `--days=-3`, for the check below.
	const args = [];
	for (let index = 0; index < argv.length; index++) {
		const [arg, next] = [argv[index], argv[index + 1]];
		const takesValue = arg.startsWith("--") && OPTIONS[arg.slice(2)]?.type === "string";
		if (takesValue && /^-\d/.test(next ?? "")) {
			args.push(`${arg}=${next}`);
			index++;
		} else args.push(arg);
	}
	let values;
	try {
		({ values } = parseArgs({ args, options: OPTIONS, strict: true }));
	} catch (error) {
		// Node's message, first line only: "Unknown option '--x'", "Option '--days <value>' argument missing".
		const message = String(error instanceof Error ? error.message : error);
		throw new UsageError(message.split("\n")[0].replace(/\.$/, ""));
	}
	if (values.help) return undefined;
	return {
		answers: wholeNumber("answers", values.answers, 1, 1_000_000),
		days: wholeNumber("days", values.days, 1, 366),
		seed: wholeNumber("seed", values.seed, 0, 2 ** 32 - 1),
		transcripts: !values["no-transcripts"],
		persistTo: resolve(values["persist-to"]),
	};
}

async function main() {
	let options;
	try {
		options = parseOptions(process.argv.slice(2));
	} catch (error) {
		if (!(error instanceof UsageError)) throw error;
		console.error(`seed-feedback: ${error.message}. Run with --help for the options.`);
		process.exit(2);
	}
	if (!options) {
		console.log(USAGE);
		return;
	}
	const started = Date.now();
	let seeded;
	try {
		seeded = seedLocal(options);
	} catch (error) {
		// wrangler has printed why on stderr; its stack trace would add nothing.
		const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
		console.error(`seed-feedback: writing to the local D1 failed: ${reason}`);
		process.exit(1);
	}
	console.log(
		`Seeded ${seeded.answers} answers, ${seeded.votes} votes and ${seeded.verdicts} judge verdicts into ${options.persistTo} in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
	);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();

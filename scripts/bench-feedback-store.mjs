#!/usr/bin/env node
// The feedback store at scale, on the local runtime. Two runs, each writing its own section
// of docs/benchmarks.md (between its markers):
//
// - By default: seeds 100,000 answers (with votes and transcripts) into a fresh local D1,
//   starts `npm run dev` on it, and times the admin API's stats, pages of the list and full
//   exports, sampling the workerd process's memory during the exports (about 2 minutes).
// - With --sizes: the stats, list pages and the health route as one database grows to each
//   size in turn, seeded in bulk by SQL (recursive CTEs; no transcripts) with its rollups
//   filled by the rebuild. `--sizes 10000,100000,1000000` takes about 10 minutes here.
//
//   node scripts/bench-feedback-store.mjs [--answers 100000] [--no-write]
//   node scripts/bench-feedback-store.mjs --sizes 10000,100000 [--no-write]
//   node scripts/bench-feedback-store.mjs --help
import { execFileSync, spawn } from "node:child_process";
import {
	cpSync,
	existsSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { parseArgs } from "node:util";
import { columnOf } from "../src/core/columns.ts";
import { DAY_MS } from "../src/core/time.ts";
import { VOTE_FIELDS } from "../src/core/votes.ts";
import { ANSWER_FIELDS } from "../src/store/answer-row.ts";

const USAGE = `Usage: node scripts/bench-feedback-store.mjs [options]

Times the feedback store (admin API stats, list pages, exports) on the local runtime and
writes its section of docs/benchmarks.md.

Options:
  --answers N        answers to seed for the default run, 1 to 1000000 (default 100000)
  --sizes N,N,...    instead: time the routes as one database grows to each size in turn
                     (e.g. 10000,100000,1000000; about 10 minutes for those three)
  --no-write         print the results, leave docs/benchmarks.md as it is
  -h, --help         show this text`;

/** The options, or a one-line error and exit code 2 (never a stack trace); --help prints USAGE. */
function readOptions() {
	const fail = (message) => {
		console.error(`bench-feedback-store: ${message}. Run with --help for the options.`);
		process.exit(2);
	};
	let values;
	try {
		({ values } = parseArgs({
			options: {
				answers: { type: "string", default: "100000" },
				"no-write": { type: "boolean", default: false },
				sizes: { type: "string" },
				help: { type: "boolean", short: "h", default: false },
			},
		}));
	} catch (error) {
		fail(
			String(error instanceof Error ? error.message : error)
				.split("\n")[0]
				.replace(/\.$/, ""),
		);
	}
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const whole = (value, max = 1_000_000) =>
		/^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= max;
	if (!whole(values.answers)) {
		fail(
			`--answers must be a whole number from 1 to 1000000, got ${JSON.stringify(values.answers)}`,
		);
	}
	if (
		values.sizes !== undefined &&
		!values.sizes.split(",").every((size) => whole(size, 100_000_000))
	) {
		fail(
			`--sizes must be whole numbers from 1 to 100000000 separated by commas, got ${JSON.stringify(values.sizes)}`,
		);
	}
	return values;
}

const options = readOptions();
// After the options: these load wrangler, which takes seconds, and --help should not wait.
const { applyLocalMigrations, wranglerBin } = await import("./d1-local.mjs");
const { root } = await import("./local-config.mjs");
const { rebuildRollups } = await import("./rebuild-rollups.mjs");
const { seedLocal } = await import("./seed-feedback.mjs");
const ANSWERS = Number(options.answers);
const DAYS = 60;
const RUNS = 7;

const log = (message) => console.log(`[store bench] ${message}`);
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));
const median = (values) => {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

function freePort() {
	return new Promise((done, fail) => {
		const server = createServer();
		server.once("error", fail);
		server.listen(0, "127.0.0.1", () => {
			const { port } = server.address();
			server.close(() => done(port));
		});
	});
}

/** workerd processes started under `pid`, with their resident memory in MiB. */
function workerdMemory(pid) {
	const children = new Map();
	for (const entry of readdirSync("/proc")) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
			const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
			children.set(Number(entry), parent);
		} catch {
			// Gone meanwhile.
		}
	}
	const descendants = new Set([pid]);
	for (let grew = true; grew; ) {
		grew = false;
		for (const [child, parent] of children) {
			if (descendants.has(parent) && !descendants.has(child)) {
				descendants.add(child);
				grew = true;
			}
		}
	}
	let mib = 0;
	for (const id of descendants) {
		try {
			const status = readFileSync(`/proc/${id}/status`, "utf8");
			if (!/^Name:\s+workerd$/m.test(status)) continue;
			mib += Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0) / 1024;
		} catch {
			// Gone meanwhile.
		}
	}
	return mib;
}

async function startDev(persistTo) {
	const port = await freePort();
	const child = spawn(
		process.execPath,
		["scripts/dev.mjs", "--port", String(port), "--ip", "127.0.0.1", "--persist-to", persistTo],
		{
			cwd: root,
			stdio: ["ignore", "pipe", "pipe"],
			detached: true,
			env: { ...process.env, CI: "true" },
		},
	);
	let output = "";
	child.stdout.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr.on("data", (chunk) => {
		output += chunk;
	});
	const url = `http://127.0.0.1:${port}`;
	const deadline = Date.now() + 120_000;
	for (;;) {
		if (child.exitCode !== null) throw new Error(`npm run dev exited:\n${output}`);
		try {
			if ((await fetch(url)).ok) break;
		} catch {
			// Not listening yet.
		}
		if (Date.now() > deadline) throw new Error(`npm run dev did not answer:\n${output}`);
		await sleep(250);
	}
	return {
		url,
		pid: child.pid,
		stop: () =>
			new Promise((done) => {
				if (child.exitCode !== null) return done();
				child.once("exit", done);
				process.kill(-child.pid, "SIGTERM");
			}),
	};
}

/** One full export, read as it streams, with workerd's memory sampled every 100 ms. */
async function exportOnce(dev, headers, format) {
	const samples = [];
	let sampling = true;
	const sampler = (async () => {
		while (sampling) {
			samples.push(workerdMemory(dev.pid));
			await sleep(100);
		}
	})();
	const start = workerdMemory(dev.pid);
	const begin = performance.now();
	const res = await fetch(`${dev.url}/api/admin/feedback/export?format=${format}`, { headers });
	const reader = res.body.getReader();
	let bytes = 0;
	let lines = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		bytes += value.byteLength;
		for (const byte of value) if (byte === 10) lines++;
	}
	const ms = performance.now() - begin;
	sampling = false;
	await sampler;
	return {
		seconds: round(ms / 1000, 2),
		// CSV: the header line, and line breaks inside quoted fields, are not rows; count JSON lines.
		lines,
		mib: round(bytes / 2 ** 20),
		rssMax: round(Math.max(...samples)),
		rssGrowth: round(samples.at(-1) - start),
		rssSamples: samples
			.filter((_, i) => i % Math.max(1, Math.floor(samples.length / 10)) === 0)
			.map((value) => Math.round(value)),
	};
}

/** The size of the local D1's database in MiB: its pages in use, write-ahead log included. */
function databaseMiB(persistTo) {
	const dir = join(persistTo, "v3/d1/miniflare-D1DatabaseObject");
	const file = readdirSync(dir).find(
		(name) => name.endsWith(".sqlite") && name !== "metadata.sqlite",
	);
	if (!file) return 0;
	const db = new DatabaseSync(join(dir, file), { readOnly: true });
	try {
		const pages = db.prepare("PRAGMA page_count").get().page_count;
		return (pages * db.prepare("PRAGMA page_size").get().page_size) / 2 ** 20;
	} finally {
		db.close();
	}
}

/** Timed admin API requests to `npm run dev`: one, or a series after a warm-up. */
function adminClient(dev) {
	const token = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(resolve(root, ".dev.vars"), "utf8"))?.[1];
	const headers = { authorization: `Bearer ${token}` };
	const timed = async (path) => {
		const begin = performance.now();
		const res = await fetch(`${dev.url}${path}`, { headers });
		const body = await res.text();
		if (!res.ok) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
		return { ms: performance.now() - begin, body };
	};
	const series = async (path, runs = RUNS) => {
		await timed(path);
		const times = [];
		for (let i = 0; i < runs; i++) times.push((await timed(path)).ms);
		return spread(times);
	};
	return { timed, series, headers };
}

/** Median, min and max of times in ms. */
const spread = (times) => ({
	median: round(median(times)),
	min: round(Math.min(...times)),
	max: round(Math.max(...times)),
});

/** The path of a list page deep in the list: its cursor followed 200 pages (10,000 rows) down. */
async function deepPage(timed) {
	let cursor = "";
	for (let i = 0; i < 200; i++) {
		const { body } = await timed(`/api/admin/feedback?limit=50${cursor}`);
		const { nextCursor } = JSON.parse(body);
		if (!nextCursor) break;
		cursor = `&cursor=${nextCursor}`;
	}
	return `/api/admin/feedback?limit=50${cursor}`;
}

/** Prints a report and, unless --no-write, puts it in docs/benchmarks.md between its markers. */
function writeSection(name, markdown) {
	console.log(`\n${markdown}`);
	if (options["no-write"]) return;
	const [start, end] = [`<!-- ${name} -->`, `<!-- /${name} -->`];
	const file = resolve(root, "docs/benchmarks.md");
	const existing = existsSync(file) ? readFileSync(file, "utf8") : "";
	const from = existing.indexOf(start);
	const to = existing.indexOf(end);
	const text = `${start}\n${markdown}${end}\n`;
	const next =
		from >= 0 && to > from
			? `${existing.slice(0, from)}${text}${existing.slice(to + end.length + 1)}`
			: `${existing.trimEnd()}\n\n${text}`;
	writeFileSync(file, next);
	log(`wrote ${file}`);
}

async function main() {
	const persistTo = mkdtempSync(join(os.tmpdir(), "store-bench-"));
	const started = Date.now();
	log(`seeding ${ANSWERS} answers over ${DAYS} days into ${persistTo}`);
	const now = Date.now();
	const seeded = seedLocal({
		answers: ANSWERS,
		days: DAYS,
		transcripts: true,
		seed: 13,
		persistTo,
		now,
	});
	const seedSeconds = (Date.now() - started) / 1000;
	log(`seeded ${seeded.answers} answers and ${seeded.votes} votes in ${seedSeconds.toFixed(1)} s`);
	const dbMiB = databaseMiB(persistTo);

	const dev = await startDev(persistTo);
	const { timed, series, headers } = adminClient(dev);

	const results = { load: os.loadavg()[0] };
	try {
		const range = `since=${new Date(now - DAYS * DAY_MS - 60_000).toISOString()}&until=${new Date(now + 60_000).toISOString()}`;
		log("stats");
		results.stats = await series(`/api/admin/stats?${range}`);
		results.stats30 = await series("/api/admin/stats");
		log("list");
		results.firstPage = await series("/api/admin/feedback?limit=50");
		results.filteredPage = await series("/api/admin/feedback?limit=50&vote=down&hasComment=true");
		results.modelPage = await series(
			"/api/admin/feedback?limit=50&model=%40cf%2Fmoonshotai%2Fkimi-k2.6",
		);
		results.deepPage = await series(await deepPage(timed));
		results.health = await series("/api/admin/health");

		log("export");
		const before = [];
		for (let i = 0; i < 10; i++) {
			before.push(workerdMemory(dev.pid));
			await sleep(100);
		}
		results.rssBefore = round(median(before));
		// Twice, as JSON Lines then as CSV: a second full export that ends where the first
		// did shows memory bounded by the batch, not growing with what was sent.
		results.exports = [];
		for (const format of ["jsonl", "csv", "jsonl"]) {
			results.exports.push({ format, ...(await exportOnce(dev, headers, format)) });
		}
		// Controls: the local runtime's memory also grows with every request and D1 query,
		// whatever it carries. The same rows paged through the list (no transcripts, one
		// request per 200 rows), and plain requests for a static file.
		const walkStart = workerdMemory(dev.pid);
		let pageCursor = "";
		let pages = 0;
		for (;;) {
			const { body } = await timed(`/api/admin/feedback?limit=200${pageCursor}`);
			pages++;
			const { nextCursor } = JSON.parse(body);
			if (!nextCursor) break;
			pageCursor = `&cursor=${nextCursor}`;
		}
		results.walk = { pages, rssGrowth: round(workerdMemory(dev.pid) - walkStart) };
		const staticStart = workerdMemory(dev.pid);
		for (let i = 0; i < pages; i++) await (await fetch(`${dev.url}/favicon.svg`)).arrayBuffer();
		results.staticGrowth = round(workerdMemory(dev.pid) - staticStart);
	} finally {
		await dev.stop();
		rmSync(persistTo, { recursive: true, force: true });
	}

	writeSection("feedback-store", report({ seeded, seedSeconds, dbMiB, results }));
}

/** The bulk seed's served models, in equal shares. */
const SCALE_MODELS = [
	"@cf/meta/llama-3.3-70b-instruct-fp8-fast",
	"@cf/meta/llama-4-scout-17b-16e-instruct",
	"@cf/openai/gpt-oss-120b",
	"@cf/moonshotai/kimi-k2.6",
];
const ROWS_PER_INSERT = 100_000;
/** Each figure of the scale run: the median of this many rounds, after three warm-ups. */
const SCALE_RUNS = 15;

/**
 * Each seeded answer's fields as SQL over r (i, the time t, the model m), by the names
 * src/store/answer-row.ts declares; a field left out is NULL. Latency buckets are left to the
 * rebuild.
 */
const BULK_ANSWER = {
	aiGatewayLogId: "printf('bench-%012d', i)",
	gatewayId: "'default'",
	createdAt: "t",
	route: "IIF(abs(random()) % 5 = 0, '/v1/chat/completions', '/api/chat')",
	requestedModel: "m",
	servedModel: "m",
	provider: "'workers-ai'",
	streamed: "abs(random()) % 2",
	outcome: "IIF(abs(random()) % 20 = 0, 'aborted', 'complete')",
	ttfbMs: "300 + abs(random()) % 700",
	totalMs: "1000 + abs(random()) % 8000",
	promptTokens: "100",
	completionTokens: "200",
	totalTokens: "300",
	cached: "0",
};
/** Each seeded vote's fields as SQL over c (the log id, the time `at`, vote, state), as src/core/votes.ts declares them. */
const BULK_VOTE = {
	aiGatewayLogId: "id",
	gatewayId: "'default'",
	vote: "vote",
	score: "IIF(abs(random()) % 5 < 2, abs(random()) % 101, NULL)",
	comment: "IIF(abs(random()) % 12 = 0, 'Too long', NULL)",
	sequence: "at",
	revision: "1",
	state: "state",
	refused: "0",
	attempts: "1",
	castAt: "at",
	deliveredAt: "IIF(state = 'delivered', at + 300, NULL)",
	nextAttemptAt: "IIF(state = 'pending', at + 4000, NULL)",
	failedAt: "IIF(state = 'failed', at + 900000, NULL)",
	error: "IIF(state = 'failed', 'gave up after 12 attempts: the gateway failed (503)', NULL)",
};
/** The columns of `values`' fields, by a declaration; throws on a field it does not declare. */
const columns = (declared, values) =>
	Object.keys(values)
		.map((field) => {
			if (!declared[field]) throw new Error(`bench: ${field} is not a declared field`);
			return columnOf(field, declared[field]);
		})
		.join(", ");

/**
 * Answers number `from` to `to` - 1, over the DAYS before `now`, and votes on about a third
 * of them, generated inside SQLite by recursive CTEs: no SQL text per row. MATERIALIZED keeps
 * each row's random draws one value wherever it is used. Latency buckets are left to the
 * rebuild.
 */
function bulkSeed(from, to, now) {
	const statements = [];
	for (let first = from; first < to; first += ROWS_PER_INSERT) {
		const last = Math.min(to, first + ROWS_PER_INSERT);
		statements.push(`INSERT INTO answers (${columns(ANSWER_FIELDS, BULK_ANSWER)})
WITH RECURSIVE n(i) AS (SELECT ${first} UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${last}),
r AS MATERIALIZED (SELECT i, ${now} - abs(random()) % ${DAYS * DAY_MS} AS t,
CASE abs(random()) % 4 ${SCALE_MODELS.map((model, i) => `WHEN ${i} THEN '${model}'`).join(" ")} END AS m FROM n)
SELECT ${Object.values(BULK_ANSWER).join(", ")} FROM r`);
	}
	statements.push(`INSERT INTO votes (${columns(VOTE_FIELDS, BULK_VOTE)}, created_at, version, updated_at)
WITH c AS MATERIALIZED (SELECT ai_gateway_log_id AS id, created_at + 2000 + abs(random()) % 60000 AS at,
CASE abs(random()) % 10 WHEN 0 THEN 'clear' WHEN 1 THEN 'down' WHEN 2 THEN 'down' WHEN 3 THEN 'down' ELSE 'up' END AS vote,
CASE abs(random()) % 100 WHEN 0 THEN 'pending' WHEN 1 THEN 'failed' ELSE 'delivered' END AS state
FROM answers WHERE rowid > ${from} AND abs(random()) % 100 < 35)
SELECT ${Object.values(BULK_VOTE).join(", ")}, at, 2, at + 3000 FROM c`);
	return statements;
}

/** Runs statements on the local D1 under `persistTo`, as one batch. */
function executeLocal(persistTo, statements) {
	execFileSync(
		wranglerBin,
		[
			"d1",
			"execute",
			"FEEDBACK_DB",
			"--local",
			"--persist-to",
			persistTo,
			"--command",
			statements.map((sql) => `${sql};`).join("\n"),
			"--yes",
		],
		{
			cwd: root,
			stdio: ["ignore", "ignore", "inherit"],
			env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
		},
	);
}

/**
 * One request to each server in turn, SCALE_RUNS times after three warm-ups: whatever else
 * the machine does falls on every size alike. `paths[i]` is what server i is asked.
 */
async function interleaved(clients, paths) {
	const times = clients.map(() => []);
	for (let run = -3; run < SCALE_RUNS; run++) {
		for (const [i, client] of clients.entries()) {
			const { ms } = await client.timed(paths[i]);
			if (run >= 0) times[i]?.push(ms);
		}
	}
	return times.map(spread);
}

/**
 * The stats, list pages and health at each of `sizes` answers: one database grown to each
 * size in turn, a copy kept of each, then every copy served at once and asked alike.
 */
async function scale(sizes) {
	const work = mkdtempSync(join(os.tmpdir(), "store-scale-"));
	const growing = join(work, "growing");
	const now = Date.now();
	const range = `since=${new Date(now - DAYS * DAY_MS).toISOString()}&until=${new Date(now + 60_000).toISOString()}`;
	applyLocalMigrations(growing);
	const steps = [];
	const devs = [];
	let have = 0;
	try {
		for (const size of [...sizes].sort((a, b) => a - b)) {
			const began = Date.now();
			log(`seeding answers ${have.toLocaleString("en")} to ${size.toLocaleString("en")}`);
			executeLocal(growing, bulkSeed(have, size, now));
			const seedSeconds = (Date.now() - began) / 1000;
			rebuildRollups({ persistTo: growing });
			const rebuildSeconds = (Date.now() - began) / 1000 - seedSeconds;
			have = size;
			log(
				`seeded in ${seedSeconds.toFixed(1)} s, rollups rebuilt in ${rebuildSeconds.toFixed(1)} s`,
			);
			const persistTo = join(work, String(size));
			cpSync(growing, persistTo, { recursive: true });
			steps.push({ persistTo, seedSeconds, rebuildSeconds, dbMiB: databaseMiB(persistTo) });
		}
		rmSync(growing, { recursive: true, force: true });
		for (const step of steps) devs.push(await startDev(step.persistTo));
		const clients = devs.map(adminClient);
		const loads = [os.loadavg()[0]];
		for (const [i, client] of clients.entries()) {
			const stats = JSON.parse((await client.timed(`/api/admin/stats?${range}`)).body);
			const { delivery } = JSON.parse((await client.timed("/api/admin/health")).body);
			Object.assign(steps[i] ?? {}, {
				answers: stats.models.reduce((sum, row) => sum + row.answers, 0),
				votes: delivery.pending + delivery.delivered + delivery.deadLetters,
				deepPath: await deepPage(client.timed),
			});
		}
		const same = (path) => clients.map(() => path);
		const figures = {
			stats: await interleaved(clients, same(`/api/admin/stats?${range}`)),
			stats30: await interleaved(clients, same("/api/admin/stats")),
			firstPage: await interleaved(clients, same("/api/admin/feedback?limit=50")),
			deepPage: await interleaved(
				clients,
				steps.map((step) => step.deepPath),
			),
			health: await interleaved(clients, same("/api/admin/health")),
		};
		loads.push(os.loadavg()[0]);
		for (const [i, step] of steps.entries()) {
			for (const [name, each] of Object.entries(figures)) step[name] = each[i];
		}
		writeSection("feedback-store-scale", scaleReport(steps, loads));
	} finally {
		for (const dev of devs) await dev.stop();
		rmSync(work, { recursive: true, force: true });
	}
}

function scaleReport(steps, loads) {
	const cpu = os.cpus();
	const ms = (r) => `${r.median} (${r.min}–${r.max})`;
	const rows = steps
		.map(
			(step) =>
				`| ${step.answers.toLocaleString("en")} | ${step.votes.toLocaleString("en")} | ${step.seedSeconds.toFixed(0)} + ${step.rebuildSeconds.toFixed(0)} | ${step.dbMiB.toFixed(0)} | ${ms(step.stats)} | ${ms(step.stats30)} | ${ms(step.firstPage)} | ${ms(step.deepPage)} | ${ms(step.health)} |`,
		)
		.join("\n");
	return `## Feedback store from ${steps[0]?.answers.toLocaleString("en")} to ${steps.at(-1)?.answers.toLocaleString("en")} answers

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, with \`node scripts/bench-feedback-store.mjs --sizes ${steps.map((step) => step.answers).join(",")}\`: one local D1 grows to each size in turn (answers over ${DAYS} days, four models, a third of them voted, no transcripts), seeded in bulk by SQL (recursive CTEs, through the rollups' triggers) and its rollups then rebuilt from the rows (\`npm run store:rebuild-rollups\`'s statements), and a copy of each size is kept. Then \`npm run dev\` serves every copy at once, and one client asks each the same request in turn, ${SCALE_RUNS} rounds after three warm-ups, so whatever else the machine does falls on every size alike (its load average went from ${loads[0]?.toFixed(1)} to ${loads[1]?.toFixed(1)} meanwhile). Times in ms: median (min–max). Seed and rebuild in seconds. Before the statistics came from rollups, the stats read every answer of their period: 594 ms over 60 days at 100,000 answers (2026-11-23), and growing with the answers.

| answers | votes | seed + rebuild s | database MiB | \`GET /api/admin/stats\`, all ${DAYS} days | stats, default 30 days | \`GET /api/admin/feedback?limit=50\` | the same, 200 pages down | \`GET /api/admin/health\` |
|---|---|---|---|---|---|---|---|---|
${rows}
`;
}

function report({ seeded, seedSeconds, dbMiB, results }) {
	const cpu = os.cpus();
	const row = (name, r) => `| ${name} | ${r.median} | ${r.min} | ${r.max} |`;
	const [first] = results.exports;
	const exports = results.exports
		.map(
			(e, i) =>
				`| export ${i + 1}, ${e.format} | ${e.mib} MiB in ${e.seconds} s | ${e.rssGrowth} | ${e.rssMax} | ${e.rssSamples.join(", ")} |`,
		)
		.join("\n");
	return `## Feedback store at ${seeded.answers.toLocaleString("en")} answers

Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${cpu.length} cores (${cpu[0]?.model.trim()}), Node ${process.version}, with \`node scripts/bench-feedback-store.mjs\`: it seeds ${seeded.answers.toLocaleString("en")} answers over ${DAYS} days (${seeded.votes.toLocaleString("en")} of them voted, four models, transcripts stored) into a fresh local D1 with \`scripts/seed-feedback.mjs\` (${seedSeconds.toFixed(0)} s; the database is ${dbMiB.toFixed(0)} MiB), starts \`npm run dev\` on it, and calls the admin API over HTTP (one client, ${RUNS} runs after a warm-up; the machine's load average was ${results.load.toFixed(1)} as they began). Local D1 is SQLite inside workerd on this machine: on Cloudflare, add the network round trip to the database. The plans of these queries are in \`test/store/query-plans.test.ts\`.

| request | median ms | min ms | max ms |
|---|---|---|---|
${row(`\`GET /api/admin/stats\` over all ${DAYS} days (${seeded.answers.toLocaleString("en")} answers)`, results.stats)}
${row("`GET /api/admin/stats` (default: last 30 days)", results.stats30)}
${row("`GET /api/admin/feedback?limit=50` (first page)", results.firstPage)}
${row("the same, 200 pages down (cursor)", results.deepPage)}
${row("`?vote=down&hasComment=true`", results.filteredPage)}
${row("`?model=@cf/moonshotai/kimi-k2.6`", results.modelPage)}
${row("`GET /api/admin/health`", results.health)}

Full exports, \`GET /api/admin/feedback/export\`, one after the other: ${first.lines.toLocaleString("en")} rows each (every voted answer, with its transcript). Memory is the resident set of the workerd process (which also runs D1 and the emulator), sampled every 100 ms; it was ${results.rssBefore} MiB before the first export.

| what | sent | RSS growth MiB | max RSS MiB | RSS samples (MiB) |
|---|---|---|---|---|
${exports}
| control: the same rows through the list, ${results.walk.pages} pages of 200 | | ${results.walk.rssGrowth} | | |
| control: ${results.walk.pages} requests for \`/favicon.svg\` | | ${results.staticGrowth} | | |

The export holds one batch of 200 rows at a time. RSS creeps up by a similar amount for each export whatever it carries (CSV is a third smaller than JSON Lines), and by as much for the same D1 reads made page by page without transcripts, or for plain static requests: that growth is the local runtime's per-request and per-query overhead (under steady load it climbs to a plateau and garbage collection brings it back: \`npm run bench -- --soak=180\`), not the export's size, which would add tens of MiB at once.
`;
}

await (options.sizes ? scale(options.sizes.split(",").map(Number)) : main());

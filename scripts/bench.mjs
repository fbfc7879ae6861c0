#!/usr/bin/env node
// `npm run bench`: the app's overhead against a bare Worker on the same binding.
// `npm run bench -- --smoke` runs every step briefly (CI), with no timing verdicts.
// `npm run bench -- --soak=180` runs only the memory soak, for that many seconds, on a
// fresh app, and prints its samples (the 60 s soak of a full run can end mid-sawtooth);
// add `--without-store` to soak the app without FEEDBACK_DB. `npm run bench -- --startup`
// measures only the bundle and the start-up CPU (7 runs), and prints them. `npm run bench --
// --phases` profiles only the app's CPU by phase (scripts/bench-phases.mjs) and rewrites that
// block of docs/benchmarks.md; the full run profiles it too.
//
// Both Workers run on the local runtime (`wrangler dev --local`), each beside its own
// copy of the emulator, which answers with no added latency (streams: one token every
// 20 ms). The load alternates app, baseline, app, baseline to cancel drift.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { createParser } from "eventsource-parser";
import { ANSWERS_WRITTEN } from "../src/core/log.ts";
import { attribute, phasesMarkdown, replacePhasesBlock, startProfiling } from "./bench-phases.mjs";
import { MAX_GZIP_KIB, MAX_STARTUP_MS } from "./budgets.mjs";
import { applyLocalMigrations } from "./d1-local.mjs";
import { root, writeLocalConfig } from "./local-config.mjs";
import { measureStartup } from "./startup-cpu.mjs";
import { startWranglerDev } from "./wrangler-dev.mjs";

const smoke = process.argv.includes("--smoke");
const phasesOnly = process.argv.includes("--phases");
const soakOnly = Number(
	/^--soak=(\d+)$/.exec(process.argv.find((arg) => arg.startsWith("--soak=")) ?? "")?.[1],
);
const CONCURRENCY = [1, 16, 64];
const REQUESTS = smoke ? { 1: 20, 16: 64, 64: 128 } : { 1: 500, 16: 2500, 64: 4000 };
const ROUNDS = smoke ? 1 : 2;
const TOKEN_INTERVAL_MS = 20;
const STREAMS = smoke ? 2 : 20;
const SOAK_SECONDS = soakOnly || (smoke ? 4 : 60);
const FEEDBACK_REQUESTS = smoke ? 64 : 3000;
const STARTUP_RUNS = smoke ? 1 : 7;
const PHASE_ANSWERS = smoke ? 100 : 3000;
const PHASE_CONNECTIONS = 16;
const MESSAGES = [{ role: "user", content: "Benchmark question: what is a Worker?" }];
const CHAT_BODY = JSON.stringify({ messages: MESSAGES });

const benchDir = resolve(root, ".wrangler/bench");
const benchStarted = Date.now();
const log = (message) =>
	console.log(`[bench ${((Date.now() - benchStarted) / 1000).toFixed(0)} s] ${message}`);

// --- Workers ---------------------------------------------------------------------

function writeConfigs() {
	mkdirSync(benchDir, { recursive: true });
	const secrets = join(benchDir, ".dev.vars");
	const secret = () => randomBytes(32).toString("base64url");
	writeFileSync(secrets, `FEEDBACK_SECRET=${secret()}\n`);
	// The limiter still runs on every request; it just never says no to the load generator.
	const unlimited = (config) => ({
		...config,
		ratelimits: config.ratelimits?.map((limiter) => ({
			...limiter,
			simple: { ...limiter.simple, limit: 1_000_000_000 },
		})),
	});
	const app = writeLocalConfig({
		sourceFile: "wrangler.jsonc",
		outFile: ".wrangler/bench/app.jsonc",
		adjust: unlimited,
	});
	// The app's own code: the same app without what the local runtime emulates where
	// Cloudflare runs it elsewhere (the Rate Limiting binding, the static-asset router in
	// front of the Worker, and the store's local D1, queue and bucket). The overhead targets
	// are judged on it.
	const core = writeLocalConfig({
		sourceFile: "wrangler.jsonc",
		outFile: ".wrangler/bench/app-core.jsonc",
		adjust: (config) => ({
			...config,
			assets: undefined,
			ratelimits: undefined,
			d1_databases: undefined,
			queues: undefined,
			r2_buckets: undefined,
		}),
	});
	// The app as it is but without FEEDBACK_DB (nor the answers' queue and the transcripts'
	// bucket that feed it): it tells the feedback store's cost apart.
	const storeless = writeLocalConfig({
		sourceFile: "wrangler.jsonc",
		outFile: ".wrangler/bench/app-storeless.jsonc",
		adjust: (config) => ({
			...unlimited(config),
			d1_databases: undefined,
			queues: undefined,
			r2_buckets: undefined,
		}),
	});
	// The app without the answers' queue: it writes its answers itself, batched per isolate
	// (what a deployment without Queues runs), for the D1 writes per answer before the queue.
	const queueless = writeLocalConfig({
		sourceFile: "wrangler.jsonc",
		outFile: ".wrangler/bench/app-queueless.jsonc",
		adjust: (config) => ({ ...unlimited(config), queues: undefined }),
	});
	// The app as measured, unminified: each CPU profile sample names its file (bench-phases.mjs).
	const profiled = writeLocalConfig({
		sourceFile: "wrangler.jsonc",
		outFile: ".wrangler/bench/app-profiled.jsonc",
		adjust: (config) => ({ ...unlimited(config), minify: false }),
	});
	const baseline = writeLocalConfig({
		sourceFile: "bench/baseline/wrangler.jsonc",
		outFile: ".wrangler/bench/baseline.jsonc",
	});
	const emulator = (name, tokenDelayMs) =>
		writeLocalConfig({
			sourceFile: "emulator/wrangler.jsonc",
			outFile: `.wrangler/bench/${name}.jsonc`,
			bindEmulator: false,
			adjust: (config) => ({
				...config,
				// In the isolate, not a Durable Object, so the emulator never queues the load.
				vars: {
					MODE: "isolate",
					TOKEN_DELAY_MS: String(tokenDelayMs),
					RESPONSE_DELAY_MS: "0",
					LOG_VISIBILITY_DELAY_MS: "0",
					MAX_RECORDS: "2000",
				},
			}),
		});
	return {
		app,
		core,
		storeless,
		queueless,
		profiled,
		baseline,
		secrets,
		instantEmulator: emulator("emulator-instant", 0),
		pacedEmulator: emulator("emulator-paced", TOKEN_INTERVAL_MS),
	};
}

/**
 * Starts `wrangler dev` for one target, on a port the system picks (scripts/wrangler-dev.mjs),
 * and checks that it answers a chat.
 */
async function startWorker(config, emulatorConfig, secrets) {
	const persistTo = mkdtempSync(join(os.tmpdir(), "bench-state-"));
	// The app records each answer in its feedback store, as deployed: give it the tables.
	if (!config.includes("baseline")) applyLocalMigrations(persistTo);
	const started = await startWranglerDev({
		configs: [config, emulatorConfig],
		envFile: secrets,
		// "log": the Worker's console.log lines (the answers' write log) reach wrangler's output.
		logLevel: "log",
		persistTo,
	});
	const worker = {
		...started,
		stop: async () => {
			await started.stop();
			rmSync(persistTo, { recursive: true, force: true });
		},
	};
	const res = await fetch(`${worker.url}/api/chat`, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: CHAT_BODY,
	});
	if (!res.ok) {
		await worker.stop();
		throw new Error(`${config}: chat answered ${res.status}\n${worker.output()}`);
	}
	await res.body?.cancel();
	const workerds = findWorkerds(worker.pid);
	return {
		...worker,
		workerds,
		workerdPid: () => findWorkerd(worker.pid),
		cpuMs: () => cpuMs(workerds),
	};
}

/**
 * Starts the targets at the same time (most of a start is waiting); if one fails, stops
 * the others and throws its error.
 */
async function startWorkers(configs, emulatorConfig, secrets) {
	const outcomes = await Promise.allSettled(
		configs.map((config) => startWorker(config, emulatorConfig, secrets)),
	);
	const failed = outcomes.find((outcome) => outcome.status === "rejected");
	if (failed) {
		await Promise.all(outcomes.map((outcome) => outcome.value?.stop()));
		throw failed.reason;
	}
	return outcomes.map((outcome) => outcome.value);
}

/** Every workerd process under `wrangler dev` (its proxy's and the runtime's), and their children. */
function findWorkerds(pid) {
	const rows = execFileSync("ps", ["-eo", "pid,ppid,comm"], { encoding: "utf8" })
		.trim()
		.split("\n")
		.slice(1)
		.map((line) => line.trim().split(/\s+/));
	const found = [];
	const queue = [[pid, false]];
	while (queue.length) {
		const [parent, underWorkerd] = queue.shift();
		for (const [child, ppid, command] of rows) {
			if (Number(ppid) !== parent) continue;
			const isWorkerd = underWorkerd || command === "workerd";
			if (isWorkerd) found.push(Number(child));
			queue.push([Number(child), isWorkerd]);
		}
	}
	return found;
}

const CLOCK_TICKS =
	Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/**
 * CPU the processes have used, user and system, with their waited-for children, in ms, from
 * /proc/<pid>/stat (utime, stime, cutime, cstime): what the OS charged, JavaScript or not.
 */
function cpuMs(pids) {
	let ticks = 0;
	for (const pid of pids) {
		try {
			const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
			const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
			ticks += fields.slice(11, 15).reduce((sum, value) => sum + Number(value), 0);
		} catch {
			// Ended: its time is gone with it (workerd does not end under load).
		}
	}
	return (ticks / CLOCK_TICKS) * 1000;
}

/** workerd runs as a descendant of `wrangler dev`. */
function findWorkerd(pid) {
	const rows = execFileSync("ps", ["-eo", "pid,ppid,comm"], { encoding: "utf8" })
		.trim()
		.split("\n")
		.slice(1)
		.map((line) => line.trim().split(/\s+/));
	const children = (parent) => rows.filter(([, ppid]) => Number(ppid) === parent);
	const queue = [pid];
	while (queue.length) {
		for (const [child, , command] of children(queue.shift())) {
			if (command === "workerd") return Number(child);
			queue.push(Number(child));
		}
	}
	return undefined;
}

const rssMiB = (pid) =>
	Number(execFileSync("ps", ["-o", "rss=", "-p", String(pid)], { encoding: "utf8" }).trim()) / 1024;

// --- Measurements ----------------------------------------------------------------

/**
 * One autocannon run. Throughput is counted from the first request to the last
 * response: autocannon itself only stops on a one-second tick.
 */
function load({ url, connections, amount, duration, requests, body = CHAT_BODY }) {
	return new Promise((done, fail) => {
		const started = performance.now();
		let lastResponse = started;
		const instance = autocannon(
			{
				url,
				method: "POST",
				headers: { "content-type": "application/json" },
				connections,
				timeout: 30,
				...(requests ? { requests } : { body }),
				...(amount ? { amount } : { duration }),
			},
			(error, result) =>
				error ? fail(error) : done({ ...result, elapsedSeconds: (lastResponse - started) / 1000 }),
		);
		instance.on("response", () => {
			lastResponse = performance.now();
		});
	});
}

const summary = (result) => ({
	rps: result.requests.total / result.elapsedSeconds,
	p50: result.latency.p50,
	p99: result.latency.p99,
	errors: result.errors + result.non2xx + result.timeouts,
});

const perThousand = (count, answers) => (answers ? ((count / answers) * 1000).toFixed(1) : "n/a");

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;

/**
 * What the target has written to the answers table so far, from the Worker's log line per D1
 * batch (ANSWERS_WRITTEN, src/store/answers.ts) in wrangler's output; failed batches from
 * their error lines.
 */
function storeWrites(target) {
	const totals = { batches: 0, statements: 0, rows: 0, rowsWritten: 0, ms: 0, failures: 0 };
	for (const line of target.output().split("\n")) {
		const at = line.indexOf("{");
		if (at < 0 || !line.includes("feedback store:")) continue;
		let fields;
		try {
			fields = JSON.parse(line.slice(at));
		} catch {
			continue;
		}
		if (fields.message === ANSWERS_WRITTEN) {
			totals.batches++;
			for (const key of ["statements", "rows", "rowsWritten", "ms"]) totals[key] += fields[key];
		} else if (/answer batch failed|record answer/.test(fields.message ?? "")) totals.failures++;
	}
	return totals;
}

/**
 * The D1 writes of `answers` answers since `before`: waits until they are all written (the
 * queue delivers a batch when it holds 100 messages or after max_batch_timeout, 5 s).
 */
async function writesSince(target, before, answers) {
	const deadline = Date.now() + 30_000;
	let now = storeWrites(target);
	while (now.rows - before.rows < answers && Date.now() < deadline) {
		await new Promise((done) => setTimeout(done, 250));
		now = storeWrites(target);
	}
	const delta = Object.fromEntries(Object.keys(now).map((key) => [key, now[key] - before[key]]));
	return { answers, ...delta };
}

/** The targets whose D1 writes are counted: with the answers' queue, and without. */
const COUNTED = ["app", "queueless"];

async function chatThroughput(targets) {
	const rows = [];
	for (const connections of CONCURRENCY) {
		const amount = REQUESTS[connections];
		const runs = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
		const answered = Object.fromEntries(Object.keys(targets).map((name) => [name, 0]));
		const before = Object.fromEntries(COUNTED.map((name) => [name, storeWrites(targets[name])]));
		// Each target's CPU from before its warm-up until its answers are stored: an idle
		// workerd uses none, so what the others' turns add is the queue's late batches.
		const cpuBefore = Object.fromEntries(
			Object.entries(targets).map(([name, target]) => [name, target.cpuMs()]),
		);
		for (const [name, target] of Object.entries(targets)) {
			const warmUp = await load({
				url: `${target.url}/api/chat`,
				connections,
				// A smoke run only needs every connection to have answered once.
				amount: smoke ? connections : Math.min(amount, 200),
			});
			answered[name] += warmUp["2xx"];
		}
		for (let round = 0; round < ROUNDS; round++) {
			for (const [name, target] of Object.entries(targets)) {
				const result = await load({ url: `${target.url}/api/chat`, connections, amount });
				answered[name] += result["2xx"];
				runs[name].push(summary(result));
			}
		}
		const writes = Object.fromEntries(
			await Promise.all(
				COUNTED.map(async (name) => [
					name,
					await writesSince(targets[name], before[name], answered[name]),
				]),
			),
		);
		const combine = (list) => ({
			rps: mean(list.map((run) => run.rps)),
			p50: mean(list.map((run) => run.p50)),
			p99: mean(list.map((run) => run.p99)),
			errors: list.reduce((sum, run) => sum + run.errors, 0),
		});
		const cpuPerThousand = Object.fromEntries(
			Object.entries(targets).map(([name, target]) => [
				name,
				((target.cpuMs() - cpuBefore[name]) / Math.max(answered[name], 1)) * 1000,
			]),
		);
		const row = {
			connections,
			amount,
			writes,
			cpuPerThousand,
			...Object.fromEntries(Object.entries(runs).map(([name, list]) => [name, combine(list)])),
		};
		rows.push(row);
		log(
			`JSON chat c=${connections}: ${Object.keys(targets)
				.map((name) => `${name} ${row[name].rps.toFixed(0)} rps p99 ${row[name].p99} ms`)
				.join("; ")}`,
		);
		log(
			`  workerd CPU per 1,000 answers: ${Object.entries(cpuPerThousand)
				.map(([name, ms]) => `${name} ${ms.toFixed(0)} ms`)
				.join(", ")}`,
		);
		for (const name of COUNTED) {
			const w = writes[name];
			log(
				`  D1 writes, ${name}: ${w.answers} answers, ${w.rows} rows in ${w.batches} batches of ${w.statements} statements (${perThousand(w.statements, w.answers)} per 1,000 answers), ${w.failures} failed`,
			);
		}
	}
	return rows;
}

/** Arrival time of each text delta of one streamed answer, in ms since the request. */
async function streamTimings(url, deltaOf) {
	const started = performance.now();
	const res = await fetch(url, {
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({ messages: MESSAGES, stream: true }),
	});
	const arrivals = [];
	let now = 0;
	// Events a chunk completes arrive when the chunk does. `event: meta` and `[DONE]` carry no text.
	const parser = createParser({
		onEvent: ({ event, data }) => {
			if (event === undefined && data !== "[DONE]" && deltaOf(JSON.parse(data))) arrivals.push(now);
		},
	});
	for await (const text of res.body.pipeThrough(new TextDecoderStream())) {
		now = performance.now() - started;
		parser.feed(text);
	}
	return arrivals;
}

async function streaming(targets) {
	const runs = Object.fromEntries(Object.keys(targets).map((name) => [name, []]));
	const cpu = Object.fromEntries(Object.keys(targets).map((name) => [name, 0]));
	for (let i = 0; i < STREAMS; i++) {
		for (const [name, target] of Object.entries(targets)) {
			const before = target.cpuMs();
			runs[name].push(await streamTimings(`${target.url}/api/chat`, (chunk) => chunk.response));
			cpu[name] += target.cpuMs() - before;
		}
	}
	// How far each delta is behind the emulator's schedule (one token per interval after the first).
	const lags = (list) =>
		list.flatMap((arrivals) =>
			arrivals.map((time, k) => time - arrivals[0] - k * TOKEN_INTERVAL_MS),
		);
	const worstBaseline = Math.max(...lags(runs.baseline));
	const result = Object.fromEntries(
		Object.entries(runs).map(([name, list]) => {
			const all = lags(list);
			return [
				name,
				{
					firstDelta: mean(list.map((arrivals) => arrivals[0])),
					worstLag: Math.max(...all),
					heldBack: all.filter((lag) => lag > worstBaseline + 5).length,
					deltas: all.length,
					// During its own streams only (the queue's batch of them may come later).
					cpuPerThousand: (cpu[name] / list.length) * 1000,
				},
			];
		}),
	);
	result.deltasPerStream = runs.baseline[0].length;
	log(
		`stream: first delta ${Object.keys(targets)
			.map(
				(name) =>
					`${name} ${result[name].firstDelta.toFixed(1)} ms (held back ${result[name].heldBack}/${result[name].deltas})`,
			)
			.join(", ")}`,
	);
	return result;
}

async function feedbackThroughput(app) {
	const answers = [];
	for (let i = 0; i < 64; i++) {
		const res = await fetch(`${app.url}/api/chat`, {
			method: "POST",
			headers: { "content-type": "application/json" },
			body: CHAT_BODY,
		});
		answers.push(await res.json());
	}
	const requests = answers.map((answer, i) => ({
		method: "POST",
		headers: { "content-type": "application/json" },
		body: JSON.stringify({
			aiGatewayLogId: answer.aiGatewayLogId,
			token: answer.feedbackToken,
			feedback: i % 2 ? "up" : "down",
		}),
	}));
	const result = summary(
		await load({
			url: `${app.url}/api/feedback`,
			connections: 16,
			amount: FEEDBACK_REQUESTS,
			requests,
		}),
	);
	log(`feedback c=16: ${result.rps.toFixed(0)} rps p99 ${result.p99} ms, ${result.errors} errors`);
	return result;
}

async function memorySoak(app) {
	const pid = app.workerdPid();
	if (!pid) return null;
	const samples = [];
	const sampler = setInterval(() => samples.push(rssMiB(pid)), smoke ? 1000 : 5000);
	samples.push(rssMiB(pid));
	const result = summary(
		await load({ url: `${app.url}/api/chat`, connections: 16, duration: SOAK_SECONDS }),
	);
	clearInterval(sampler);
	samples.push(rssMiB(pid));
	log(`memory over ${SOAK_SECONDS} s: ${samples.map((mib) => mib.toFixed(0)).join(", ")} MiB`);
	return { samples, requests: Math.round(result.rps * SOAK_SECONDS), errors: result.errors };
}

/**
 * The app's CPU by phase: the unminified app under JSON chat load while V8 samples each of
 * workerd's isolates, from the first request until the queue has written every answer.
 */
async function phaseProfile(configs) {
	const app = await startWorker(configs.profiled, configs.instantEmulator, configs.secrets);
	try {
		// Warm: the isolates loaded and compiled, the queue's first batches written.
		const warm = await load({
			url: `${app.url}/api/chat`,
			connections: PHASE_CONNECTIONS,
			amount: smoke ? PHASE_CONNECTIONS : 100,
		});
		await writesSince(app, { ...storeWrites(app), rows: 0 }, warm["2xx"] + 1);
		const appName = JSON.parse(
			readFileSync(configs.profiled, "utf8").replace(/^\/\/.*\n/, ""),
		).name;
		const before = storeWrites(app);
		const load1 = os.loadavg()[0];
		const profiling = await startProfiling({
			workerdPids: app.workerds,
			appName,
			bundleDir: resolve(benchDir, ".wrangler/tmp"),
		});
		log(
			`phases: ${profiling.sessions.length} isolates sampled; ${PHASE_ANSWERS} answers at ${PHASE_CONNECTIONS} connections`,
		);
		for (const reason of profiling.unopened) log(`phases: not sampled: ${reason}`);
		const cpuBefore = app.cpuMs();
		const started = performance.now();
		const result = await load({
			url: `${app.url}/api/chat`,
			connections: PHASE_CONNECTIONS,
			amount: PHASE_ANSWERS,
		});
		const writes = await writesSince(app, before, result["2xx"]);
		const seconds = (performance.now() - started) / 1000;
		const procMs = { total: app.cpuMs() - cpuBefore };
		const profiles = await profiling.stop();
		if (profiles.missing.length) log(`phases: no profile from ${profiles.missing.join(", ")}`);
		const run = {
			...attribute(profiles),
			answers: result["2xx"],
			errors: result.errors + result.non2xx + result.timeouts,
			written: writes.rows,
			seconds,
			connections: PHASE_CONNECTIONS,
			procMs,
			load: { start: load1, end: os.loadavg()[0] },
			cores: os.cpus().length,
			date: `${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
			machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}`,
			command: `npm run bench -- ${smoke ? "--smoke " : ""}--phases`,
			sessions: profiling.sessions,
		};
		log(
			`phases: ${run.answers} answers (${run.errors} errors, ${run.written} written to D1) in ${seconds.toFixed(1)} s`,
		);
		return { run, markdown: phasesMarkdown(run) };
	} finally {
		await app.stop();
	}
}

function bundleAndStartup() {
	const bundle = execFileSync("node", [resolve(root, "scripts/check-bundle.mjs")], {
		cwd: root,
		encoding: "utf8",
	});
	const [, kib, gzip] = /index\.js, ([\d.]+) KiB, ([\d.]+) KiB gzipped/.exec(bundle) ?? [];
	// check-bundle.mjs has measured one run already (npm run check prints it): count it.
	const [, sampled, active] =
		/Start-up CPU, one run: ([\d.]+) ms .*"Active": ([\d.]+) ms/.exec(bundle) ?? [];
	const startups = [...(sampled ? [{ sampled: Number(sampled), active: Number(active) }] : [])];
	while (startups.length < STARTUP_RUNS) startups.push(measureStartup());
	const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
	return {
		kib: Number(kib),
		gzipKib: Number(gzip),
		startupMs: median(startups.map((run) => run.active)),
		sampledMs: median(startups.map((run) => run.sampled)),
		startups,
	};
}

// --- Report ----------------------------------------------------------------------

function report({ chat, stream, feedback, memory, bundle }) {
	const fixed = (value, digits = 0) => Number(value).toFixed(digits);
	const verdict = (ok) => (smoke ? "(smoke run: no verdict)" : ok ? "met" : "missed");
	const cpu = os.cpus()[0]?.model ?? "unknown CPU";
	// V8 grows its heap to a working size first, and the emulator fills its record cap:
	// judge the last third of the soak.
	const third = memory ? memory.samples[Math.floor((memory.samples.length * 2) / 3)] : Number.NaN;
	const growth = memory ? memory.samples.at(-1) - third : Number.NaN;
	const lines = [
		"# Benchmarks",
		"",
		`Measured ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC on ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}.`,
		"",
		`Command: \`npm run bench${smoke ? " -- --smoke" : ""}\` (scripts/bench.mjs). Both Workers run on the local runtime (\`wrangler dev --local\`, workerd) beside their own copy of the emulator, which answers at once (streams: one token every ${TOKEN_INTERVAL_MS} ms). The baseline is bench/baseline/worker.ts: no framework, no validation, no tokens, the same binding. The load generator is autocannon, alternating the targets in each round; figures are means of ${ROUNDS} round(s) after a warm-up. A third target, the app's own code, is the app without the Rate Limiting binding, the static-asset router and the feedback store's local D1, queue and bucket (which \`wrangler dev\` emulates with extra JavaScript workers and services beside the app, where Cloudflare runs them in its own layers): the overhead targets are judged on it; a fourth, the app without its feedback store (no FEEDBACK_DB), tells the store's cost (answers through the queue into local D1, on the same 2 cores) apart, and a fifth, the app without the answers' queue, the queue's, in the JSON table.`,
		"",
		"## JSON chat, `POST /api/chat`",
		"",
		"| connections | requests | app rps | baseline rps | ratio | app p50 ms | app p99 ms | baseline p99 ms | p99 ratio | errors | the app's own code (no limiter, asset router or store): rps ratio, p99 ratio | app without the feedback store: rps ratio, p99 ratio | app without the answers' queue: rps ratio, p99 ratio |",
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|",
		...chat.map(
			(row) =>
				`| ${row.connections} | ${row.amount} | ${fixed(row.app.rps)} | ${fixed(row.baseline.rps)} | ${fixed(row.app.rps / row.baseline.rps, 2)} | ${row.app.p50} | ${row.app.p99} | ${row.baseline.p99} | ${fixed(row.app.p99 / Math.max(row.baseline.p99, 1), 2)} | ${row.app.errors + row.baseline.errors + row.core.errors + row.storeless.errors + row.queueless.errors} | ${fixed(row.core.rps / row.baseline.rps, 2)} x, ${fixed(row.core.p99 / Math.max(row.baseline.p99, 1), 2)} x | ${fixed(row.storeless.rps / row.baseline.rps, 2)} x, ${fixed(row.storeless.p99 / Math.max(row.baseline.p99, 1), 2)} x | ${fixed(row.queueless.rps / row.baseline.rps, 2)} x, ${fixed(row.queueless.p99 / Math.max(row.baseline.p99, 1), 2)} x |`,
		),
		"",
		"## CPU per answer",
		"",
		"CPU time the OS charged to the target's workerd processes (user and system, with their children, from `/proc/<pid>/stat`): `wrangler dev`'s proxy in front and the runtime, which also runs the target's copy of the emulator and the local emulation of the Rate Limiting binding, the static-asset router, D1 and Queues. The JSON figures run from each target's warm-up until its answers are in the store (an idle workerd uses no CPU, so the queue's late batches are counted wherever they fall); streamed figures count each target's own streams. The app's cost over the bare Worker is the difference of the two, in the same run.",
		"",
		"| answers | app ms per 1,000 | baseline ms per 1,000 | app minus baseline | the app's own code (no limiter, asset router or store) | app without the feedback store | app without the answers' queue |",
		"|---|---|---|---|---|---|---|",
		...chat.map(
			(row) =>
				`| JSON, ${row.connections} connection(s) | ${fixed(row.cpuPerThousand.app)} | ${fixed(row.cpuPerThousand.baseline)} | ${fixed(row.cpuPerThousand.app - row.cpuPerThousand.baseline)} | ${fixed(row.cpuPerThousand.core)} | ${fixed(row.cpuPerThousand.storeless)} | ${fixed(row.cpuPerThousand.queueless)} |`,
		),
		`| streamed, one at a time | ${fixed(stream.app.cpuPerThousand)} | ${fixed(stream.baseline.cpuPerThousand)} | ${fixed(stream.app.cpuPerThousand - stream.baseline.cpuPerThousand)} | ${fixed(stream.core.cpuPerThousand)} | | |`,
		"",
		"## Feedback store writes during the JSON chat benchmark",
		"",
		"D1 writes to the answers table, counted from the Worker's own log line per D1 batch (`feedback store: answers written`, with its rows, statements, rows written and milliseconds), read from `wrangler dev`'s output, from the warm-up to the last answer written, for the app (answers through the queue: one message each, written by `queue()` in batches of up to 100) and the app without `ANSWERS_QUEUE` (each isolate writes answers that end within 10 ms of each other together, up to 50). A batch is one `db.batch()` call: one round trip and one transaction; a statement is one INSERT in it. D1's rows written (its billing unit) count each row and its entry in each of the table's three indexes. Consumer rows per second: rows over the time spent in `db.batch()` (local D1, same machine).",
		"",
		"| connections | path | rps | answers | D1 batches | statements | statements per 1,000 answers | rows per batch | D1 rows written per answer | rows per second of D1 time | failed batches |",
		"|---|---|---|---|---|---|---|---|---|---|---|",
		...chat.flatMap((row) =>
			COUNTED.map((name) => {
				const w = row.writes[name];
				return `| ${row.connections} | ${name === "app" ? "queue" : "no queue (in-isolate batches)"} | ${fixed(row[name].rps)} | ${w.answers} | ${w.batches} | ${w.statements} | ${perThousand(w.statements, w.answers)} | ${w.batches ? fixed(w.rows / w.batches, 1) : "n/a"} | ${w.rows ? fixed(w.rowsWritten / w.rows, 1) : "n/a"} | ${w.ms ? fixed((w.rows / w.ms) * 1000) : "n/a"} | ${w.failures} |`;
			}),
		),
		"",
		"## Streaming",
		"",
		`${STREAMS} streams each, ${stream.deltasPerStream} deltas per stream.`,
		"",
		"| | app | the app's own code (no limiter, asset router or store) | baseline |",
		"|---|---|---|---|",
		`| time to first delta (ms) | ${fixed(stream.app.firstDelta, 1)} | ${fixed(stream.core.firstDelta, 1)} | ${fixed(stream.baseline.firstDelta, 1)} |`,
		`| first delta later than the baseline's (ms) | ${fixed(stream.app.firstDelta - stream.baseline.firstDelta, 1)} | ${fixed(stream.core.firstDelta - stream.baseline.firstDelta, 1)} | |`,
		`| worst delta lag behind the emulator's schedule (ms) | ${fixed(stream.app.worstLag, 1)} | ${fixed(stream.core.worstLag, 1)} | ${fixed(stream.baseline.worstLag, 1)} |`,
		`| deltas held back (> 5 ms later than the baseline's worst) | ${stream.app.heldBack} of ${stream.app.deltas} | ${stream.core.heldBack} of ${stream.core.deltas} | |`,
		"",
		"## Feedback, `POST /api/feedback` (16 connections, 64 logs)",
		"",
		`${fixed(feedback.rps)} requests per second, p99 ${feedback.p99} ms, ${feedback.errors} errors.`,
		"",
		"## Size, start-up and memory",
		"",
		`- Production bundle (\`wrangler deploy --dry-run\`, minified): ${bundle.kib} KiB, ${bundle.gzipKib} KiB gzipped.`,
		`- Start-up (\`wrangler check startup\`, median of ${STARTUP_RUNS} runs): CPU in the profile's busy samples ${bundle.sampledMs} ms; wrangler's "Active" ${bundle.startupMs} ms (runs, sampled/active: ${bundle.startups.map((run) => `${run.sampled}/${run.active}`).join(", ")} ms). "Active" also counts the gap before the profiler's first sample, about 11 ms in most runs, whatever the Worker; the busy samples are the Worker's own start-up.`,
		memory
			? `- Memory (RSS of the app's workerd process, which also hosts its emulator) during ${SOAK_SECONDS} s of chat at 16 connections (${memory.requests} requests): ${memory.samples.map((mib) => fixed(mib)).join(", ")} MiB; over the last third it moved ${fixed(growth, 1)} MiB.`
			: "- Memory: the workerd process was not found.",
		"",
		"## Targets",
		"",
		"| target | result | |",
		"|---|---|---|",
		...chat.map((row) => {
			const ok =
				row.core.rps >= 0.85 * row.baseline.rps &&
				row.core.p99 <= 1.25 * Math.max(row.baseline.p99, 1);
			return `| the app's own code, JSON chat at ${row.connections}: throughput >= 0.85 x baseline, p99 <= 1.25 x baseline | ${fixed(row.core.rps / row.baseline.rps, 2)} x, ${fixed(row.core.p99 / Math.max(row.baseline.p99, 1), 2)} x (the whole app: ${fixed(row.app.rps / row.baseline.rps, 2)} x, ${fixed(row.app.p99 / Math.max(row.baseline.p99, 1), 2)} x) | ${verdict(ok)} |`;
		}),
		...chat.map((row) => {
			const ratio = row.cpuPerThousand.core / Math.max(row.cpuPerThousand.baseline, 1);
			return `| the app's own code, JSON chat at ${row.connections}: CPU per answer <= 1.5 x baseline | ${fixed(ratio, 2)} x (${fixed(row.cpuPerThousand.core)} against ${fixed(row.cpuPerThousand.baseline)} ms per 1,000) | ${verdict(ratio <= 1.5)} |`;
		}),
		...chat
			.filter((row) => row.connections >= 16)
			.map((row) => {
				const w = row.writes.app;
				const value = (w.statements / Math.max(w.answers, 1)) * 1000;
				return `| D1 write statements at ${row.connections} connections, with the queue: at most 20 per 1,000 answers | ${perThousand(w.statements, w.answers)} (without the queue: ${perThousand(row.writes.queueless.statements, row.writes.queueless.answers)}) | ${verdict(value <= 20)} |`;
			}),
		...chat.map(
			(row) =>
				`| the app with its store within noise (10%) of the app without it, at ${row.connections} | ${fixed(row.app.rps / row.storeless.rps, 2)} x the throughput | ${verdict(row.app.rps >= 0.9 * row.storeless.rps)} |`,
		),
		`| first delta no more than 2 ms later than the baseline's | ${fixed(stream.app.firstDelta - stream.baseline.firstDelta, 1)} ms (the app's own code: ${fixed(stream.core.firstDelta - stream.baseline.firstDelta, 1)} ms) | ${verdict(stream.app.firstDelta - stream.baseline.firstDelta <= 2)} |`,
		`| no delta held back | ${stream.app.heldBack} held back (the app's own code: ${stream.core.heldBack}) | ${verdict(stream.app.heldBack === 0)} |`,
		`| bundle <= ${MAX_GZIP_KIB} KiB gzipped | ${bundle.gzipKib} KiB | ${verdict(bundle.gzipKib <= MAX_GZIP_KIB)} |`,
		`| start-up < ${MAX_STARTUP_MS} ms CPU | ${bundle.sampledMs} ms in busy samples (wrangler "Active": ${bundle.startupMs} ms) | ${verdict(bundle.sampledMs < MAX_STARTUP_MS)} |`,
		`| memory steady under 60 s of load | ${fixed(growth, 1)} MiB over the last third | ${verdict(growth < 20)} |`,
		"",
	];
	return lines.join("\n");
}

// --- Main ------------------------------------------------------------------------

/** `--soak=N`: the memory soak alone. */
async function soak() {
	const configs = writeConfigs();
	const withoutStore = process.argv.includes("--without-store");
	const config = withoutStore ? configs.storeless : configs.app;
	const app = await startWorker(config, configs.instantEmulator, configs.secrets);
	try {
		const memory = await memorySoak(app);
		if (!memory) throw new Error("could not find the app's workerd process");
		const peak = Math.max(...memory.samples);
		const last = memory.samples.at(-1) ?? 0;
		log(`${memory.requests} requests; peak ${peak.toFixed(0)} MiB, last ${last.toFixed(0)} MiB`);
	} finally {
		await app.stop();
	}
}

async function main() {
	const started = Date.now();
	const configs = writeConfigs();
	log("starting the app and the baseline (emulator answering at once)");
	let app;
	let core;
	let storeless;
	let queueless;
	let baseline;
	let results;
	try {
		[app, core, storeless, queueless, baseline] = await startWorkers(
			[configs.app, configs.core, configs.storeless, configs.queueless, configs.baseline],
			configs.instantEmulator,
			configs.secrets,
		);
		// Alternating app, core, storeless, queueless, baseline in each round.
		const chat = await chatThroughput({ app, core, storeless, queueless, baseline });
		await Promise.all([storeless.stop(), queueless.stop()]);
		const feedback = await feedbackThroughput(app);
		const memory = await memorySoak(app);
		await Promise.all([app.stop(), core.stop(), baseline.stop()]);
		log(`restarting with the emulator pacing tokens every ${TOKEN_INTERVAL_MS} ms`);
		[app, core, baseline] = await startWorkers(
			[configs.app, configs.core, configs.baseline],
			configs.pacedEmulator,
			configs.secrets,
		);
		const stream = await streaming({ app, core, baseline });
		await Promise.all([app.stop(), core.stop(), baseline.stop()]);
		log("profiling the app's CPU by phase");
		const phases = await phaseProfile(configs);
		results = { chat, stream, feedback, memory, phases };
	} finally {
		await Promise.all([
			app?.stop(),
			core?.stop(),
			storeless?.stop(),
			queueless?.stop(),
			baseline?.stop(),
		]);
	}
	results.bundle = bundleAndStartup();
	const markdown = report(results);
	const out = smoke
		? resolve(root, "test-results/benchmarks-smoke.md")
		: resolve(root, "docs/benchmarks.md");
	mkdirSync(resolve(out, ".."), { recursive: true });
	// Keep the sections between markers: the reading of the figures (written by hand) and the
	// feedback store's (scripts/bench-feedback-store.mjs writes it).
	const kept = existsSync(out)
		? [...readFileSync(out, "utf8").matchAll(/<!-- ([a-z:-]+) -->[\s\S]*?<!-- \/\1 -->\n?/g)]
				.map((match) => match[0].trimEnd())
				.join("\n\n")
		: "";
	// This run's phases replace the kept ones.
	writeFileSync(
		out,
		replacePhasesBlock(
			kept ? `${markdown.trimEnd()}\n\n${kept}\n` : markdown,
			results.phases.markdown,
		),
	);
	console.log(`\n${markdown}\n\n${results.phases.markdown}`);
	log(`wrote ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

/** `--phases`: the CPU profile by phase alone, into its block of the benchmarks page. */
async function phasesAlone() {
	const started = Date.now();
	const { markdown } = await phaseProfile(writeConfigs());
	const out = smoke
		? resolve(root, "test-results/benchmarks-smoke.md")
		: resolve(root, "docs/benchmarks.md");
	mkdirSync(resolve(out, ".."), { recursive: true });
	writeFileSync(
		out,
		replacePhasesBlock(existsSync(out) ? readFileSync(out, "utf8") : "", markdown),
	);
	console.log(`\n${markdown}`);
	log(`wrote ${out} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

async function startupOnly() {
	const { kib, gzipKib, sampledMs, startupMs, startups } = bundleAndStartup();
	console.log(
		`bundle ${kib} KiB (${gzipKib} KiB gzipped); start-up CPU, median of ${STARTUP_RUNS}: ${sampledMs} ms in busy samples (wrangler "Active": ${startupMs} ms); runs: ${startups.map((run) => `${run.sampled}/${run.active}`).join(", ")}`,
	);
}

await (process.argv.includes("--startup")
	? startupOnly()
	: soakOnly
		? soak()
		: phasesOnly
			? phasesAlone()
			: main());

// The app's CPU under load, split by phase, from CPU profiles of workerd's isolates:
// `npm run bench -- --phases` (and part of the full run). scripts/bench.mjs starts the
// Worker (its bundle unminified, so the bundle's `// src/…` and `// node_modules/…`
// comments name each sample's file) and the load; this file profiles and attributes.
//
// Every isolate of `wrangler dev --local` is a target of workerd's own inspector (one
// session per isolate): the app's, and the local emulation of what Cloudflare runs
// elsewhere (Rate Limiting, the static-asset router, D1, Queues, the AI emulator).
// wrangler's inspector proxy opens a session of its own on a user Worker's isolate now and
// then (at the start, and when it reconnects): while it holds one, ours is refused or
// closed, so sessions are retried and checked before the load begins.
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";
import { join } from "node:path";

/** Which file of the bundle holds a frame decides its phase; the first match wins. */
const FILE_PHASES = [
	[/^src\/http\/rate-limit\.ts$/, "rate-limit"],
	[/^(src\/http\/validate\.ts|src\/.*schemas\.ts|node_modules\/valibot\/)/, "validation"],
	[/^(src\/index\.ts|src\/http\/|node_modules\/hono\/)/, "routing"],
	[/^src\/gateway\//, "binding"],
	[/^src\/core\/feedback-token\.ts$/, "token"],
	[/^src\/answers\/record\.ts$/, "recording"],
	[/^src\/store\//, "consumer"],
	[/^node_modules\/wrangler\//, "wrangler"],
];

/** answers/answer-queue.ts holds both ends of the queue: its consumer's functions. */
const CONSUMER_FUNCTIONS = new Set([
	"answerQueue",
	"writeAnswerBatch",
	"readAnswerMessage",
	"parkDeadAnswers",
	"replayDeadAnswers",
]);

export const PHASES = {
	routing: "routing and middleware (src/index.ts, src/http/*, hono)",
	validation: "validation (valibot, schemas.ts, http/validate.ts)",
	"rate-limit": "the rate-limit call (http/rate-limit.ts and the binding under it)",
	binding: "the AI binding call and parsing its answer (src/gateway/*, the runtime's Ai class)",
	token: "the feedback token (core/feedback-token.ts, crypto.subtle under it)",
	recording: "recording and the queue send (answers/record.ts, answer-queue.ts producer)",
	consumer: "the queue consumer's D1 write (answer-queue.ts consumer, src/store/*)",
	other: "other app code (route handlers, formatting, core/*)",
	wrangler: "wrangler's dev middleware in the bundle (local only)",
	runtime: "runtime built-ins with no app frame above them",
	gc: "(garbage collector)",
	program: "(program): in the isolate, outside JavaScript",
	idle: "(idle)",
};

/** The local emulation's isolates, by workerd service name. */
export const EMULATION = [
	["limiter", "Rate Limiting binding (ratelimit:*)", (id) => id.startsWith("ratelimit:")],
	["assets", "static-asset router (assets:*)", (id) => id.startsWith("assets:")],
	["d1", "D1 (d1:*)", (id) => id.startsWith("d1:")],
	["queues", "queue delivery (queues:*)", (id) => id.startsWith("queues:")],
	[
		"emulator",
		"AI Gateway emulator (core:user:ai-gateway-emulator)",
		(id) => id === "core:user:ai-gateway-emulator",
	],
	[
		"miniflare",
		"miniflare's entry worker, observability collector, dev registry",
		(id) =>
			[
				"core:entry",
				"core:user:miniflare-observability-collector",
				"core:user:dev-registry-proxy",
			].includes(id),
	],
];

export const SAMPLING_INTERVAL_US = 1000;

// --- Finding the inspectors ---------------------------------------------------------

/** TCP ports the process listens on, from /proc (its socket inodes in /proc/net/tcp). */
function listeningPorts(pid) {
	const inodes = new Set();
	for (const fd of readdirSync(`/proc/${pid}/fd`)) {
		try {
			const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
			if (match) inodes.add(match[1]);
		} catch {
			// Closed meanwhile.
		}
	}
	const ports = [];
	for (const table of ["tcp", "tcp6"]) {
		let text = "";
		try {
			text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
		} catch {
			continue;
		}
		for (const line of text.trim().split("\n").slice(1)) {
			const fields = line.trim().split(/\s+/);
			// State 0A: LISTEN.
			if (fields[3] === "0A" && inodes.has(fields[9])) {
				ports.push(Number.parseInt(fields[1].split(":")[1], 16));
			}
		}
	}
	return ports;
}

/**
 * workerd's inspector (its /json/list names `core:user:…` services) among the ports the
 * target's workerd processes listen on, and its targets.
 */
export async function findInspectors(workerdPids) {
	const found = { runtime: undefined, targets: [] };
	for (const pid of workerdPids) {
		for (const port of listeningPorts(pid)) {
			let list;
			try {
				const res = await fetch(`http://127.0.0.1:${port}/json/list`, {
					signal: AbortSignal.timeout(2000),
				});
				list = await res.json();
			} catch {
				continue;
			}
			if (!Array.isArray(list)) continue;
			if (list.some((target) => String(target.id).startsWith("core:user:"))) {
				found.runtime = port;
				found.targets = list.map((target) => target.id);
			}
		}
	}
	if (!found.runtime) throw new Error("workerd's inspector was not found among its ports");
	return found;
}

// --- Chrome DevTools Protocol sessions ----------------------------------------------

/**
 * One inspector session. workerd keeps one session per isolate: it closes a second one at
 * once, and wrangler's proxy may take the isolate over from ours (ours is then closed).
 */
function openSession(url) {
	return new Promise((done, fail) => {
		const ws = new WebSocket(url);
		const pending = new Map();
		let next = 0;
		let closed = false;
		ws.onmessage = (event) => {
			const message = JSON.parse(String(event.data));
			// workerd answers some commands with the command itself: any message with the id answers it.
			pending.get(message.id)?.(message);
		};
		ws.onclose = () => {
			closed = true;
			for (const settle of pending.values()) settle({ error: { message: "session closed" } });
			fail(new Error(`${url}: closed`));
		};
		ws.onerror = () => {};
		const send = (method, params = {}) =>
			new Promise((settle, reject) => {
				if (closed) return reject(new Error(`${url}: ${method}: session closed`));
				const id = ++next;
				const timer = setTimeout(() => {
					pending.delete(id);
					reject(new Error(`${url}: ${method} had no answer in 30 s`));
				}, 30_000);
				pending.set(id, (message) => {
					clearTimeout(timer);
					pending.delete(id);
					if (message.error) reject(new Error(`${url}: ${method}: ${message.error.message}`));
					else settle(message.result);
				});
				ws.send(JSON.stringify({ id, method, params }));
			});
		const opening = setTimeout(() => ws.close(), 10_000);
		ws.onopen = () => {
			clearTimeout(opening);
			done({ send, isClosed: () => closed, close: () => ws.close() });
		};
	});
}

/** A session on `id` with its profiler started; retried for 30 s while the isolate is taken. */
async function profiledSession(url) {
	let lastError;
	for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
		let session;
		try {
			session = await openSession(url);
			await session.send("Profiler.enable");
			await session.send("Profiler.setSamplingInterval", { interval: SAMPLING_INTERVAL_US });
			await session.send("Profiler.start");
			return session;
		} catch (error) {
			session?.close();
			lastError = error;
			await new Promise((ok) => setTimeout(ok, 1000));
		}
	}
	throw lastError;
}

/**
 * Starts a profiler on the app's isolate and on each emulation isolate, and checks a moment
 * later that no session was taken over. `stop()` resolves to the profiles and the app's
 * bundle (read from `bundleDir`, where wrangler keeps it while it runs).
 */
export async function startProfiling({ workerdPids, appName, bundleDir }) {
	const inspectors = await findInspectors(workerdPids);
	const targets = [{ group: "app", id: `core:user:${appName}` }];
	for (const [group, , matches] of EMULATION) {
		for (const id of inspectors.targets.filter(matches)) targets.push({ group, id });
	}
	const sessions = new Map();
	const unopened = new Map();
	for (let round = 0; round < 3; round++) {
		for (const target of targets) {
			if (sessions.get(target.id) && !sessions.get(target.id).isClosed()) continue;
			try {
				sessions.set(
					target.id,
					await profiledSession(`ws://127.0.0.1:${inspectors.runtime}/${target.id}`),
				);
				unopened.delete(target.id);
			} catch (error) {
				unopened.set(target.id, error.message);
			}
		}
		await new Promise((ok) => setTimeout(ok, 2000));
		if (targets.every(({ id }) => unopened.has(id) || !sessions.get(id).isClosed())) break;
	}
	const appId = targets[0].id;
	if (!sessions.has(appId) || sessions.get(appId).isClosed()) {
		for (const session of sessions.values()) session.close();
		throw new Error(`could not profile the app's isolate: ${unopened.get(appId) ?? "taken over"}`);
	}
	const bundle = appBundle(bundleDir);
	const profiled = targets.filter(({ id }) => sessions.has(id) && !unopened.has(id));
	return {
		sessions: profiled,
		unopened: [...unopened.values()],
		stop: async () => {
			const stopped = await Promise.allSettled(
				profiled.map(({ id }) => sessions.get(id).send("Profiler.stop")),
			);
			for (const session of sessions.values()) session.close();
			const profiles = [];
			const missing = [];
			stopped.forEach((outcome, i) => {
				if (outcome.status === "fulfilled" && outcome.value?.profile) {
					profiles.push({ ...profiled[i], profile: outcome.value.profile });
				} else missing.push(`${profiled[i].id} (${outcome.reason?.message ?? "no profile"})`);
			});
			if (profiles[0]?.group !== "app") {
				throw new Error(`the app's isolate gave no profile: ${missing[0]}`);
			}
			return { profiles, missing, bundle };
		},
	};
}

/** The newest `index.js` under wrangler's temporary build folders: the app's bundle. */
function appBundle(bundleDir) {
	let newest;
	for (const dir of readdirSync(bundleDir)) {
		const file = join(bundleDir, dir, "index.js");
		try {
			const { mtimeMs } = statSync(file);
			if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
		} catch {
			// Another Worker's folder.
		}
	}
	if (!newest) throw new Error(`no bundle under ${bundleDir}`);
	return readFileSync(newest.file, "utf8");
}

// --- Attribution --------------------------------------------------------------------

/**
 * For each line of an unminified esbuild bundle, the file it came from: esbuild opens each
 * module with a `// path` comment line.
 */
function fileByLine(source) {
	const files = [];
	let current = "";
	for (const line of source.split("\n")) {
		// Relative to the configuration's folder (`../../src/index.ts`); wrangler's own
		// middleware comes as `wrangler-config:…` or from node_modules/wrangler.
		const match = /^\/\/ (?:\.\.\/)*([\w@./-]+\.[cm]?[jt]sx?|wrangler-config:\S+)$/.exec(line);
		if (match) {
			current = match[1].startsWith("wrangler-config:")
				? `node_modules/wrangler/${match[1]}`
				: match[1];
		}
		files.push(current);
	}
	return files;
}

/**
 * Each sample's time: the time since the sample before, capped at two sampling intervals
 * (V8 samples an isolate only while the thread runs it: a longer gap is time spent
 * elsewhere, and counts as one interval).
 */
function sampleTimes(profile) {
	const cap = 2 * SAMPLING_INTERVAL_US;
	return profile.timeDeltas.map((delta, i) =>
		i === 0 || delta > cap || delta <= 0 ? SAMPLING_INTERVAL_US : delta,
	);
}

/** The phase and the own file of each node of the app's profile. */
function classify(profile, bundle) {
	const bundleFiles = fileByLine(bundle);
	const byId = new Map(profile.nodes.map((node) => [node.id, node]));
	const parent = new Map();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	const fileOf = (node) => {
		const { url, lineNumber } = node.callFrame;
		return url === "index.js" ? bundleFiles[lineNumber] || url : url;
	};
	const phaseOfFrame = (node) => {
		const file = fileOf(node);
		const name = node.callFrame.functionName;
		// The bindings' JavaScript clients, which the runtime brings: async parts of them resume
		// with no caller on the stack.
		if (/^cloudflare-internal:ai-api|workers-binding/.test(file)) return "binding";
		if (/^cloudflare-internal:ratelimit/.test(file)) return "rate-limit";
		if (file === "src/answers/answer-queue.ts") {
			if (CONSUMER_FUNCTIONS.has(name)) return "consumer";
			return name ? "recording" : undefined;
		}
		for (const [pattern, phase] of FILE_PHASES) if (pattern.test(file)) return phase;
		if (file.startsWith("src/") || file.startsWith("node_modules/")) return "other";
		return undefined;
	};
	const result = new Map();
	for (const node of profile.nodes) {
		const name = node.callFrame.functionName;
		const special = { "(garbage collector)": "gc", "(program)": "program", "(idle)": "idle" }[name];
		let phase = special;
		let consumer = false;
		if (!phase) {
			// The innermost frame of a known file; a builtin's phase is its caller's.
			for (let at = node; at; at = byId.get(parent.get(at.id))) {
				const found = phaseOfFrame(at);
				if (found === "consumer") consumer = true;
				phase ??= found;
			}
			// The consumer's validation and D1 calls are the consumer's work.
			if (consumer) phase = "consumer";
			phase ??= "runtime";
		}
		result.set(node.id, {
			phase,
			file: fileOf(node) || "runtime built-in",
			name: name || "(anonymous)",
		});
	}
	return result;
}

/**
 * Milliseconds of CPU per phase of the app's isolate, per emulation group, and the app's
 * top functions by self time.
 */
export function attribute({ profiles, bundle }) {
	const app = profiles.find((entry) => entry.group === "app");
	const classes = classify(app.profile, bundle);
	const phases = Object.fromEntries(Object.keys(PHASES).map((phase) => [phase, 0]));
	const functions = new Map();
	const times = sampleTimes(app.profile);
	app.profile.samples.forEach((nodeId, i) => {
		const { phase, file, name } = classes.get(nodeId);
		const ms = times[i] / 1000;
		phases[phase] += ms;
		if (!["program", "idle", "gc"].includes(phase)) {
			// The same function can serve two phases (valibot: requests and queue messages).
			const key = `${name} (${file}) ${phase}`;
			functions.set(key, {
				key: `${name} (${file})`,
				phase,
				ms: (functions.get(key)?.ms ?? 0) + ms,
			});
		}
	});
	const emulation = Object.fromEntries(
		EMULATION.map(([group]) => [
			group,
			{ ms: 0, program: 0, sampled: profiles.some((entry) => entry.group === group) },
		]),
	);
	for (const { group, profile } of profiles) {
		if (group === "app") continue;
		const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
		const groupTimes = sampleTimes(profile);
		profile.samples.forEach((nodeId, i) => {
			const name = byId.get(nodeId);
			if (name === "(idle)") return;
			emulation[group][name === "(program)" ? "program" : "ms"] += groupTimes[i] / 1000;
		});
	}
	const top = [...functions.values()].sort((a, b) => b.ms - a.ms).slice(0, 15);
	return { phases, emulation, top };
}

// --- Report -------------------------------------------------------------------------

/**
 * The markdown block (between `<!-- bench:phases -->` markers) and the console lines.
 * `run`: { answers, seconds, connections, procMs: { total, runtimeThread }, phases, emulation, top, load, command, machine, date }.
 */
export function phasesMarkdown(run) {
	const per = (ms) => (ms / run.answers) * 1000;
	const fixed = (value, digits = 0) => Number(value).toFixed(digits);
	const appCpu = Object.entries(run.phases)
		.filter(([phase]) => !["program", "idle"].includes(phase))
		.reduce((sum, [, ms]) => sum + ms, 0);
	const emulationCpu = Object.values(run.emulation).reduce((sum, group) => sum + group.ms, 0);
	const javascript = appCpu + emulationCpu;
	const outside = run.procMs.total - javascript;
	const share = (ms) => `${fixed((ms / run.procMs.total) * 100, 1)}%`;
	const row = (label, ms) => `| ${label} | ${fixed(per(ms), 1)} | ${share(ms)} |`;
	const shared =
		run.load.start > run.cores || run.load.end > run.cores
			? ` The load average (${fixed(run.load.start, 1)} as the profile began, ${fixed(run.load.end, 1)} as it ended, on ${run.cores} cores) says other work shared the machine: these figures are for checking the method; a run on a quiet machine replaces them.`
			: ` The load average was ${fixed(run.load.start, 1)} as the profile began and ${fixed(run.load.end, 1)} as it ended, on ${run.cores} cores.`;
	return [
		"<!-- bench:phases -->",
		"## Where the app's CPU goes, by phase",
		"",
		`Measured ${run.date} on ${run.machine}, with \`${run.command}\` (scripts/bench-phases.mjs): ${run.answers} JSON chat answers at ${run.connections} connections (${fixed(run.seconds, 1)} s, until the queue had written them all to D1), the app bundled unminified beside the emulator that answers at once, each isolate of workerd sampled every ${SAMPLING_INTERVAL_US} µs by V8's profiler through workerd's inspector.${shared}`,
		"",
		"A sample's time goes to the innermost frame of a known file in the bundle (esbuild names each module's file); a runtime built-in (a `fetch`, `crypto.subtle`, the Rate Limiting binding's client) goes to its caller, and whatever runs under the queue consumer to the consumer. The emulation's isolates are what `wrangler dev` runs in JavaScript where Cloudflare runs its own services; the last rows are what no JavaScript sample covers: workerd's C++ (HTTP, sockets, SQLite between calls, the event loop) and wrangler's proxy workerd in front, from the CPU the OS charged the processes (`/proc`) over the same time, minus the samples. Sampling adds to that CPU.",
		"",
		"| where | ms of CPU per 1,000 answers | share of the workerd processes' CPU |",
		"|---|---|---|",
		...Object.entries(PHASES)
			.filter(([phase]) => !["program", "idle"].includes(phase))
			.map(([phase, label]) => row(`app: ${label}`, run.phases[phase])),
		row("**app isolate, JavaScript and its GC**", appCpu),
		...EMULATION.map(([group, label]) =>
			run.emulation[group].sampled
				? row(`emulation: ${label}`, run.emulation[group].ms)
				: `| emulation: ${label} | not sampled (its inspector session was taken) | |`,
		),
		row("**emulation isolates, JavaScript and GC**", emulationCpu),
		row(
			"outside JavaScript: workerd's C++ and wrangler's proxy (/proc minus the samples)",
			outside,
		),
		row("**all workerd processes (/proc)**", run.procMs.total),
		"",
		`Not counted above: the app isolate's (program) samples, time in the isolate outside JavaScript, ${fixed(per(run.phases.program), 1)} ms per 1,000 answers (the emulation's: ${fixed(per(Object.values(run.emulation).reduce((sum, group) => sum + group.program, 0)), 1)} ms); they are part of "outside JavaScript".`,
		"",
		"The app isolate's 15 functions with the most self time:",
		"",
		"| function (file) | phase | ms per 1,000 answers |",
		"|---|---|---|",
		...run.top.map((entry) => `| \`${entry.key}\` | ${entry.phase} | ${fixed(per(entry.ms), 1)} |`),
		"<!-- /bench:phases -->",
	].join("\n");
}

/** Puts `block` in place of the file's `<!-- bench:phases -->` block, or at its end. */
export function replacePhasesBlock(text, block) {
	const pattern = /<!-- bench:phases -->[\s\S]*?<!-- \/bench:phases -->/;
	return pattern.test(text) ? text.replace(pattern, block) : `${text.trimEnd()}\n\n${block}\n`;
}

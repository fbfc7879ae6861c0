// Starts `wrangler dev` for `npm run bench` and the browser tests (test/e2e), on ports the
// operating system picks.
//
// No free port is looked for first: that port could be taken by anyone between the look
// and wrangler's start. `--port 0` and `--inspector-port 0` have workerd bind whatever
// port is free at that moment, and the address it got comes back from wrangler: on the IPC
// channel (its DEV_SERVER_READY message) when wrangler is our child, or from its
// "Ready on http://…" line when another process runs it (`npm run dev`).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stripVTControlCharacters } from "node:util";

const root = resolve(import.meta.dirname, "..");

/**
 * What keeps `wrangler dev --local` off the network: no usage metrics, and no fetch of the
 * runtime's `Request.cf` object from workers.cloudflare.com (miniflare's default, which offline
 * printed `getaddrinfo ENOTFOUND` on every start): the Worker gets miniflare's placeholder.
 */
export const OFFLINE_ENV = { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };
const wranglerBin = resolve(root, "node_modules/wrangler/bin/wrangler.js");

/**
 * @typedef {object} WranglerDev
 * @property {string} url Where the first configuration's Worker answers.
 * @property {number} pid The command's process, leader of a process group with workerd in it.
 * @property {() => string} output What the command printed so far.
 * @property {() => Promise<void>} stop Ends the whole process group, workerd included.
 */

/**
 * Starts `wrangler dev --local` (or `command`, which must pass its arguments on to it) and
 * resolves once the Worker has answered a first request.
 *
 * @param {object} [options]
 * @param {string[]} [options.configs] `--config` files; the first one's Worker gets the URL.
 * @param {string} [options.envFile] `--env-file` with the secrets.
 * @param {string} [options.persistTo] Kept after `stop()`. Default: a new temporary directory, removed by `stop()`.
 * @param {string} [options.logLevel] `--log-level`.
 * @param {string[]} [options.command] What runs wrangler, e.g. `["npm", "run", "dev", "--"]`. Default: `wrangler dev --local`.
 * @param {NodeJS.ProcessEnv} [options.env] Environment of the command. Default: this process's.
 * @param {number} [options.timeoutMs] How long to wait for the first answer.
 * @returns {Promise<WranglerDev>}
 */
export async function startWranglerDev({
	configs = [],
	envFile,
	persistTo,
	logLevel,
	command = [process.execPath, wranglerBin, "dev", "--local"],
	env = process.env,
	timeoutMs = 90_000,
} = {}) {
	const temporaryState = persistTo === undefined;
	const state = persistTo ?? mkdtempSync(join(tmpdir(), "wrangler-dev-"));
	const args = [
		...configs.flatMap((config) => ["--config", config]),
		...(envFile ? ["--env-file", envFile] : []),
		...(logLevel ? ["--log-level", logLevel] : []),
		...["--ip", "127.0.0.1", "--port", "0", "--inspector-port", "0"],
		`--persist-to=${state}`,
	];
	const [file, ...leading] = command;
	const child = spawn(file, [...leading, ...args], {
		cwd: root,
		stdio: ["ignore", "pipe", "pipe", "ipc"],
		// Its own process group, so that stop() reaches workerd too.
		detached: true,
		env: { ...OFFLINE_ENV, ...env },
	});
	let output = "";
	child.stdout?.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr?.on("data", (chunk) => {
		output += chunk;
	});
	const exited = new Promise((done) => child.once("exit", done));

	const stop = async () => {
		await endGroup(child, exited);
		if (temporaryState) rmSync(state, { recursive: true, force: true });
	};

	try {
		const url = await waitForAddress(child, () => output, timeoutMs);
		// The Worker may still be loading behind wrangler's proxy, which holds requests until then.
		await fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then((res) => res.body?.cancel());
		// Open until wrangler ends (it would fail on a channel closed under it), but not
		// keeping this process alive.
		child.channel?.unref();
		return { url, pid: /** @type {number} */ (child.pid), output: () => output, stop };
	} catch (error) {
		await stop();
		const reason = error instanceof Error ? error.message : String(error);
		throw new Error(`${command.join(" ")}: ${reason}\n${output}`);
	}
}

/**
 * The address wrangler bound: from its IPC message, or from its "Ready on" line.
 *
 * @param {import("node:child_process").ChildProcess} child
 * @param {() => string} output
 * @param {number} timeoutMs
 * @returns {Promise<string>}
 */
function waitForAddress(child, output, timeoutMs) {
	return new Promise((done, fail) => {
		const finish = (/** @type {() => void} */ settle) => {
			clearTimeout(timer);
			child.off("message", onMessage);
			child.stdout?.off("data", onOutput);
			child.stderr?.off("data", onOutput);
			child.off("exit", onExit);
			child.off("error", onError);
			settle();
		};
		const onMessage = (/** @type {unknown} */ message) => {
			const ready = parseReady(message);
			if (ready) finish(() => done(ready));
		};
		const onOutput = () => {
			const url = /Ready on (https?:\/\/[^\s/]+)/.exec(stripVTControlCharacters(output()))?.[1];
			if (url) finish(() => done(url));
		};
		const onExit = (/** @type {number | null} */ code, /** @type {string | null} */ signal) =>
			finish(() => fail(new Error(`exited (${signal ?? code}) before it was ready`)));
		const onError = (/** @type {Error} */ error) => finish(() => fail(error));
		const timer = setTimeout(
			() => finish(() => fail(new Error(`not ready within ${timeoutMs / 1000} s`))),
			timeoutMs,
		);
		child.on("message", onMessage);
		child.stdout?.on("data", onOutput);
		child.stderr?.on("data", onOutput);
		child.once("exit", onExit);
		child.once("error", onError);
	});
}

/**
 * wrangler's `{"event":"DEV_SERVER_READY","ip":"127.0.0.1","port":41234}`, as a URL.
 *
 * @param {unknown} message
 * @returns {string | undefined}
 */
function parseReady(message) {
	let data = message;
	try {
		if (typeof message === "string") data = JSON.parse(message);
	} catch {
		return undefined;
	}
	if (typeof data !== "object" || data === null) return undefined;
	const { event, ip, port } = /** @type {{ event?: unknown, ip?: unknown, port?: unknown }} */ (
		data
	);
	if (event !== "DEV_SERVER_READY" || typeof ip !== "string" || typeof port !== "number") {
		return undefined;
	}
	const host = ["0.0.0.0", "::", "*"].includes(ip)
		? "127.0.0.1"
		: ip.includes(":")
			? `[${ip}]`
			: ip;
	return `http://${host}:${port}`;
}

/**
 * SIGTERM to the process group; SIGKILL to what is left of it after 5 s.
 *
 * @param {import("node:child_process").ChildProcess} child
 * @param {Promise<unknown>} exited
 */
async function endGroup(child, exited) {
	const group = -(/** @type {number} */ (child.pid));
	const signal = (/** @type {NodeJS.Signals | 0} */ name) => {
		try {
			process.kill(group, name);
			return true;
		} catch {
			return false; // No process left in the group.
		}
	};
	if (child.pid === undefined || !signal("SIGTERM")) return;
	const deadline = Date.now() + 5000;
	await Promise.race([exited, new Promise((done) => setTimeout(done, 5000))]);
	// The leader can go first: wait for the rest of the group (workerd) as well.
	while (signal(0) && Date.now() < deadline) await new Promise((done) => setTimeout(done, 50));
	if (signal("SIGKILL")) await exited;
}

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface DevServer {
	url: string;
	debugToken: string;
	output: () => string;
	stop: () => Promise<void>;
}

/** Starts `npm run dev` (scripts/dev.mjs) exactly as a user would, on a free port. */
export async function startDevServer(
	persistTo = mkdtempSync(join(tmpdir(), "chat-e2e-")),
): Promise<DevServer> {
	const port = await freePort();
	const child = spawn(
		"npm",
		["run", "dev", "--", "--port", String(port), "--ip", "127.0.0.1", `--persist-to=${persistTo}`],
		{
			cwd: ROOT,
			env: { ...process.env, BROWSER: "none", CI: "true" },
			stdio: ["ignore", "pipe", "pipe"],
			detached: true,
		},
	);
	let output = "";
	child.stdout?.on("data", (chunk) => {
		output += chunk;
	});
	child.stderr?.on("data", (chunk) => {
		output += chunk;
	});
	const url = `http://127.0.0.1:${port}`;
	await waitUntilReady(url, child, () => output);
	const debugToken =
		/^DEBUG_TOKEN=(.*)$/m.exec(readFileSync(join(ROOT, ".dev.vars"), "utf8"))?.[1] ?? "";
	return {
		url,
		debugToken,
		output: () => output,
		stop: () => stop(child),
	};
}

async function waitUntilReady(
	url: string,
	child: ChildProcess,
	output: () => string,
): Promise<void> {
	const deadline = Date.now() + 90_000;
	while (Date.now() < deadline) {
		if (child.exitCode !== null) throw new Error(`npm run dev exited early:\n${output()}`);
		try {
			const res = await fetch(url);
			if (res.ok) return;
		} catch {
			// Not listening yet.
		}
		await new Promise((done) => setTimeout(done, 250));
	}
	await stop(child);
	throw new Error(`npm run dev did not answer within 90 s:\n${output()}`);
}

function stop(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.pid === undefined) return Promise.resolve();
	return new Promise((done) => {
		const timer = setTimeout(() => process.kill(-(child.pid as number), "SIGKILL"), 5000);
		child.once("exit", () => {
			clearTimeout(timer);
			done();
		});
		process.kill(-(child.pid as number), "SIGTERM");
	});
}

function freePort(): Promise<number> {
	return new Promise((resolvePort, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			server.close(() => resolvePort(typeof address === "object" && address ? address.port : 0));
		});
	});
}

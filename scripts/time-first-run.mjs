#!/usr/bin/env node
// Times what a new user does: a fresh clone, `npm install`, then `npm run dev` until the
// chat page and an emulated answer come back. Usage: node scripts/time-first-run.mjs
// It prints the times and writes them, dated, with the machine, into docs/deploy.md's block
// between `<!-- figures:time-first-run -->` and `<!-- /figures -->` (`--no-write`: print only).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const workdir = mkdtempSync(join(tmpdir(), "first-run-"));
const clone = join(workdir, "app");
const port = 8900 + Math.floor(Math.random() * 90);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

const started = Date.now();
execFileSync("git", ["clone", "--quiet", root, clone]);
const cloned = Date.now();
execFileSync("npm", ["install", "--no-audit", "--no-fund"], { cwd: clone, stdio: "ignore" });
const installed = Date.now();

const dev = spawn("npm", ["run", "dev", "--", "--port", String(port), "--ip", "127.0.0.1"], {
	cwd: clone,
	stdio: "ignore",
	detached: true,
});
const url = `http://127.0.0.1:${port}`;
let pageAt = 0;
let answerAt = 0;
try {
	while (Date.now() - installed < 120_000 && !answerAt) {
		try {
			if (!pageAt && (await fetch(url)).ok) pageAt = Date.now();
			if (pageAt) {
				const res = await fetch(`${url}/api/chat`, {
					method: "POST",
					headers: { "content-type": "application/json" },
					body: JSON.stringify({ messages: [{ role: "user", content: "hello" }] }),
				});
				if (res.ok) answerAt = Date.now();
			}
		} catch {
			// The dev server is not listening yet.
		}
		if (!answerAt) await new Promise((done) => setTimeout(done, 100));
	}
} finally {
	process.kill(-dev.pid, "SIGTERM");
	rmSync(workdir, { recursive: true, force: true });
}
if (!answerAt) {
	console.error("npm run dev did not answer within 120 s");
	process.exit(1);
}
console.log(`git clone:                    ${seconds(cloned - started)}`);
console.log(`npm install:                  ${seconds(installed - cloned)}`);
console.log(`npm run dev until page loads: ${seconds(pageAt - installed)}`);
console.log(`... until the first answer:   ${seconds(answerAt - installed)}`);
console.log(`clone to first answer:        ${seconds(answerAt - started)}`);

if (!process.argv.includes("--no-write")) {
	const doc = resolve(root, "docs/deploy.md");
	const block = /(<!-- figures:time-first-run -->\n)[\s\S]*?(\n<!-- \/figures -->)/;
	const text = readFileSync(doc, "utf8");
	if (!block.test(text)) throw new Error("docs/deploy.md has no figures:time-first-run block");
	const figures =
		`(Measured ${new Date().toISOString().slice(0, 10)} by \`node scripts/time-first-run.mjs\` on ` +
		`${process.platform} ${process.arch}, ${availableParallelism()} cores, Node ${process.versions.node}, ` +
		`with a warm npm cache: \`npm install\` took ${seconds(installed - cloned)}, and ` +
		`\`npm run dev\` served the page ${seconds(pageAt - installed)} later and its first answer ` +
		`${seconds(answerAt - installed)} later. Measure yours the same way.)`;
	writeFileSync(doc, text.replace(block, `$1${figures}$2`));
	console.log("Wrote the figures to docs/deploy.md.");
}

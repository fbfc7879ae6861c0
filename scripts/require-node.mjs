#!/usr/bin/env node
// The Node this project needs, checked before anything else runs: imported first by
// scripts/dev.mjs (ES modules run their imports in order, so this ends the process before
// wrangler is loaded or a file is written), and run as a command by .ci/run. The minimum
// has one home, package.json's `engines.node`; `.nvmrc` names the Node to install, which
// `nvm install` and `fnm use` read. No dependencies and plain syntax: it must run on an old Node.
import { readFileSync } from "node:fs";

const read = (name) => readFileSync(new URL(`../${name}`, import.meta.url), "utf8");
const minimum = /(\d+)\.(\d+)/.exec(JSON.parse(read("package.json")).engines.node);
const recommended = read(".nvmrc").trim();
const [major, minor] = process.versions.node.split(".").map(Number);
const [needMajor, needMinor] = [Number(minimum[1]), Number(minimum[2])];

if (major < needMajor || (major === needMajor && minor < needMinor)) {
	process.stderr.write(
		`This project needs Node ${needMajor}.${needMinor} or newer, and this is ${process.versions.node}: ` +
			`run \`nvm install\` (or \`fnm use --install-if-missing\`) for Node ${recommended} from .nvmrc, ` +
			"or see README.md's Quick start for other ways.\n",
	);
	process.exit(1);
}

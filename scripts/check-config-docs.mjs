#!/usr/bin/env node
// The README's Configuration table is where each setting is documented: one row per var in
// wrangler.jsonc, per secret in .dev.vars.example (commented-out names too) and per optional
// secret typed in src/env.d.ts, and no row for anything else. A var's Default must be its
// wrangler.jsonc value (`value`, or "empty") unless the value is too long to quote; a
// secret's is "unset". Names in package.json's cloudflare.bindings (the Deploy button's
// descriptions) must have a row too. A numeric var in wrangler.jsonc must keep the rule of
// src/core/numeric-settings.ts (the one the Worker applies): a positive number; JUDGE_SAMPLE_RATE
// a number from 0 to 1. Run by
// `npm run check`; `--root <dir>` checks another copy of the repository (the tooling test).
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";
import {
	NUMERIC_SETTING_RULE,
	NUMERIC_SETTINGS,
	numericSetting,
	SAMPLE_RATE_RULE,
	sampleRate,
} from "../src/core/numeric-settings.ts";

const rootArg = process.argv.indexOf("--root");
const root =
	rootArg === -1 ? resolve(import.meta.dirname, "..") : resolve(process.argv[rootArg + 1] ?? ".");
const read = (file) => readFileSync(resolve(root, file), "utf8");
// Longer var values may be described in words instead of quoted; a list's description
// starts with its length ("4 chat models"), which is checked.
const MAX_QUOTED_DEFAULT = 64;
const problems = [];
const badValues = [];

// What the project declares.
const { rawConfig } = experimental_readRawConfig({ config: resolve(root, "wrangler.jsonc") });
const vars = new Map(Object.entries(rawConfig.vars ?? {}).map(([name, v]) => [name, String(v)]));
// Refused here rather than replaced by a default at run time (which the Worker does, loudly).
for (const name of Object.keys(NUMERIC_SETTINGS))
	if (vars.has(name) && numericSetting(name, vars.get(name)) === undefined)
		badValues.push(
			`${name} is ${JSON.stringify(vars.get(name))} in wrangler.jsonc: it must be ${NUMERIC_SETTING_RULE}`,
		);
if (vars.has("JUDGE_SAMPLE_RATE") && sampleRate(vars.get("JUDGE_SAMPLE_RATE")) === undefined)
	badValues.push(
		`JUDGE_SAMPLE_RATE is ${JSON.stringify(vars.get("JUDGE_SAMPLE_RATE"))} in wrangler.jsonc: it must be ${SAMPLE_RATE_RULE}`,
	);
const devVarsNames = [...read(".dev.vars.example").matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map(
	(match) => match[1],
);
const envSecretNames = [...read("src/env.d.ts").matchAll(/^\s*([A-Z][A-Z0-9_]*)\?: string;/gm)].map(
	(match) => match[1],
);
const secrets = new Set([...devVarsNames, ...envSecretNames]);
const bindings = new Set(
	[
		rawConfig.ai?.binding,
		rawConfig.browser?.binding,
		rawConfig.images?.binding,
		rawConfig.assets?.binding,
		...(rawConfig.durable_objects?.bindings ?? []).map((b) => b.name),
		...(rawConfig.ratelimits ?? []).map((b) => b.name),
		...[
			"services",
			"kv_namespaces",
			"r2_buckets",
			"d1_databases",
			"vectorize",
			"hyperdrive",
			"analytics_engine_datasets",
		].flatMap((key) => (rawConfig[key] ?? []).map((b) => b.binding)),
		...(rawConfig.queues?.producers ?? []).map((b) => b.binding),
	].filter(Boolean),
);

// The README's table: the first table under "## Configuration".
const readme = read("README.md");
const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? "";
const rows = section
	.split("\n")
	.filter((line) => /^\|\s*`/.test(line))
	.map((line) => {
		const [name, kind, defaultValue] = line
			.split("|")
			.slice(1, -1)
			.map((cell) => cell.trim());
		return { name: name.replace(/^`|`$/g, ""), kind, defaultValue };
	});
if (rows.length === 0) problems.push("README.md has no Configuration table");

const seen = new Set();
for (const { name, kind, defaultValue } of rows) {
	if (seen.has(name)) problems.push(`${name}: more than one row in the README's table`);
	seen.add(name);
	if (vars.has(name)) {
		if (kind !== "var") problems.push(`${name}: Kind is "${kind}", but it is a var`);
		const value = vars.get(name);
		const expected =
			value === "" ? "empty" : value.length <= MAX_QUOTED_DEFAULT ? `\`${value}\`` : undefined;
		if (expected !== undefined && defaultValue !== expected)
			problems.push(
				`${name}: Default is ${defaultValue || "blank"}, but wrangler.jsonc has ${JSON.stringify(value)} (write ${expected})`,
			);
		if (expected === undefined && defaultValue.startsWith("`") && defaultValue !== `\`${value}\``)
			problems.push(`${name}: Default ${defaultValue} is not its wrangler.jsonc value`);
		const items = value.split(",").length;
		if (expected === undefined && items > 1 && !defaultValue.startsWith(`${items} `))
			problems.push(
				`${name}: Default is "${defaultValue}", but wrangler.jsonc lists ${items}: start it with "${items} "`,
			);
	} else if (secrets.has(name)) {
		if (kind !== "secret") problems.push(`${name}: Kind is "${kind}", but it is a secret`);
		if (defaultValue !== "unset") problems.push(`${name}: a secret's Default is "unset"`);
	} else if (!bindings.has(name) || kind === "var" || kind === "secret") {
		problems.push(
			`${name}: in the README's table, but not a var in wrangler.jsonc, a name in .dev.vars.example, an optional secret in src/env.d.ts, nor a binding`,
		);
	}
}
for (const name of vars.keys())
	if (!seen.has(name)) problems.push(`${name}: var in wrangler.jsonc without a README row`);
for (const name of devVarsNames)
	if (!seen.has(name)) problems.push(`${name}: in .dev.vars.example without a README row`);
for (const name of envSecretNames)
	if (!seen.has(name)) problems.push(`${name}: secret in src/env.d.ts without a README row`);
const pkg = JSON.parse(read("package.json"));
for (const name of Object.keys(pkg.cloudflare?.bindings ?? {}))
	if (!seen.has(name))
		problems.push(`${name}: in package.json cloudflare.bindings without a README row`);

// The Node the project needs: its minimum lives in package.json's engines.node (which
// scripts/require-node.mjs enforces), the one to install in .nvmrc; the docs and CI's pin follow.
const minimumNode = /(\d+\.\d+)/.exec(pkg.engines.node)?.[1];
const nvmrc = read(".nvmrc").trim();
for (const file of ["README.md", "docs/deploy.md"]) {
	const text = read(file);
	for (const [said, version] of text.matchAll(/Node (\d+(?:\.\d+)*) or newer/g))
		if (version !== minimumNode)
			problems.push(`${file}: "${said}", but package.json's engines.node is ${pkg.engines.node}`);
	if (!text.includes(`Node ${minimumNode} or newer`))
		problems.push(`${file}: does not say "Node ${minimumNode} or newer" (engines.node)`);
	if (!text.includes(`\`.nvmrc\` names (${nvmrc})`))
		problems.push(`${file}: does not say "\`.nvmrc\` names (${nvmrc})"`);
	for (const [said, version] of text.matchAll(/node-[a-z]+-[a-z0-9]+@(\d+)/g))
		if (version !== nvmrc) problems.push(`${file}: ${said}, but .nvmrc names ${nvmrc}`);
}
const ciNode = /^NODE_VERSION=(\d+)\./m.exec(read(".ci/run"))?.[1];
if (ciNode !== nvmrc)
	problems.push(`.ci/run: NODE_VERSION's major is ${ciNode}, .nvmrc's ${nvmrc}`);

if (badValues.length > 0) {
	console.error("wrangler.jsonc has settings the Worker cannot use:");
	for (const problem of badValues) console.error(`  ${problem}`);
}
if (problems.length > 0) {
	console.error(
		"The docs (README.md's Configuration table, the Node they name) and the configuration disagree:",
	);
	for (const problem of problems) console.error(`  ${problem}`);
}
if (badValues.length > 0 || problems.length > 0) process.exit(1);
console.log(
	`README.md's Configuration table matches the configuration (${vars.size} vars, ${secrets.size} secrets).`,
);

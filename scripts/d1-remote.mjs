#!/usr/bin/env node
// The feedback store's D1 database on Cloudflare (FEEDBACK_DB), before `npm run deploy`
// applies its migrations (package.json's `predeploy`, the templates' convention: the schema
// is in place before the new code serves). On the first deploy from a clone the database does
// not exist yet: `wrangler deploy` would create it (automatic provisioning), but only after
// `predeploy`, whose `wrangler d1 migrations apply --remote` stops at "Couldn't find a D1 DB
// named ...". So this creates it first, under the name wrangler.jsonc gives it, which
// `wrangler deploy` then binds to instead of creating one. With a `database_id` (the Deploy
// button writes one into the new repository) it does nothing: the database exists.
import { execFileSync } from "node:child_process";
import { delimiter, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { experimental_readRawConfig } from "wrangler";

const root = resolve(import.meta.dirname, "..");
export const BINDING = "FEEDBACK_DB";

/** The D1 binding named `binding` in a raw wrangler configuration. */
export function d1Binding(config, binding = BINDING) {
	const found = (config.d1_databases ?? []).find((database) => database.binding === binding);
	if (!found) throw new Error(`wrangler.jsonc has no d1_databases entry bound as ${binding}`);
	if (!found.database_name && !found.database_id)
		throw new Error(`wrangler.jsonc's ${binding} needs a database_name (or a database_id)`);
	return found;
}

/**
 * Creates FEEDBACK_DB's database when the account has none of its name. `wrangler(args)`
 * runs wrangler and returns its standard output. Returns what it did: "configured" (the
 * binding has a database_id), "exists" or "created".
 */
export function ensureRemoteDatabase({ config, wrangler, log = console.log }) {
	const database = d1Binding(config);
	if (database.database_id) return "configured";
	const listed = wrangler(["d1", "list", "--json"]);
	let names;
	try {
		names = JSON.parse(listed).map((entry) => entry.name);
	} catch {
		throw new Error(
			`\`wrangler d1 list --json\` printed no list of databases, so whether ${database.database_name} exists is unknown:\n${listed.slice(0, 500)}`,
		);
	}
	if (names.includes(database.database_name)) return "exists";
	log(
		`First deploy: creating the D1 database ${database.database_name} (${BINDING}) so that its migrations can be applied before \`wrangler deploy\`.`,
	);
	wrangler([
		"d1",
		"create",
		database.database_name,
		// Not the prompt offering to rewrite wrangler.jsonc: the binding is there already.
		"--update-config=false",
		...(database.jurisdiction ? ["--jurisdiction", database.jurisdiction] : []),
	]);
	log(`Created ${database.database_name}; \`wrangler deploy\` binds ${BINDING} to it.`);
	return "created";
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const { rawConfig } = experimental_readRawConfig({ config: resolve(root, "wrangler.jsonc") });
	// The wrangler npm scripts run (node_modules/.bin leads their PATH); the project's when
	// this runs by itself.
	const PATH = `${process.env.PATH ?? ""}${delimiter}${resolve(root, "node_modules/.bin")}`;
	try {
		ensureRemoteDatabase({
			config: rawConfig,
			wrangler: (args) =>
				execFileSync("wrangler", args, {
					cwd: root,
					encoding: "utf8",
					stdio: ["inherit", "pipe", "inherit"],
					env: { ...process.env, PATH },
				}),
		});
	} catch (error) {
		// wrangler has printed its own error on stderr; ours says which step stopped.
		console.error(`scripts/d1-remote.mjs: ${error.message.split("\n")[0]}`);
		process.exit(1);
	}
}

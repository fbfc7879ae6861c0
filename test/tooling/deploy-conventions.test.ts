/**
 * The conventions of Cloudflare's template gallery (cloudflare/templates: CONTRIBUTING.md and
 * its `templates lint`), and `npm run deploy` in the order that works on a first deploy from a
 * clone: the D1 database, its migrations, then `wrangler deploy`. Offline: `npm run deploy`
 * runs through a shell that puts a fake wrangler first on PATH, which only records its
 * arguments.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";

const root = resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
interface D1Database {
	binding: string;
	database_name?: string;
	database_id?: string;
	migrations_dir?: string;
}
/** What this test reads of wrangler.jsonc. */
interface WranglerConfig {
	$schema?: string;
	name?: string;
	compatibility_date?: string;
	observability?: { enabled?: boolean };
	upload_source_maps?: boolean;
	d1_databases?: D1Database[];
}
const wrangler: WranglerConfig = experimental_readRawConfig({
	config: join(root, "wrangler.jsonc"),
}).rawConfig;
const database = wrangler.d1_databases?.find((entry) => entry.binding === "FEEDBACK_DB");

interface RemoteD1 {
	ensureRemoteDatabase(options: {
		config: unknown;
		wrangler: (args: string[]) => string;
		log?: (line: string) => void;
	}): "configured" | "exists" | "created";
}
// A script (plain JavaScript, run by Node), imported by path for its function.
const remoteD1Path = join(root, "scripts/d1-remote.mjs");
const { ensureRemoteDatabase }: RemoteD1 = await import(remoteD1Path);

describe("package.json's cloudflare block, by the gallery's rules", () => {
	const cloudflare = pkg.cloudflare;

	it("has a name, a description, and the dev and deploy scripts", () => {
		expect(pkg.name).toMatch(/^[a-z0-9-]+$/);
		expect(pkg.description).toEqual(expect.any(String));
		expect(pkg.scripts.dev).toEqual(expect.any(String));
		expect(pkg.scripts.deploy).toEqual(expect.any(String));
	});

	it("has a label, at most 3 products, known categories and a docs URL", () => {
		expect(cloudflare.label).toMatch(/^[A-Z]/);
		expect(cloudflare.products.length).toBeGreaterThanOrEqual(1);
		expect(cloudflare.products.length).toBeLessThanOrEqual(3);
		for (const product of cloudflare.products) expect(product).toEqual(expect.any(String));
		expect(cloudflare.categories.length).toBeGreaterThanOrEqual(1);
		for (const category of cloudflare.categories)
			expect(["starter", "storage", "ai"]).toContain(category);
		expect(cloudflare.docs_url).toMatch(/^https:\/\/developers\.cloudflare\.com\//);
	});

	it("has only keys the gallery reads, and the preview images whenever it is published", () => {
		const known = [
			"label",
			"products",
			"categories",
			"docs_url",
			"icon_urls",
			"preview_image_url",
			"preview_icon_url",
			"publish",
			"bindings",
		];
		for (const key of Object.keys(cloudflare)) expect(known).toContain(key);
		if (cloudflare.publish === true) {
			expect(cloudflare.preview_image_url).toMatch(/^https:\/\//);
			expect(cloudflare.preview_icon_url).toMatch(/^https:\/\//);
		}
	});

	it("describes each secret the Deploy button asks for (.dev.vars.example)", () => {
		const asked = [
			...readFileSync(join(root, ".dev.vars.example"), "utf8").matchAll(/^([A-Z][A-Z0-9_]*)=/gm),
		].map((match) => match[1]);
		expect(asked).toContain("FEEDBACK_SECRET");
		for (const name of asked)
			expect(cloudflare.bindings[name ?? ""]?.description, name).toMatch(/\S/);
	});
});

describe("the gallery's other files", () => {
	it("wrangler.jsonc: $schema, observability, source maps, and package.json's name", () => {
		expect(wrangler.$schema).toBe("node_modules/wrangler/config-schema.json");
		expect(existsSync(join(root, wrangler.$schema ?? ""))).toBe(true);
		expect(wrangler.observability?.enabled).toBe(true);
		expect(wrangler.upload_source_maps).toBe(true);
		expect(wrangler.name).toBe(pkg.name);
	});

	it("wrangler.jsonc: a compatibility date the local runtime supports", () => {
		// miniflare's version names the date of the workerd it runs: 5.YYYYMMDD.x.
		const { version } = JSON.parse(
			readFileSync(join(root, "node_modules/miniflare/package.json"), "utf8"),
		);
		const runtime = /^\d+\.(\d{4})(\d{2})(\d{2})\./.exec(version);
		expect(runtime, version).not.toBeNull();
		const supported = runtime?.slice(1).join("-") ?? "";
		expect(wrangler.compatibility_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
		expect((wrangler.compatibility_date ?? "") <= supported, supported).toBe(true);
	});

	it(".gitignore: node_modules, .wrangler and local secrets, but not .dev.vars.example", () => {
		const lines = readFileSync(join(root, ".gitignore"), "utf8").split("\n");
		expect(lines).toEqual(
			expect.arrayContaining(
				[/^\/?node_modules/, /^\/?\.wrangler/].map((pattern) => expect.stringMatching(pattern)),
			),
		);
		expect(lines).toContain(".dev.vars");
		expect(lines).toContain("!.dev.vars.example");
	});

	it("README: the Deploy button, its placeholder explained, dash-content markers in order", () => {
		const readme = readFileSync(join(root, "README.md"), "utf8");
		expect(readme).toContain(
			"[![Deploy to Cloudflare](https://deploy.workers.cloudflare.com/button)](https://deploy.workers.cloudflare.com/?url=https://github.com/YOUR-ACCOUNT/ai-gateway-feedback-chat)",
		);
		const deploy = readme.split(/^## Deploy$/m)[1]?.split(/^## /m)[0] ?? "";
		expect(deploy).toMatch(/placeholder[^.]*replace `YOUR-ACCOUNT`/);
		const start = readme.indexOf("<!-- dash-content-start -->");
		const end = readme.indexOf("<!-- dash-content-end -->");
		expect(start).toBeGreaterThan(-1);
		expect(end).toBeGreaterThan(start);
		expect(readme.indexOf("<!-- dash-content-start -->", start + 1)).toBe(-1);
	});
});

describe("npm run deploy", { timeout: 120_000 }, () => {
	let dir = "";
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), "deploy-order-"));
		// The shell npm runs each script with: a real sh, with the fake wrangler first on PATH.
		writeFileSync(
			join(dir, "shell"),
			`#!/usr/bin/env node
const { spawnSync } = require("node:child_process");
const PATH = process.env.FAKE_BIN + ${JSON.stringify(delimiter)} + process.env.PATH;
const run = spawnSync("/bin/sh", process.argv.slice(2), { stdio: "inherit", env: { ...process.env, PATH } });
process.exit(run.status ?? 1);
`,
		);
		writeFileSync(
			join(dir, "wrangler"),
			`#!/usr/bin/env node
const args = process.argv.slice(2).join(" ");
require("node:fs").appendFileSync(process.env.FAKE_LOG, args + "\\n");
if (args === "d1 list --json") process.stdout.write(process.env.FAKE_D1_LIST);
if (process.env.FAKE_FAIL && args.startsWith(process.env.FAKE_FAIL)) process.exit(1);
`,
		);
		chmodSync(join(dir, "shell"), 0o755);
		chmodSync(join(dir, "wrangler"), 0o755);
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	/** Runs `npm run deploy`; returns its exit code and wrangler's invocations, in order. */
	function deploy({ listed, fail }: { listed: string; fail?: string }) {
		const log = join(dir, `log-${Math.random().toString(36).slice(2)}`);
		writeFileSync(log, "");
		const run = spawnSync("npm", ["run", "deploy", `--script-shell=${join(dir, "shell")}`], {
			cwd: root,
			encoding: "utf8",
			env: {
				...process.env,
				PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
				npm_config_update_notifier: "false",
				FAKE_BIN: dir,
				FAKE_LOG: log,
				FAKE_D1_LIST: listed,
				FAKE_FAIL: fail ?? "",
			},
		});
		const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
		return { status: run.status, calls, output: run.stdout + run.stderr };
	}

	it("on a first deploy creates the database, applies its migrations, then deploys", () => {
		const { status, calls, output } = deploy({ listed: "[]" });
		expect(output).toContain("First deploy: creating the D1 database");
		expect(calls).toEqual([
			"d1 list --json",
			`d1 create ${database?.database_name} --update-config=false`,
			"d1 migrations apply FEEDBACK_DB --remote",
			"deploy",
		]);
		expect(status).toBe(0);
	});

	it("with the database there, applies the migrations, then deploys", () => {
		const listed = JSON.stringify([{ uuid: "x", name: database?.database_name }]);
		const { status, calls } = deploy({ listed });
		expect(calls).toEqual(["d1 list --json", "d1 migrations apply FEEDBACK_DB --remote", "deploy"]);
		expect(status).toBe(0);
	});

	it("does not deploy when the migrations fail, so new code never meets an old schema", () => {
		const listed = JSON.stringify([{ uuid: "x", name: database?.database_name }]);
		const { status, calls } = deploy({ listed, fail: "d1 migrations apply" });
		expect(calls).toEqual(["d1 list --json", "d1 migrations apply FEEDBACK_DB --remote"]);
		expect(status).not.toBe(0);
	});

	it("stops, saying why, when it cannot tell whether the database exists", () => {
		const { status, calls, output } = deploy({ listed: "Not logged in." });
		expect(calls).toEqual(["d1 list --json"]);
		expect(output).toContain("printed no list of databases");
		expect(status).not.toBe(0);
	});

	it("applies the migrations of the FEEDBACK_DB binding, named by binding", () => {
		expect(database?.migrations_dir).toBe("migrations");
		expect(database?.database_name).toEqual(expect.any(String));
		// Without an id, `wrangler deploy` would create the database only after predeploy.
		expect(database?.database_id).toBeUndefined();
	});
});

describe("scripts/d1-remote.mjs", () => {
	const named = (binding: Record<string, string>) => ({
		d1_databases: [{ binding: "FEEDBACK_DB", ...binding }],
	});
	/** A fake wrangler printing `output`, and the arguments of each call. */
	const recorder = (output: string) => {
		const calls: string[][] = [];
		const wrangler = (args: string[]) => {
			calls.push(args);
			return output;
		};
		return { calls, wrangler };
	};

	it("does nothing when the binding has a database_id (as the Deploy button writes)", () => {
		const { calls, wrangler } = recorder("");
		const config = named({ database_name: "store", database_id: "0000" });
		const did = ensureRemoteDatabase({ config, wrangler });
		expect(did).toBe("configured");
		expect(calls).toEqual([]);
	});

	it("creates the database in the binding's jurisdiction", () => {
		const { calls, wrangler } = recorder("[]");
		const did = ensureRemoteDatabase({
			config: named({ database_name: "store", jurisdiction: "eu" }),
			wrangler,
			log: () => {},
		});
		expect(did).toBe("created");
		expect(calls.at(-1)).toEqual([
			"d1",
			"create",
			"store",
			"--update-config=false",
			"--jurisdiction",
			"eu",
		]);
	});
});

describe("npm run check", { timeout: 120_000 }, () => {
	it("builds with `wrangler deploy --dry-run`, which needs no account", () => {
		expect(pkg.scripts.check).toMatch(/(^|&& )wrangler deploy --dry-run( &&|$)/);
		const { CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID, ...env } = process.env;
		const run = spawnSync(join(root, "node_modules/.bin/wrangler"), ["deploy", "--dry-run"], {
			cwd: root,
			encoding: "utf8",
			env: { ...env, WRANGLER_SEND_METRICS: "false", WRANGLER_HIDE_BANNER: "true" },
		});
		expect(run.stdout).toContain("--dry-run: exiting now.");
		expect(run.stdout).toContain("env.FEEDBACK_DB");
		expect(run.status, run.stderr).toBe(0);
	});
});

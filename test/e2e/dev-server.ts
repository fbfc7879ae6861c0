import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { startWranglerDev } from "../../scripts/wrangler-dev.mjs";
import { TEST_VARS } from "../settings.ts";

export const ROOT = resolve(import.meta.dirname, "../..");

export interface DevServer {
	url: string;
	/** The `npm` process: leader of a process group with everything `npm run dev` started. */
	pid: number;
	debugToken: string;
	adminToken: string;
	output: () => string;
	stop: () => Promise<void>;
}

/**
 * Starts `npm run dev` (scripts/dev.mjs) exactly as a user would, on a port the system picks
 * (scripts/wrangler-dev.mjs). State goes to `persistTo`, else to a temporary directory.
 * It runs on the tests' own settings (TEST_VARS, as `wrangler dev --var`), not wrangler.jsonc's
 * vars, which an adopter changes; `vars` override them, e.g. ALLOWED_MODELS. `env` adds to this
 * process's environment.
 */
export async function startDevServer(
	persistTo?: string,
	{ env = {}, vars = {} }: { env?: NodeJS.ProcessEnv; vars?: Record<string, string> } = {},
): Promise<DevServer> {
	const server = await startWranglerDev({
		command: [
			"npm",
			"run",
			"dev",
			"--",
			...Object.entries({ ...TEST_VARS, ...vars }).flatMap(([name, value]) => [
				"--var",
				`${name}:${value}`,
			]),
		],
		persistTo,
		env: { ...process.env, BROWSER: "none", CI: "true", ...env },
	});
	// `.dev.vars`, written by the first run of `npm run dev`, has the tokens.
	const devVars = readFileSync(join(ROOT, ".dev.vars"), "utf8");
	const token = (name: string) => new RegExp(`^${name}=(.*)$`, "m").exec(devVars)?.[1] ?? "";
	return {
		url: server.url,
		pid: server.pid,
		debugToken: token("DEBUG_TOKEN"),
		adminToken: token("ADMIN_TOKEN"),
		output: server.output,
		stop: server.stop,
	};
}

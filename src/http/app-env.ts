import type { Config } from "../core/config";

/** Hono's environment for every route: bindings come from each request's env. */
export interface AppEnv {
	Bindings: Cloudflare.Env;
	Variables: {
		/** The Worker's settings, read once per env (src/core/config.ts). */
		config: Config;
	};
}

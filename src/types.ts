/** Hono's environment for every route: bindings come from each request's env. */
export interface AppEnv {
	Bindings: Cloudflare.Env;
}

import { createMiddleware } from "hono/factory";
import { readConfig } from "../core/config";
import type { AppEnv } from "./app-env";

/** Hands every handler the Worker's settings, parsed once per `env` (`c.var.config`). */
export const withConfig = createMiddleware<AppEnv>(async (c, next) => {
	c.set("config", readConfig(c.env));
	await next();
});

import { Hono } from "hono/tiny";
import { gatewayUrls } from "../../gateway/gateway-logs";
import type { AppEnv } from "../../http/app-env";
import { debugAuth } from "../../http/auth";

/** Debug: where to point an SDK or curl at this Worker's gateway directly. */
export const gateway = () =>
	new Hono<AppEnv>()
		.use(debugAuth)
		.get("/", async (c) => c.json(await gatewayUrls(c.env, c.var.config)));

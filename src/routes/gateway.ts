import { Hono } from "hono/tiny";
import { gatewayUrls } from "../ai/gateway-logs";
import { debugAuth } from "../lib/auth";
import type { AppEnv } from "../types";

/** Debug: where to point an SDK or curl at this Worker's gateway directly. */
export const gateway = new Hono<AppEnv>()
	.use(debugAuth)
	.get("/", async (c) => c.json(await gatewayUrls(c.env, c.var.config)));

import { Hono } from "hono/tiny";
import { readLog } from "../ai/gateway-logs";
import { debugAuth } from "../lib/auth";
import { logIdParam } from "../lib/request";
import type { AppEnv } from "../types";

/** Debug: the gateway's own record of an answer, feedback included. */
export const logs = new Hono<AppEnv>()
	.use(debugAuth)
	.get("/:logId", async (c) => c.json(await readLog(c.env, c.var.config, logIdParam(c))));

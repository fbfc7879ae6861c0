import { Hono } from "hono/tiny";
import { readLog } from "../../gateway/gateway-logs";
import type { AppEnv } from "../../http/app-env";
import { debugAuth } from "../../http/auth";
import { logIdParam } from "../../http/request";

/** Debug: the gateway's own record of an answer, feedback included. */
export const logs = () =>
	new Hono<AppEnv>()
		.use(debugAuth)
		.get("/:logId", async (c) => c.json(await readLog(c.env, c.var.config, logIdParam(c))));

import { Hono } from "hono/tiny";
import type { AppEnv } from "../../http/app-env";
import { debugAuth } from "../../http/auth";
import { answerWrites } from "../../store/answers";

/** When this isolate loaded the app: the counts start from zero there. */
const since = new Date().toISOString();

/**
 * Debug: what this isolate has written to the answers table (D1 batches, statements, rows
 * and time) since it started. Locally one isolate does it all, so `npm run bench` counts D1
 * writes per answer here; on Cloudflare each isolate counts its own.
 */
export const storeWrites = new Hono<AppEnv>()
	.use(debugAuth)
	.get("/", (c) => c.json({ since, answers: answerWrites }));

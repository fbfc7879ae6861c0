import { Hono } from "hono/tiny";
import type { AppEnv } from "../../http/app-env";
import { debugAuth } from "../../http/auth";
import { answerWrites } from "../../store/answers";

/**
 * Names this isolate, whose counts started from zero: a reader that sees it change knows the
 * counts restarted. Made on first use (no random values outside a request).
 */
let isolate: string | undefined;

/**
 * Debug: what this isolate has written to the answers table (D1 batches, statements, rows
 * and time) since it started. Locally one isolate does it all, so `npm run bench` counts D1
 * writes per answer here; on Cloudflare each isolate counts its own.
 */
export const storeWrites = new Hono<AppEnv>().use(debugAuth).get("/", (c) => {
	isolate ??= crypto.randomUUID();
	return c.json({ isolate, answers: answerWrites });
});

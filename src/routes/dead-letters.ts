import { Hono } from "hono";
import * as v from "valibot";
import { deliveryFor } from "../feedback/delivery";
import { debugAuth } from "../lib/debug-auth";
import { readJsonBody } from "../lib/json-body";
import { LogIdSchema } from "../lib/schemas";
import type { AppEnv } from "../types";

const ReplaySchema = v.object({
	logIds: v.optional(
		v.pipe(
			v.array(LogIdSchema, "must be an array of log ids"),
			v.maxLength(1000, "must hold at most 1000 log ids"),
		),
	),
});

const deadLetterList = (env: Cloudflare.Env) => env.FEEDBACK_DEAD_LETTERS.getByName("dead-letters");

/** Debug: votes delivery gave up on, and replaying them. */
export const deadLetters = new Hono<AppEnv>()
	.use(debugAuth)
	.get("/", async (c) => c.json({ deadLetters: await deadLetterList(c.env).list() }))
	.post("/replay", async (c) => {
		const { logIds } = await readJsonBody(c, ReplaySchema);
		const letters = await deadLetterList(c.env).list();
		const chosen = logIds ? letters.filter((letter) => logIds.includes(letter.logId)) : letters;
		for (const letter of chosen) {
			await deliveryFor(c.env, letter.logId).replay();
			await deadLetterList(c.env).remove(letter.logId);
		}
		return c.json({ replayed: chosen.map((letter) => letter.logId) });
	});

import { Hono } from "hono/tiny";
import { deadLetterList, deliveryFor } from "../feedback/delivery";
import { debugAuth } from "../lib/auth";
import { ReplayRequestSchema } from "../lib/schemas";
import { jsonBody } from "../lib/validate";
import type { AppEnv } from "../types";

/** Debug: votes delivery gave up on, and replaying them. */
export const deadLetters = new Hono<AppEnv>()
	.use(debugAuth)
	.get("/", async (c) => c.json({ deadLetters: await deadLetterList(c.env).list() }))
	.post("/replay", jsonBody(ReplayRequestSchema), async (c) => {
		const { logIds } = c.req.valid("json");
		const letters = await deadLetterList(c.env).list();
		const chosen = logIds ? letters.filter((letter) => logIds.includes(letter.logId)) : letters;
		for (const letter of chosen) {
			await deliveryFor(c.env, letter.logId).replay();
			await deadLetterList(c.env).remove(letter.logId);
		}
		return c.json({ replayed: chosen.map((letter) => letter.logId) });
	});

import { Hono } from "hono/tiny";
import { replayDeadAnswers } from "../../answers/answer-queue";
import { answerDeadLetters } from "../../answers/dead-letters";
import { deadLetterList } from "../../feedback/dead-letters";
import { replayDeadVotes } from "../../feedback/delivery";
import type { AppEnv } from "../../http/app-env";
import { debugAuth } from "../../http/auth";
import { jsonBody } from "../../http/validate";
import { ReplayRequestSchema } from "./schemas";

/** Debug: votes delivery gave up on, answers the queue gave up on, and replaying them. */
export const deadLetters = () =>
	new Hono<AppEnv>()
		.use(debugAuth)
		.get("/", async (c) => c.json({ deadLetters: await deadLetterList(c.env).list() }))
		.post("/replay", jsonBody(ReplayRequestSchema), async (c) => {
			const { aiGatewayLogIds } = c.req.valid("json");
			return c.json({ replayed: await replayDeadVotes(c.env, aiGatewayLogIds) });
		})
		// What each answer is, never its transcript: the debug token is not the admin token.
		.get("/answers", async (c) => {
			const letters = await answerDeadLetters(c.env).list();
			return c.json({
				answers: letters.map(({ id, row, deadAt }) => ({
					id,
					deadAt,
					readable: row !== null,
					createdAt: row && new Date(row.createdAt).toISOString(),
					model: row?.servedModel ?? null,
					outcome: row?.outcome ?? null,
					hasTranscript: row !== null && (row.conversation !== null || row.transcriptKey !== null),
				})),
			});
		})
		.post("/answers/replay", jsonBody(ReplayRequestSchema), async (c) => {
			const { aiGatewayLogIds } = c.req.valid("json");
			return c.json({ replayed: await replayDeadAnswers(c.env, aiGatewayLogIds) });
		});

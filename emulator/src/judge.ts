/**
 * A deterministic LLM judge: a request whose gateway metadata has `judge: true` (the Worker's
 * judge calls, src/judge/) is answered with a verdict in the rubric's JSON shape, read from
 * the answer it grades (the text after the prompt's last `<answer>`): an answer containing
 * `[judge:bad]` scores 2, one containing `[judge:malformed]` gets a reply that is not JSON,
 * any other scores 5. Usage and logs as for any answer.
 */

import type { ChatMessage } from "./answers.ts";
import type { Metadata } from "./log-store.ts";

export const JUDGE_BAD_MARKER = "[judge:bad]";
export const JUDGE_MALFORMED_MARKER = "[judge:malformed]";

export const isJudgeCall = (metadata: Metadata | undefined): boolean => metadata?.judge === true;

/** The judge's reply: its JSON value, or (malformed) a text that is not JSON. */
export function judgeReply(messages: readonly ChatMessage[]): { json: unknown } | { text: string } {
	const prompt = messages.findLast((message) => message.role === "user")?.content ?? "";
	const answer = prompt.slice(prompt.lastIndexOf("<answer>") + 1);
	if (answer.includes(JUDGE_MALFORMED_MARKER))
		return { text: '{"rationale": "[emulated] cut off mid-reply", "score": ' };
	const bad = answer.includes(JUDGE_BAD_MARKER);
	return {
		json: {
			rationale: bad
				? `[emulated] The answer carries ${JUDGE_BAD_MARKER}.`
				: "[emulated] The answer carries no bad marker.",
			score: bad ? 2 : 5,
		},
	};
}

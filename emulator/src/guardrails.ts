/** Guardrails, reduced to word lists (the real ones ask Llama Guard). */

import type { ChatMessage } from "./answers.ts";
import { AIG, aiGatewayError, PROMPT_BLOCKED, RESPONSE_BLOCKED } from "./errors.ts";
import type { GuardrailSettings } from "./settings.ts";

/** `run` (env.AI.run) or `gateway` (the universal endpoint): Guardrails answer differently. */
export type Surface = "run" | "gateway";

const blockedStatus = (surface: Surface) => (surface === "run" ? 422 : 424);

/** The refusal of a prompt with a blocked word, before anything reaches a provider. */
export function promptRefusal(
	guardrails: GuardrailSettings | null,
	surface: Surface,
	messages: readonly ChatMessage[],
): Response | undefined {
	if (!messages.some((message) => containsText(message.content, guardrails?.promptBlockWords)))
		return undefined;
	const code =
		surface === "run" ? (guardrails?.runPromptCode ?? AIG.promptBlocked) : AIG.promptBlocked;
	return aiGatewayError(blockedStatus(surface), code, PROMPT_BLOCKED);
}

/** Responses are evaluated when the gateway has response rules (even an empty list). */
const evaluated = (guardrails: GuardrailSettings | null) =>
	guardrails?.responseBlockWords !== undefined;

/**
 * An evaluated stream is buffered into one JSON payload, except on env.AI.run set to
 * "unenforced".
 */
export function buffersStream(
	guardrails: GuardrailSettings | null,
	surface: Surface,
	stream: boolean,
): boolean {
	return (
		evaluated(guardrails) &&
		stream &&
		(surface === "gateway" || guardrails?.runStreaming !== "unenforced")
	);
}

/** The refusal of an evaluated answer with a blocked word. */
export function responseRefusal(
	guardrails: GuardrailSettings | null,
	surface: Surface,
	text: string,
): Response | undefined {
	if (!evaluated(guardrails) || !containsText(text, guardrails?.responseBlockWords))
		return undefined;
	return aiGatewayError(blockedStatus(surface), AIG.responseBlocked, RESPONSE_BLOCKED);
}

function containsText(text: string, words: readonly string[] | undefined): boolean {
	if (!words?.length) return false;
	const lower = text.toLowerCase();
	return words.some((word) => word !== "" && lower.includes(word.toLowerCase()));
}

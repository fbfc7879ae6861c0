/**
 * The LLM judge (docs/judge.md): a sample of complete answers, each sent with its
 * conversation to JUDGE_QUEUE when it is recorded, is scored by JUDGE_MODEL against the
 * rubric (rubric.ts), through the same named gateway, off the request path. Only the verdict
 * is stored (store/judge-verdicts.ts); the texts live in the queue's message alone.
 */
import * as v from "valibot";
import type { ModelMessage } from "../core/chat";
import { type Config, readConfig } from "../core/config";
import { describeError, log } from "../core/log";
import { once } from "../core/once";
import { retryDelay } from "../core/retry-policy";
import { completeModel } from "../gateway/inference";
import { hasVerdict, takeJudgeCall, writeVerdict } from "../store/judge-verdicts";
import { RUBRIC, VERDICT_SCHEMA } from "./rubric";

/** The judge's queues in wrangler.jsonc: queue() tells them apart by name. */
export const JUDGE_QUEUE = "ai-gateway-feedback-chat-judge";
export const JUDGE_DEAD_LETTER_QUEUE = "ai-gateway-feedback-chat-judge-dead-letters";

/** The judge's reply: at most this long a rationale is kept. */
const RATIONALE_CHARS = 500;

/** What the judge needs of one answer: the texts, and what its verdict is filed under. */
export interface JudgeMessage {
	aiGatewayLogId: string;
	/** The gateway the answer went through, which the judge's call goes through too. */
	gatewayId: string;
	servedModel: string;
	createdAt: number;
	conversation: { role: string; content: string }[];
	answer: string;
}

/** Whether an answer starting now is judged: drawn once, so a stream keeps its text if so. */
export const sampled = (env: Cloudflare.Env, config: Config): boolean =>
	Boolean(env.JUDGE_QUEUE) && Math.random() < config.judge.sampleRate;

/** A conversation as plain role and text (a tool call as its JSON). */
const plain = (messages: readonly ModelMessage[]) =>
	messages.map(({ role, content, ...rest }) => ({
		role,
		content: "tool_calls" in rest ? JSON.stringify(rest.tool_calls) : (content ?? ""),
	}));

/**
 * Queues one complete, sampled answer for the judge. Never throws: a failed send is logged
 * and the answer's own path never hears of it.
 */
export async function sendForJudging(
	env: Cloudflare.Env,
	answer: Omit<JudgeMessage, "conversation"> & { messages: readonly ModelMessage[] },
): Promise<void> {
	const { messages, ...rest } = answer;
	try {
		// One larger than Queues takes (128 KB) is refused here, and logged: it is not judged.
		await env.JUDGE_QUEUE?.send(
			{ ...rest, conversation: plain(messages) },
			{ contentType: "json" },
		);
	} catch (err) {
		log.error("judge: queueing failed", {
			aiGatewayLogId: rest.aiGatewayLogId,
			detail: describeError(err),
		});
	}
}

const judgeMessage = once(() => {
	const text = v.string();
	return v.object({
		aiGatewayLogId: v.pipe(text, v.minLength(1)),
		gatewayId: v.pipe(text, v.minLength(1)),
		servedModel: text,
		createdAt: v.pipe(v.number(), v.integer()),
		conversation: v.array(v.object({ role: text, content: text })),
		answer: text,
	});
});

/** The judge's reply as the rubric asks for it; anything else is unparseable, never guessed. */
const judgeReply = once(() =>
	v.object({
		rationale: v.string(),
		score: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(RUBRIC.max)),
	}),
);

/** A reply's verdict, or the unparseable outcome. */
export function readVerdict(reply: string) {
	let parsed: unknown;
	try {
		parsed = JSON.parse(reply);
	} catch {}
	const result = v.safeParse(judgeReply(), parsed);
	if (!result.success)
		return { outcome: "unparseable", verdict: null, score: null, rationale: null } as const;
	const { score, rationale } = result.output;
	return {
		outcome: "judged",
		verdict: score >= RUBRIC.goodFrom ? "good" : "bad",
		score,
		rationale: rationale.slice(0, RATIONALE_CHARS),
	} as const;
}

/** The judge's prompt: the rubric, then the conversation and the answer as data. */
const judgeInput = (model: string, { conversation, answer }: JudgeMessage) => ({
	model,
	messages: [
		{ role: "system" as const, content: RUBRIC.prompt },
		{
			role: "user" as const,
			content: `<conversation>\n${conversation.map((m) => `${m.role}: ${m.content}`).join("\n\n")}\n</conversation>\n<answer>\n${answer}\n</answer>`,
		},
	],
	max_tokens: 400,
	temperature: 0,
	response_format: {
		type: "json_schema" as const,
		json_schema: { name: "verdict", schema: VERDICT_SCHEMA },
	},
});

/**
 * Judges a batch. Per message: an answer judged already is skipped (a redelivery pays no
 * second call); past JUDGE_DAILY_LIMIT calls today it is dropped, logged as skipped; a
 * failed call or write is retried with backoff, and after max_retries dead-lettered.
 */
export async function judgeBatch(batch: MessageBatch<unknown>, env: Cloudflare.Env) {
	const config = readConfig(env);
	const db = env.FEEDBACK_DB;
	await Promise.all(
		batch.messages.map(async (message) => {
			const parsed = v.safeParse(judgeMessage(), message.body);
			if (!parsed.success) {
				log.error("judge: not a judge message, dropped", { id: message.id });
				return message.ack();
			}
			const judged = parsed.output;
			const fields = { aiGatewayLogId: judged.aiGatewayLogId };
			try {
				if (await hasVerdict(db, judged.aiGatewayLogId)) return message.ack();
				if (!(await takeJudgeCall(db, config.judge.dailyLimit))) {
					log.warn("judge: daily limit reached, answer not judged", {
						...fields,
						limit: config.judge.dailyLimit,
					});
					return message.ack();
				}
				const reply = await completeModel(
					env,
					{ ...config, gatewayId: judged.gatewayId },
					judgeInput(config.judge.model, judged),
					{ judge: true, judgedLogId: judged.aiGatewayLogId },
					new AbortController().signal,
				);
				await writeVerdict(db, {
					aiGatewayLogId: judged.aiGatewayLogId,
					createdAt: judged.createdAt,
					servedModel: judged.servedModel,
					judgedAt: Date.now(),
					judgeModel: config.judge.model,
					rubricVersion: RUBRIC.version,
					judgeLogId: reply.aiGatewayLogId,
					...readVerdict(reply.response),
					promptTokens: reply.usage?.prompt_tokens ?? null,
					completionTokens: reply.usage?.completion_tokens ?? null,
				});
				message.ack();
			} catch (err) {
				const delaySeconds = Math.round(retryDelay(config.retry, message.attempts) / 1000);
				message.retry({ delaySeconds });
				log.error("judge: failed, retrying", {
					...fields,
					attempts: message.attempts,
					delaySeconds,
					detail: describeError(err),
				});
			}
		}),
	);
}

/**
 * What the judge's queue gave up on: logged and dropped. The texts are not kept anywhere
 * (docs/judge.md); the answer simply has no verdict.
 */
export function dropDeadJudgements(batch: MessageBatch<unknown>): void {
	for (const message of batch.messages) {
		const body = message.body as Partial<JudgeMessage> | null;
		log.warn("judge: given up, answer not judged", {
			aiGatewayLogId: typeof body?.aiGatewayLogId === "string" ? body.aiGatewayLogId : null,
			attempts: message.attempts,
		});
	}
	batch.ackAll();
}

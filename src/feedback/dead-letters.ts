import { DurableObject } from "cloudflare:workers";
import type { Vote } from "../core/votes";

/** A vote delivery gave up on, kept until it is replayed or overtaken by a new vote. */
export interface DeadLetter {
	aiGatewayLogId: string;
	gatewayId: string;
	vote: Vote;
	attempts: number;
	reason: string;
	failedAt: string;
}

const PREFIX = "dead-letter:";

/** The one list of given-up votes (one object: failures are rare, and listing needs one place). */
export class FeedbackDeadLetters extends DurableObject<Cloudflare.Env> {
	async add(letter: DeadLetter): Promise<void> {
		this.ctx.storage.kv.put(`${PREFIX}${letter.aiGatewayLogId}`, letter);
	}

	async remove(aiGatewayLogId: string): Promise<void> {
		this.ctx.storage.kv.delete(`${PREFIX}${aiGatewayLogId}`);
	}

	async list(limit = 1000): Promise<DeadLetter[]> {
		return [...this.ctx.storage.kv.list<DeadLetter>({ prefix: PREFIX, limit })].map(
			([, letter]) => letter,
		);
	}
}

/** Faults and holds: what the next calls do instead of answering at once and in full. */

import { gatewayError, outOfCredits, WORKERS_AI_CODES } from "./errors.ts";
import type { Settings } from "./settings.ts";

/** Faults and holds that apply to any gateway. */
export const ANY_GATEWAY = "*";

/** Calls of the binding that can be made to fail. */
export type FaultTarget = "run" | "getLog" | "patchLog" | "getUrl";
/** 402 on `run` is the gateway's out-of-credits answer (code 2021). */
export type FaultStatus = 400 | 401 | 402 | 404 | 408 | 429 | 500 | 502 | 503 | 504;
/**
 * What a hold keeps back: the body (the headers, with the log id, go out at once)
 * or the whole response.
 */
export type HoldPart = "body" | "response";

export interface Hold {
	id: string;
	part: HoldPart;
	promise: Promise<void>;
	release: () => void;
}

const faultKey = (gatewayId: string, target: FaultTarget) => `${gatewayId}\u0000${target}`;

/** Queued faults per gateway and call, and the seeded share of patchLog calls that fail. */
export class Faults {
	readonly #queues = new Map<string, { status: FaultStatus; remaining: number }[]>();
	readonly #settings: Settings;

	constructor(settings: Settings) {
		this.#settings = settings;
	}

	/** The next `count` calls to `target` (on `gatewayId`, or any gateway) answer `status`. */
	add(target: FaultTarget, status: FaultStatus, count = 1, gatewayId = ANY_GATEWAY): void {
		const key = faultKey(gatewayId, target);
		const queue = this.#queues.get(key) ?? [];
		queue.push({ status, remaining: count });
		this.#queues.set(key, queue);
	}

	/** The status this call answers instead, if a fault is due: the gateway's own queue first. */
	take(target: FaultTarget, gatewayId: string): FaultStatus | undefined {
		for (const key of [faultKey(gatewayId, target), faultKey(ANY_GATEWAY, target)]) {
			const queue = this.#queues.get(key);
			const fault = queue?.[0];
			if (!queue || !fault) continue;
			if (--fault.remaining <= 0) queue.shift();
			return fault.status;
		}
		if (target === "patchLog") {
			const { patchLogFailureRate } = this.#settings.for(gatewayId);
			if (
				patchLogFailureRate > 0 &&
				this.#settings.random(gatewayId, "patchLog")() < patchLogFailureRate
			)
				return 500;
		}
		return undefined;
	}
}

/** A failed inference's answer: 402 is the out-of-credits refusal, the rest Workers AI's own errors. */
export function inferenceFault(status: FaultStatus): Response {
	if (status === 402) return outOfCredits();
	return gatewayError(
		status,
		WORKERS_AI_CODES[status] ?? 3043,
		`AiError: emulated failure (${status})`,
		status === 429 ? new Headers({ "retry-after": "2" }) : undefined,
	);
}

/** Holds per gateway, taken in order, and released by id (over HTTP too). */
export class Holds {
	readonly #queues = new Map<string, Hold[]>();
	readonly #byId = new Map<string, Hold>();

	add(gatewayId = ANY_GATEWAY, part: HoldPart = "body"): { id: string; release: () => void } {
		let release!: () => void;
		const promise = new Promise<void>((resolve) => {
			release = resolve;
		});
		const hold: Hold = { id: crypto.randomUUID(), part, promise, release };
		this.#queues.set(gatewayId, [...(this.#queues.get(gatewayId) ?? []), hold]);
		this.#byId.set(hold.id, hold);
		return { id: hold.id, release };
	}

	/** The next hold for a response on this gateway: the gateway's own first. */
	take(gatewayId: string): Hold | undefined {
		for (const key of [gatewayId, ANY_GATEWAY]) {
			const hold = this.#queues.get(key)?.shift();
			if (hold) return hold;
		}
		return undefined;
	}

	release(id: string): void {
		this.#byId.get(id)?.release();
	}
}

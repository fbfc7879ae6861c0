/** Gateway logs kept in memory, in the `AiGatewayLog` shape, with the gateway's write lag. */

export type Metadata = Record<string, string | number | boolean | null>;

/** How a patchLog body meets the log: see `LogStore.patch`. */
export type PatchMode = "merge" | "replace";

/** What `getLog` returns: `AiGatewayLog` plus the feedback fields the gateway keeps. */
export interface EmulatedLog {
	id: string;
	provider: string;
	model: string;
	model_type: string;
	path: string;
	duration: number;
	request_type: string;
	request_content_type: string;
	status_code: number;
	response_content_type: string;
	success: boolean;
	cached: boolean;
	tokens_in: number;
	tokens_out: number;
	metadata: Metadata;
	step: number;
	cost: number;
	custom_cost: boolean;
	request_size: number;
	request_head: string;
	request_head_complete: boolean;
	response_size: number;
	response_head: string;
	response_head_complete: boolean;
	created_at: string;
	feedback: -1 | 0 | 1 | null;
	score: number | null;
}

/** The gateway keeps at most this many metadata entries per log and drops the rest silently. */
export const METADATA_LIMIT = 5;
const HEAD_BYTES = 1024;

export interface StoredLog {
	gatewayId: string;
	log: EmulatedLog;
	/** When getLog and patchLog can first see it; null while the response is still running. */
	visibleAt: number | null;
	patches: number;
	/** Whether request and response bodies are kept (absent in logs saved before this existed). */
	payload?: boolean;
}

export interface NewLog {
	id: string;
	gatewayId: string;
	model: string;
	requestBody: string;
	metadata: Metadata;
	tokensIn: number;
	startedAt: number;
	/** Provider slug; `workers-ai` unless given. */
	provider?: string;
	/** The provider path; the model unless given. */
	path?: string;
	requestType?: string;
	/** Index of this attempt within a universal request or dynamic route. */
	step?: number;
	/** False with `cf-aig-collect-log-payload: false`: the log keeps no request or response body. */
	collectPayload?: boolean;
}

export interface Completion {
	statusCode: number;
	responseBody: string;
	responseContentType: string;
	tokensOut: number;
	finishedAt: number;
}

/** Where a long-lived emulator keeps its logs between restarts (a Durable Object's storage). */
export interface LogPersistence {
	load(): Iterable<[string, StoredLog]>;
	save(id: string, log: StoredLog): void;
}

export class LogStore {
	readonly #logs = new Map<string, StoredLog>();
	readonly #persistence: LogPersistence | undefined;

	constructor(persistence?: LogPersistence) {
		this.#persistence = persistence;
		for (const [id, stored] of persistence?.load() ?? []) this.#logs.set(id, stored);
	}

	#save(id: string): void {
		const stored = this.#logs.get(id);
		if (stored) this.#persistence?.save(id, stored);
	}

	create(entry: NewLog): EmulatedLog {
		const payload = entry.collectPayload !== false;
		const log: EmulatedLog = {
			id: entry.id,
			provider: entry.provider ?? "workers-ai",
			model: entry.model,
			model_type: "Text Generation",
			path: entry.path ?? entry.model,
			duration: 0,
			request_type: entry.requestType ?? "workers-ai",
			request_content_type: "application/json",
			status_code: 0,
			response_content_type: "",
			success: false,
			cached: false,
			tokens_in: entry.tokensIn,
			tokens_out: 0,
			metadata: capMetadata({}, entry.metadata),
			step: entry.step ?? 0,
			cost: 0,
			custom_cost: false,
			request_size: byteLength(entry.requestBody),
			request_head: payload ? entry.requestBody.slice(0, HEAD_BYTES) : "",
			request_head_complete: payload && entry.requestBody.length <= HEAD_BYTES,
			response_size: 0,
			response_head: "",
			response_head_complete: true,
			created_at: new Date(entry.startedAt).toISOString(),
			feedback: null,
			score: null,
		};
		this.#logs.set(entry.id, {
			gatewayId: entry.gatewayId,
			log,
			visibleAt: null,
			patches: 0,
			payload,
		});
		this.#save(entry.id);
		return log;
	}

	/** Finishes a log; it becomes visible `visibilityDelayMs` later, as the real gateway's do. */
	complete(id: string, done: Completion, visibilityDelayMs: number): void {
		const stored = this.#logs.get(id);
		if (!stored || stored.visibleAt !== null) return;
		const { log } = stored;
		log.status_code = done.statusCode;
		log.success = done.statusCode >= 200 && done.statusCode < 300;
		log.duration = done.finishedAt - Date.parse(log.created_at);
		log.response_content_type = done.responseContentType;
		const payload = stored.payload !== false;
		log.response_size = byteLength(done.responseBody);
		log.response_head = payload ? done.responseBody.slice(0, HEAD_BYTES) : "";
		log.response_head_complete = payload && done.responseBody.length <= HEAD_BYTES;
		log.tokens_out = done.tokensOut;
		stored.visibleAt = done.finishedAt + visibilityDelayMs;
		this.#save(id);
	}

	/** A log as the gateway's API sees it: undefined until written and visible. */
	find(gatewayId: string, id: string, now = Date.now()): EmulatedLog | undefined {
		const stored = this.#logs.get(id);
		if (!stored || stored.gatewayId !== gatewayId) return undefined;
		if (stored.visibleAt === null || now < stored.visibleAt) return undefined;
		return stored.log;
	}

	/**
	 * Applies a patchLog body. Cloudflare does not document whether a patch merges into the
	 * log or replaces its feedback fields, so both are modelled: "merge" keeps what the patch
	 * leaves out (and merges metadata keys), "replace" resets it.
	 */
	patch(
		gatewayId: string,
		id: string,
		patch: { feedback?: -1 | 0 | 1 | null; score?: number | null; metadata?: Metadata | null },
		mode: PatchMode = "merge",
	): boolean {
		const log = this.find(gatewayId, id);
		if (!log) return false;
		if (mode === "replace") {
			log.feedback = patch.feedback ?? null;
			log.score = patch.score ?? null;
			log.metadata = capMetadata({}, patch.metadata ?? {});
		} else {
			if (patch.feedback !== undefined) log.feedback = patch.feedback;
			if (patch.score !== undefined) log.score = patch.score;
			if (patch.metadata) log.metadata = capMetadata(log.metadata, patch.metadata);
		}
		const stored = this.#logs.get(id);
		if (stored) stored.patches++;
		this.#save(id);
		return true;
	}

	/** For tests and tooling: a log regardless of visibility. */
	peek(
		id: string,
	): (EmulatedLog & { gatewayId: string; visible: boolean; patches: number }) | undefined {
		const stored = this.#logs.get(id);
		if (!stored) return undefined;
		const visible = stored.visibleAt !== null && Date.now() >= stored.visibleAt;
		return { ...stored.log, gatewayId: stored.gatewayId, visible, patches: stored.patches };
	}

	/** Drops the oldest logs beyond `max` (in memory; a persisted copy stays). */
	trim(max: number): void {
		for (const id of this.#logs.keys()) {
			if (this.#logs.size <= max) break;
			this.#logs.delete(id);
		}
	}

	get size(): number {
		return this.#logs.size;
	}
}

/** Merges metadata the way the gateway is documented to: flat values, at most 5 entries. */
function capMetadata(current: Metadata, update: Metadata): Metadata {
	const merged: Metadata = { ...current };
	for (const [key, value] of Object.entries(update)) {
		if (key in merged || Object.keys(merged).length < METADATA_LIMIT) merged[key] = value;
	}
	return merged;
}

const encoder = new TextEncoder();
function byteLength(text: string): number {
	return encoder.encode(text).byteLength;
}

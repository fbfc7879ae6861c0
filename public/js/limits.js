// The API's request limits, as GET /api/models serves them: their one home is the server
// (src/core/limits.ts, and src/core/votes.ts for the score), and the page copies none of
// them. Until they arrive, or while the server cannot be reached, the page checks nothing
// itself: the API's refusals, said in words, tell what is wrong.

/**
 * GET /api/models, asked once for the model picker and the limits alike; after a failure,
 * the next call asks again. Resolves to { default, models, limits }.
 */
export function modelsSource() {
	let pending = null;
	return () => {
		pending ??= fetch("/api/models").then((res) => {
			if (!res.ok) throw new Error(`GET /api/models answered HTTP ${res.status}`);
			return res.json();
		});
		pending.catch(() => {
			pending = null;
		});
		return pending;
	};
}

const isCount = (value) => Number.isSafeInteger(value) && value > 0;

/** The limits the page needs, or undefined when `served` does not hold them all. */
function readLimits(served) {
	const { messages, bodyBytes, contentChars, commentChars, correctionChars, score } = served ?? {};
	if (![messages, bodyBytes, contentChars, commentChars].every(isCount)) return undefined;
	if (!Number.isSafeInteger(score?.min) || !Number.isSafeInteger(score?.max)) return undefined;
	return {
		messages,
		bodyBytes,
		contentChars,
		commentChars,
		// An older server has none: then the API's refusal says when one is too long.
		correctionChars: isCount(correctionChars) ? correctionChars : undefined,
		score: { min: score.min, max: score.max },
	};
}

/**
 * The server's limits: `current` is { messages, bodyBytes, contentChars, commentChars,
 * correctionChars, score: { min, max } } once loaded, undefined before. `load()` loads them (again, after a
 * failure) and resolves to `current`; it never rejects.
 */
export class ServerLimits {
	current = undefined;
	#loadModels;

	/** `loadModels` resolves to GET /api/models's body (see modelsSource). */
	constructor(loadModels) {
		this.#loadModels = loadModels;
	}

	async load() {
		if (this.current) return this.current;
		try {
			this.current = readLimits((await this.#loadModels()).limits);
		} catch {
			// Offline, or an older server: the page goes on without them.
		}
		return this.current;
	}
}

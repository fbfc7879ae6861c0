import { ApiError } from "./errors";

/** Request limits of the public API (documented in the README). */
export const LIMITS = {
	bodyBytes: 64 * 1024,
	messages: 50,
	contentChars: 16_000,
	maxTokens: 4096,
	commentChars: 1000,
} as const;

/** How far ahead of the server's clock a vote's `sequence` (a ms timestamp) may be. */
export const MAX_SEQUENCE_LEAD_MS = 24 * 60 * 60 * 1000;

const DEFAULT_AI_TIMEOUT_MS = 120_000;

/**
 * Secrets shorter than this are ignored, as if unset: a short or placeholder
 * value (such as one a deploy form pre-filled) must not sign tokens or guard
 * the debug route.
 */
export const MIN_SECRET_CHARS = 32;

const warned = new Set<string>();

/** The secret's value when it is long enough to use, else undefined (with a warning, once). */
export function usableSecret(env: Cloudflare.Env, name: SecretName): string | undefined {
	const value = env[name];
	if (!value) return undefined;
	if (value.length >= MIN_SECRET_CHARS) return value;
	if (!warned.has(name)) {
		warned.add(name);
		console.warn(`${name} is shorter than ${MIN_SECRET_CHARS} characters and is ignored`);
	}
	return undefined;
}

type SecretName = "FEEDBACK_SECRET" | "FEEDBACK_SECRET_PREVIOUS" | "DEBUG_TOKEN";

const modelListCache = new Map<string, ReadonlySet<string>>();

/** ALLOWED_MODELS is a comma-separated list; parsed once per distinct value. */
export function allowedModels(env: Cloudflare.Env): ReadonlySet<string> {
	const raw = `${env.DEFAULT_MODEL},${env.ALLOWED_MODELS ?? ""}`;
	let models = modelListCache.get(raw);
	if (!models) {
		models = new Set(
			raw
				.split(",")
				.map((name) => name.trim())
				.filter(Boolean),
		);
		modelListCache.set(raw, models);
	}
	return models;
}

/** The model to run: the requested one if allowed, else DEFAULT_MODEL; 400 model_not_allowed otherwise. */
export function resolveModel(env: Cloudflare.Env, requested: string | undefined): string {
	const model = requested ?? env.DEFAULT_MODEL;
	if (!allowedModels(env).has(model)) {
		throw new ApiError(
			400,
			"model_not_allowed",
			`model: '${model.slice(0, 100)}' is not allowed here`,
			{
				param: "model",
			},
		);
	}
	return model;
}

/** How long to wait for the model's response headers (the whole answer when not streaming). */
export function aiTimeoutMs(env: Cloudflare.Env): number {
	const value = Number(env.AI_TIMEOUT_MS);
	return Number.isFinite(value) && value > 0 ? value : DEFAULT_AI_TIMEOUT_MS;
}

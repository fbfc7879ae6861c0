import * as v from "valibot";
import { ApiError } from "./errors";
import { MIN_SECRET_CHARS } from "./limits";
import { log } from "./log";
import {
	NUMERIC_SETTING_RULE,
	NUMERIC_SETTINGS,
	type NumericSetting,
	numericSetting,
	SAMPLE_RATE_RULE,
	sampleRate,
} from "./numeric-settings";
import { type RetryPolicy, retryPolicyFrom } from "./retry-policy";

/** The Worker's settings, read once per `env` from its vars and secrets. */
export interface Config {
	gatewayId: string;
	defaultModel: string;
	/** DEFAULT_MODEL and ALLOWED_MODELS. */
	allowedModels: ReadonlySet<string>;
	/** Whether the gateway keeps a log of each request (`collectLog`). */
	collectLog: boolean;
	/** Whether those logs keep the request and response bodies. */
	logPayloads: boolean;
	/** The gateway's timeout (`requestTimeoutMs`); the Worker's own deadline is a little later. */
	aiTimeoutMs: number;
	retry: RetryPolicy;
	/** Verify feedback tokens; the first one signs. Empty: feedback is off. */
	feedbackSecrets: readonly string[];
	debugToken: string | undefined;
	/** Null: /v1/* is open. Empty: API_KEYS is set but no key is usable, so /v1/* is locked. */
	apiKeys: readonly string[] | null;
	/** Bearer token of /api/admin/*; unset (and no Access): the admin routes do not exist. */
	adminToken: string | undefined;
	/** Cloudflare Access in front of /insights, the admin API and the debug routes; null: off. */
	access: AccessConfig | null;
	/** Whether the feedback store keeps each answer's conversation and text. */
	storeTranscripts: boolean;
	/** The feedback store forgets answers and votes older than this. */
	retentionDays: number;
	/** ...and its oldest days while its database is larger than this (STORE_MAX_MB). */
	storeMaxBytes: number;
	/** Turnstile on /api/chat: on with both TURNSTILE_SITE_KEY and TURNSTILE_SECRET, else null. */
	turnstile: { siteKey: string; secret: string } | null;
	/** The LLM judge (src/judge/): off while `sampleRate` is 0. */
	judge: { model: string; sampleRate: number; dailyLimit: number };
}

/** What a Cloudflare Access assertion must say to be accepted (src/http/access.ts checks it). */
export interface AccessConfig {
	/** `https://<team domain>`: the `iss` of the team's tokens. */
	issuer: string;
	/** The Access application's Audience (AUD) tag: the tokens' `aud`. */
	audience: string;
	/** Where the team publishes its signing keys (JWKS). */
	certsUrl: string;
}

const text = v.optional(v.string(), "");
const trimmed = v.pipe(
	text,
	v.transform((value) => value.trim()),
);
const commaList = v.pipe(
	text,
	v.transform((value) =>
		value
			.split(",")
			.map((item) => item.trim())
			.filter(Boolean),
	),
);
/** "true" or "false"; unset or anything else is `fallback`. */
const flag = (fallback: boolean) =>
	v.pipe(
		trimmed,
		v.transform((value) => {
			const normalized = value.toLowerCase();
			return normalized === "true" ? true : normalized === "false" ? false : fallback;
		}),
	);

const EnvSchema = v.object({
	AI_GATEWAY_ID: v.pipe(text, v.minLength(1, "AI_GATEWAY_ID must be set")),
	DEFAULT_MODEL: v.pipe(trimmed, v.minLength(1, "DEFAULT_MODEL must be set")),
	ALLOWED_MODELS: commaList,
	AI_GATEWAY_COLLECT_LOG: flag(true),
	AI_GATEWAY_LOG_PAYLOADS: flag(true),
	FEEDBACK_SECRET: text,
	FEEDBACK_SECRET_PREVIOUS: text,
	DEBUG_TOKEN: text,
	API_KEYS: commaList,
	ADMIN_TOKEN: text,
	STORE_TRANSCRIPTS: flag(false),
	TURNSTILE_SITE_KEY: trimmed,
	TURNSTILE_SECRET: trimmed,
	ACCESS_TEAM_DOMAIN: trimmed,
	ACCESS_AUD: trimmed,
	JUDGE_MODEL: trimmed,
});

const cache = new WeakMap<Cloudflare.Env, Config>();
/** The settings already reported as unusable: each is logged once per isolate, not per request. */
const reported = new Set<string>();

/** The configuration of `env`, parsed and checked once per env object. */
export function readConfig(env: Cloudflare.Env): Config {
	let config = cache.get(env);
	if (!config) {
		config = parse(env);
		cache.set(env, config);
	}
	return config;
}

function parse(env: Cloudflare.Env): Config {
	const result = v.safeParse(EnvSchema, env);
	if (!result.success) throw new Error(`Invalid configuration: ${result.issues[0].message}`);
	const vars = result.output;
	const secret = (
		name:
			| "FEEDBACK_SECRET"
			| "FEEDBACK_SECRET_PREVIOUS"
			| "DEBUG_TOKEN"
			| "ADMIN_TOKEN"
			| "TURNSTILE_SECRET",
	) => (usable(name, vars[name]) ? vars[name] : undefined);
	const apiKeys = vars.API_KEYS.filter((key, i) => usable(`API_KEYS[${i}]`, key));
	const number = (name: NumericSetting) => numberOrDefault(name, env[name]);
	const turnstileSecret = secret("TURNSTILE_SECRET");
	return {
		gatewayId: vars.AI_GATEWAY_ID,
		defaultModel: vars.DEFAULT_MODEL,
		allowedModels: new Set([vars.DEFAULT_MODEL, ...vars.ALLOWED_MODELS]),
		collectLog: vars.AI_GATEWAY_COLLECT_LOG,
		logPayloads: vars.AI_GATEWAY_LOG_PAYLOADS,
		aiTimeoutMs: number("AI_TIMEOUT_MS"),
		retry: retryPolicyFrom(number("FEEDBACK_RETRY_BASE_MS"), number("FEEDBACK_RETRY_WINDOW_MS")),
		feedbackSecrets: [secret("FEEDBACK_SECRET"), secret("FEEDBACK_SECRET_PREVIOUS")].filter(
			(value): value is string => value !== undefined,
		),
		debugToken: secret("DEBUG_TOKEN"),
		apiKeys: vars.API_KEYS.length === 0 ? null : apiKeys,
		adminToken: secret("ADMIN_TOKEN"),
		access: accessConfig(vars.ACCESS_TEAM_DOMAIN, vars.ACCESS_AUD),
		storeTranscripts: vars.STORE_TRANSCRIPTS,
		retentionDays: number("RETENTION_DAYS"),
		storeMaxBytes: number("STORE_MAX_MB") * 1_000_000,
		turnstile:
			vars.TURNSTILE_SITE_KEY && turnstileSecret
				? { siteKey: vars.TURNSTILE_SITE_KEY, secret: turnstileSecret }
				: null,
		judge: {
			model: vars.JUDGE_MODEL,
			sampleRate: judgeSampleRate(env.JUDGE_SAMPLE_RATE, vars.JUDGE_MODEL),
			dailyLimit: number("JUDGE_DAILY_LIMIT"),
		},
	};
}

/** JUDGE_SAMPLE_RATE, or 0 (the judge off, an error logged once) when it or JUDGE_MODEL is unusable. */
function judgeSampleRate(value: unknown, model: string): number {
	const rate = sampleRate(value);
	if (rate === undefined || (rate > 0 && !model)) {
		reportOnce("JUDGE_SAMPLE_RATE", () =>
			log.error("invalid setting, the judge is off", {
				setting: rate === undefined ? "JUDGE_SAMPLE_RATE" : "JUDGE_MODEL",
				expected: rate === undefined ? SAMPLE_RATE_RULE : "a Workers AI model",
			}),
		);
		return 0;
	}
	return rate;
}

/**
 * A numeric setting's value. One that is not a positive number (`npm run check` refuses it in
 * wrangler.jsonc, but a dashboard edit or `--var` can still set it) does not take the Worker
 * down: its default is used, and an error naming the setting is logged once per isolate.
 * The value itself is not logged.
 */
function numberOrDefault(name: NumericSetting, value: unknown): number {
	const number = numericSetting(name, value);
	if (number !== undefined) return number;
	reportOnce(name, () =>
		log.error("invalid setting, using its default", {
			setting: name,
			expected: NUMERIC_SETTING_RULE,
			default: NUMERIC_SETTINGS[name],
		}),
	);
	return NUMERIC_SETTINGS[name];
}

/** A set secret long enough to use; a short one is ignored as if unset, with a warning. */
function usable(name: string, value: string): boolean {
	if (!value) return false;
	if (value.length >= MIN_SECRET_CHARS) return true;
	reportOnce(name, () =>
		log.warn("secret too short, ignored", { setting: name, minChars: MIN_SECRET_CHARS }),
	);
	return false;
}

/** A team domain as the Zero Trust dashboard shows it, with or without `https://`. */
const TEAM_DOMAIN = /^(?:https:\/\/)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)\/?$/i;

/**
 * Access is on when both ACCESS_TEAM_DOMAIN (a host name) and ACCESS_AUD are set. One without
 * the other, or a domain that is not a host name, leaves it off (the bearer tokens alone
 * decide, as without Access) with an error logged once per isolate: it never opens a route.
 */
function accessConfig(teamDomain: string, audience: string): AccessConfig | null {
	if (!teamDomain && !audience) return null;
	const host = TEAM_DOMAIN.exec(teamDomain)?.[1]?.toLowerCase();
	if (!host || !audience) {
		reportOnce("ACCESS", () =>
			log.error(
				"Cloudflare Access is off: set ACCESS_AUD and ACCESS_TEAM_DOMAIN (<team>.cloudflareaccess.com)",
			),
		);
		return null;
	}
	const issuer = `https://${host}`;
	return { issuer, audience, certsUrl: `${issuer}/cdn-cgi/access/certs` };
}

function reportOnce(setting: string, report: () => void): void {
	if (reported.has(setting)) return;
	reported.add(setting);
	report();
}

/** The model to run: the requested one if allowed, else DEFAULT_MODEL; 400 model_not_allowed otherwise. */
export function resolveModel(config: Config, requested: string | undefined): string {
	const model = requested ?? config.defaultModel;
	if (!config.allowedModels.has(model)) {
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

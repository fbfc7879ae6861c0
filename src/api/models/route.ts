import { Hono } from "hono/tiny";
import { LIMITS } from "../../core/limits";
import { modelInfo } from "../../core/models";
import { TURNSTILE_ACTION } from "../../core/turnstile";
import { SCORE_RANGE } from "../../core/votes";
import type { AppEnv } from "../../http/app-env";

/**
 * GET /api/models: the models a client may ask /api/chat for, DEFAULT_MODEL first, then
 * ALLOWED_MODELS in their configured order, and the request limits of /api/chat and
 * /api/feedback. The chat page's model picker reads the models; the page checks and trims
 * what it sends by the limits, so it copies none of them. `turnstile` is what the page's
 * widget needs when /api/chat asks for a human check (its site key and action), else null.
 */
export const models = () =>
	new Hono<AppEnv>().get("/", (c) => {
		const { defaultModel, allowedModels, turnstile } = c.var.config;
		const ids = [defaultModel, ...[...allowedModels].filter((id) => id !== defaultModel)];
		return c.json({
			default: defaultModel,
			models: ids.map((id) => ({ id, kind: modelInfo(id).kind, default: id === defaultModel })),
			limits: { ...LIMITS, score: SCORE_RANGE },
			turnstile: turnstile && { siteKey: turnstile.siteKey, action: TURNSTILE_ACTION },
		});
	});

import { Hono } from "hono/tiny";
import { modelInfo } from "../../core/models";
import type { AppEnv } from "../../http/app-env";

/**
 * GET /api/models: the models a client may ask /api/chat for, DEFAULT_MODEL first, then
 * ALLOWED_MODELS in their configured order. The chat page's model picker reads it.
 */
export const models = new Hono<AppEnv>().get("/", (c) => {
	const { defaultModel, allowedModels } = c.var.config;
	const ids = [defaultModel, ...[...allowedModels].filter((id) => id !== defaultModel)];
	return c.json({
		default: defaultModel,
		models: ids.map((id) => ({ id, kind: modelInfo(id).kind, default: id === defaultModel })),
	});
});

import { Hono } from "hono/tiny";
import type { AppEnv } from "../../http/app-env";

/** What a model name stands for: a Workers AI model, a gateway dynamic route, or a third-party model. */
export type ModelKind = "workers-ai" | "dynamic-route" | "third-party";

const kindOf = (model: string): ModelKind =>
	model.startsWith("@cf/")
		? "workers-ai"
		: model.startsWith("dynamic/")
			? "dynamic-route"
			: "third-party";

/**
 * GET /api/models: the models a client may ask /api/chat for, DEFAULT_MODEL first, then
 * ALLOWED_MODELS in their configured order. The chat page's model picker reads it.
 */
export const models = new Hono<AppEnv>().get("/", (c) => {
	const { defaultModel, allowedModels } = c.var.config;
	const ids = [defaultModel, ...[...allowedModels].filter((id) => id !== defaultModel)];
	return c.json({
		default: defaultModel,
		models: ids.map((id) => ({ id, kind: kindOf(id), default: id === defaultModel })),
	});
});

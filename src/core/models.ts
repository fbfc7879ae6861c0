/**
 * What a model name stands for: the one place that decides a model's kind, its provider and
 * the shape it answers in. Routing, GET /api/models and GET /v1/models all ask here.
 *
 * - `@cf/...` and `@hf/...`: a Workers AI model, through `env.AI.run`;
 * - `dynamic/<route>`: a dynamic route configured in the gateway, through `gateway.run` with
 *   the `compat` provider (OpenAI chat completions in and out, no token);
 * - `cloudflare/auto` (the Auto Router) and `custom/<alias>` (a model alias): the gateway picks
 *   a model of a pool, the same way, and says which and why (`cf-aig-routed-model`,
 *   `cf-aig-routing-reason`, `cf-aig-routing-decision-id`); a conversation's id sent as
 *   `cf-aig-session-id` keeps its turns on one model;
 * - any other `author/model` (`openai/`, `anthropic/`, `google/`, `xai/`, `alibaba/`, ...): a
 *   third-party model through `env.AI.run`, billed with Unified Billing. It answers in
 *   OpenAI's chat shape, unless its provider is known to answer in its own (Anthropic).
 */

export type ModelKind =
	| "workers-ai"
	| "dynamic-route"
	| "auto-router"
	| "model-alias"
	| "third-party";

/** Kinds the gateway routes itself, through its OpenAI-compatible (`compat`) endpoint. */
export const ROUTED_IN_GATEWAY: ReadonlySet<ModelKind> = new Set([
	"dynamic-route",
	"auto-router",
	"model-alias",
]);

/** Kinds whose answers name the routed model and the reason, and that take a session id. */
export const ROUTER_KINDS: ReadonlySet<ModelKind> = new Set(["auto-router", "model-alias"]);

/** The request and answer format a model takes on the binding. */
export type ModelShape = "workers-ai" | "openai" | "anthropic";

export interface ModelInfo {
	kind: ModelKind;
	/** Who serves it when called directly (a dynamic route names its pick in a header). */
	provider: string;
	/** Who owns it, as GET /v1/models says (`owned_by`). */
	owner: string;
	shape: ModelShape;
}

/** Providers that answer in a shape of their own rather than OpenAI's. */
const OWN_SHAPES: Record<string, ModelShape> = { anthropic: "anthropic" };

/** The kind of a model the gateway routes itself, from its name; null for any other. */
function gatewayKind(model: string): ModelKind | null {
	if (model.startsWith("dynamic/")) return "dynamic-route";
	if (model === "cloudflare/auto") return "auto-router";
	return model.startsWith("custom/") ? "model-alias" : null;
}

export function modelInfo(model: string): ModelInfo {
	const routed = gatewayKind(model);
	if (routed) return { kind: routed, provider: "workers-ai", owner: "ai-gateway", shape: "openai" };
	const author = /^([a-z0-9][a-z0-9-]*)\/[^/]/i.exec(model)?.[1]?.toLowerCase();
	if (!author || model.startsWith("@")) {
		return { kind: "workers-ai", provider: "workers-ai", owner: "cloudflare", shape: "workers-ai" };
	}
	return {
		kind: "third-party",
		provider: author,
		owner: author,
		shape: OWN_SHAPES[author] ?? "openai",
	};
}

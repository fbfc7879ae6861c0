/**
 * The Auto Router (`cloudflare/auto`) and model aliases (`custom/<name>`) on the `compat`
 * endpoint, as a Worker sees them from outside: the gateway picks one model of a pool and
 * answers with `cf-aig-routed-model`, `cf-aig-routing-reason` and
 * `cf-aig-routing-decision-id`. The real router weighs cost and quality; the emulator picks
 * deterministically, by a hash of the conversation's last user message, so tests can replay
 * it. A `cf-aig-session-id` seen before keeps its model (`pinned_by_turn`); a pick that is
 * in `failingModels` gives way to the next model of the pool that is not
 * (`fallback_candidate_unavailable`).
 */

import { modelNotFound } from "./errors.ts";
import { type ModelRef, parseModelRef } from "./providers.ts";
import type { EmulatorState } from "./state.ts";

export const AUTO_ROUTER = "cloudflare/auto";
const ALIAS_PREFIX = "custom/";

/** The reasons the emulator gives (the documented ones; the real router may give others). */
export const ROUTING_REASONS = {
	firstTurn: "cost_optimal_within_pool",
	pinned: "pinned_by_turn",
	fallback: "fallback_candidate_unavailable",
} as const;

/** Sessions remembered per emulator (oldest forgotten first), so long runs stay bounded. */
const MAX_SESSIONS = 10_000;

export interface RoutedPick {
	name: string;
	ref: ModelRef;
	reason: string;
	decisionId: string;
}

export const isRouterModel = (name: string) =>
	name === AUTO_ROUTER || name.startsWith(ALIAS_PREFIX);

/** FNV-1a: a stable pick for the same text. */
function hash(text: string): number {
	let h = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
	return h >>> 0;
}

/** The text of the last user message of an OpenAI chat request. */
function lastUserText(inputs: Record<string, unknown>): string {
	const messages = Array.isArray(inputs.messages) ? inputs.messages : [];
	const last = messages.findLast((message) => message?.role === "user");
	return typeof last?.content === "string" ? last.content : JSON.stringify(last?.content ?? "");
}

/** The model a router request goes to, and why; a 404 for an alias that is not configured. */
export function routeRequest(
	state: EmulatorState,
	gatewayId: string,
	name: string,
	inputs: Record<string, unknown>,
	headers: Headers,
): RoutedPick | Response {
	const settings = state.settings.for(gatewayId);
	const pool =
		name === AUTO_ROUTER
			? settings.autoRouterPool
			: Object.hasOwn(settings.modelAliases, name.slice(ALIAS_PREFIX.length))
				? settings.modelAliases[name.slice(ALIAS_PREFIX.length)]
				: undefined;
	if (!pool || pool.length === 0) return modelNotFound(name);
	const failing = (model: string) => {
		const ref = parseModelRef(model, true) as ModelRef;
		return [model, ref.model, `${ref.provider}/${ref.model}`].some((each) =>
			settings.failingModels.includes(each),
		);
	};
	const session = headers.get("cf-aig-session-id");
	const sessionKey = session ? `${gatewayId}\u0000${name}\u0000${session}` : undefined;
	const pinned = sessionKey === undefined ? undefined : state.sessions.get(sessionKey);
	let pick = pinned !== undefined && pool.includes(pinned) ? pinned : undefined;
	let reason: string = pick === undefined ? ROUTING_REASONS.firstTurn : ROUTING_REASONS.pinned;
	pick ??= pool[hash(lastUserText(inputs)) % pool.length] as string;
	if (failing(pick)) {
		const stand = pool.find((model) => !failing(model));
		// Every model of the pool down: the pick fails as it would.
		if (stand !== undefined) {
			pick = stand;
			reason = ROUTING_REASONS.fallback;
		}
	}
	if (sessionKey !== undefined) {
		state.sessions.delete(sessionKey);
		state.sessions.set(sessionKey, pick);
		if (state.sessions.size > MAX_SESSIONS) {
			state.sessions.delete(state.sessions.keys().next().value as string);
		}
	}
	return {
		name: pick,
		ref: parseModelRef(pick, true) as ModelRef,
		reason,
		decisionId: crypto.randomUUID(),
	};
}

/**
 * Dynamic routes, as the emulator's settings describe them. A real route is a graph
 * built in the dashboard (start, conditional, percentage split, rate and budget limit,
 * model and end nodes); the emulator keeps the two patterns a Worker sees from outside:
 * an ordered fallback chain, and a percentage split whose branches may each have one.
 *
 *   { "model": "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast" }
 *   { "fallbacks": ["openai/gpt-4.1-mini", "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast"] }
 *   { "split": [
 *       { "percent": 90, "model": "workers-ai/@cf/meta/llama-3.3-70b-instruct-fp8-fast" },
 *       { "percent": 10, "fallbacks": ["openai/gpt-4.1-mini", "workers-ai/@cf/openai/gpt-oss-120b"] } ] }
 *
 * Models are named `provider/model` as the `compat` endpoint names them (a bare
 * `@cf/...` id also means Workers AI). `model` and `fallbacks` together mean
 * `[model, ...fallbacks]`.
 */

import { parseModelRef } from "./providers.ts";

export interface ModelChain {
	model?: string;
	fallbacks?: string[];
}

export interface SplitBranch extends ModelChain {
	/** Share of requests, in percent. Shares that do not add up to 100 are taken relative to their sum. */
	percent: number;
}

export interface DynamicRoute extends ModelChain {
	split?: SplitBranch[];
}

/** The models a chain tries, in order. */
export function chainOf({ model, fallbacks }: ModelChain): string[] {
	return [...(model === undefined ? [] : [model]), ...(fallbacks ?? [])];
}

/** What is wrong with a route's settings, if anything. */
export function routeProblem(route: DynamicRoute): string | undefined {
	const checkChain = (chain: ModelChain, where: string) => {
		const models = chainOf(chain);
		if (models.length === 0) return `${where} names no model`;
		for (const model of models) {
			if (typeof model !== "string" || typeof parseModelRef(model, true) === "string")
				return `${where}: ${JSON.stringify(model)} is not a provider/model name`;
		}
		return undefined;
	};
	if (route.split === undefined) return checkChain(route, "route");
	if (route.model !== undefined || route.fallbacks !== undefined)
		return "a route has either split or model/fallbacks";
	if (!Array.isArray(route.split) || route.split.length === 0) return "split is empty";
	for (const [index, branch] of route.split.entries()) {
		if (!(typeof branch.percent === "number" && branch.percent >= 0))
			return `split[${index}].percent must be a number of at least 0`;
		const problem = checkChain(branch, `split[${index}]`);
		if (problem) return problem;
	}
	if (route.split.every((branch) => branch.percent === 0)) return "split shares add up to 0";
	return undefined;
}

/** The branch a request takes (index into `split`, or null) and the models it tries. */
export function pickChain(
	route: DynamicRoute,
	random: () => number,
): { branch: number | null; models: string[] } {
	if (!route.split) return { branch: null, models: chainOf(route) };
	const total = route.split.reduce((sum, branch) => sum + branch.percent, 0);
	let draw = random() * total;
	for (const [index, branch] of route.split.entries()) {
		draw -= branch.percent;
		if (draw < 0 && branch.percent > 0) return { branch: index, models: chainOf(branch) };
	}
	const last = route.split.findLastIndex((branch) => branch.percent > 0);
	return { branch: last, models: chainOf(route.split[last] ?? {}) };
}

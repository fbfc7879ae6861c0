// dependency-cruiser reads TypeScript through the TypeScript compiler API, which TypeScript 7
// (this project's `typescript`, the native compiler) no longer ships as JavaScript. The
// devDependency `typescript-compiler-api` is TypeScript 6 under another name (an npm alias);
// this hook hands it to dependency-cruiser, and to nothing else, when it asks for
// `typescript`. Used as `node --import ./scripts/depcruise-typescript.mjs`, see docs/testing.md.
import { registerHooks } from "node:module";

const ALIAS = "typescript-compiler-api";

registerHooks({
	resolve(specifier, context, nextResolve) {
		const fromCruiser = context.parentURL?.includes("/node_modules/dependency-cruiser/");
		if (fromCruiser && (specifier === "typescript" || specifier.startsWith("typescript/"))) {
			return nextResolve(ALIAS + specifier.slice("typescript".length), context);
		}
		return nextResolve(specifier, context);
	},
});

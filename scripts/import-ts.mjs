// Imports a module of src/ in Node, with its imports: esbuild bundles it into one ES module
// in memory (src/ imports without file extensions, which Node's own type stripping cannot
// follow). For modules that need no Worker runtime: the declarations, the SQL builders.
import { resolve } from "node:path";
import { build } from "esbuild";
import { root } from "./local-config.mjs";

/** The exports of `file` (a path from the repository root). */
export function importTs(file) {
	return importBundle({ entryPoints: [resolve(root, file)] });
}

/**
 * The exports of what esbuild bundles from `input` (`entryPoints`, or `stdin` with its
 * `resolveDir`), imported in memory.
 */
export async function importBundle(input) {
	const { outputFiles } = await build({
		...input,
		bundle: true,
		format: "esm",
		platform: "neutral",
		write: false,
		logLevel: "error",
	});
	const code = outputFiles[0]?.text ?? "";
	return import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
}

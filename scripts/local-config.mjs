// Derives a local-only Wrangler configuration from a project configuration: the same
// Worker with the AI_EMULATOR and TURNSTILE_EMULATOR service bindings added (see src/gateway/binding.ts). Used by
// `npm run dev` and `npm run bench`; the result lives under .wrangler/, never deployed.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { experimental_readRawConfig } from "wrangler";

export const root = resolve(import.meta.dirname, "..");

/**
 * Writes `outFile` from `sourceFile` with the emulator bound, after `adjust(config)`.
 * Paths in the configuration are rewritten to stay valid from the new location.
 */
export function writeLocalConfig({
	sourceFile,
	outFile,
	adjust = (config) => config,
	bindEmulator = true,
}) {
	const { rawConfig } = experimental_readRawConfig({ config: resolve(root, sourceFile) });
	const sourceDir = dirname(resolve(root, sourceFile));
	const fromOut = (path) => relative(dirname(resolve(root, outFile)), resolve(sourceDir, path));
	const config = adjust({
		...rawConfig,
		$schema: undefined,
		main: fromOut(rawConfig.main),
		assets: rawConfig.assets && {
			...rawConfig.assets,
			directory: fromOut(rawConfig.assets.directory),
		},
		services: [
			...(rawConfig.services ?? []),
			...(bindEmulator
				? [
						{ binding: "AI_EMULATOR", service: "ai-gateway-emulator" },
						// Turnstile's Siteverify stand-in, served by the same Worker (src/http/turnstile.ts).
						{ binding: "TURNSTILE_EMULATOR", service: "ai-gateway-emulator" },
					]
				: []),
		],
	});
	mkdirSync(dirname(resolve(root, outFile)), { recursive: true });
	writeFileSync(
		resolve(root, outFile),
		`// Generated from ${sourceFile} for local use only. Do not edit.\n${JSON.stringify(config, null, "\t")}\n`,
	);
	return resolve(root, outFile);
}

export { EMULATED_MARKER, emulatedAnswer, outputShapeOf } from "./answers";
export {
	AiGatewayEmulator,
	DEFAULT_SETTINGS,
	type EmulatorSettings,
	type FaultStatus,
	type FaultTarget,
	type RunRecord,
} from "./emulator";
export { type EmulatedLog, METADATA_LIMIT } from "./log-store";

/**
 * A genuine `Ai` binding (the runtime's own class) whose calls go to
 * `fetcher` instead of Cloudflare: `bindToEmulator(env.AI, emulator)`.
 */
export function bindToEmulator(ai: Ai, fetcher: { fetch: typeof fetch }): Ai {
	const RuntimeAi = ai.constructor as new (fetcher: { fetch: typeof fetch }) => Ai;
	return new RuntimeAi(fetcher);
}

export {
	EMULATED_MARKER,
	emulatedAnswer,
	type OutputShape,
	outputShapeOf,
} from "./answers.ts";
export {
	AiGatewayEmulator,
	DEFAULT_SETTINGS,
	type EmulatorSettings,
	type FaultStatus,
	type FaultTarget,
	type GuardrailSettings,
	type HoldPart,
	type LogsApi,
	type RunRecord,
	seededRandom,
} from "./emulator.ts";
export { AIG, PROMPT_BLOCKED, RESPONSE_BLOCKED } from "./errors.ts";
export {
	type EmulatedLog,
	type LogPersistence,
	METADATA_LIMIT,
	type PatchMode,
	type StoredLog,
} from "./log-store.ts";
export { type GoogleWire, type ModelRef, parseModelRef } from "./providers.ts";
export type { DynamicRoute, ModelChain, SplitBranch } from "./routes.ts";

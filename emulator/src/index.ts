export {
	EMULATED_MARKER,
	emulatedAnswer,
	type OutputShape,
	outputShapeOf,
} from "./answers.ts";
export { AiGatewayEmulator } from "./emulator.ts";
export { AIG, PROMPT_BLOCKED, RESPONSE_BLOCKED } from "./errors.ts";
export type { FaultStatus, FaultTarget, HoldPart } from "./faults.ts";
export { JUDGE_BAD_MARKER, JUDGE_MALFORMED_MARKER } from "./judge.ts";
export {
	type EmulatedLog,
	type LogPersistence,
	METADATA_LIMIT,
	type PatchMode,
	type StoredLog,
} from "./log-store.ts";
export { type GoogleWire, type ModelRef, parseModelRef } from "./providers.ts";
export { seededRandom } from "./random.ts";
export type { DynamicRoute, ModelChain, SplitBranch } from "./routes.ts";
export {
	DEFAULT_SETTINGS,
	type EmulatorSettings,
	type GuardrailSettings,
	type LogsApi,
} from "./settings.ts";
export type { RunRecord } from "./state.ts";
export { minimalValue } from "./tools.ts";
export {
	DUMMY_TOKEN,
	SiteverifyStandIn,
	TEST_SECRETS,
	TEST_SITE_KEYS,
} from "./turnstile.ts";

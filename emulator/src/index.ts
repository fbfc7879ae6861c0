export { EMULATED_MARKER, emulatedAnswer, outputShapeOf } from "./answers.ts";
export {
	AiGatewayEmulator,
	DEFAULT_SETTINGS,
	type EmulatorSettings,
	type FaultStatus,
	type FaultTarget,
	type HoldPart,
	type RunRecord,
} from "./emulator.ts";
export {
	type EmulatedLog,
	type LogPersistence,
	METADATA_LIMIT,
	type StoredLog,
} from "./log-store.ts";

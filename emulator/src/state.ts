/** What the emulator's handlers share: its settings, faults, holds, logs and run records. */

import type { Faults, Holds } from "./faults.ts";
import type { LogStore } from "./log-store.ts";
import type { Settings } from "./settings.ts";

/** What the emulator saw of one inference (one `run`, or one step of a universal request), for assertions. */
export interface RunRecord {
	logId: string;
	gatewayId: string | null;
	/** The model that ran (for `compat` steps, the provider's model id without the provider prefix). */
	model: string;
	inputs: Record<string, unknown>;
	/** The run's options; for universal steps `{ universal, step, provider, ... }`, with `route` and `branch` for dynamic routes. */
	options: Record<string, unknown>;
	status: number | null;
	/** The caller cancelled the inference (aborted the request or the body). */
	aborted: boolean;
	completed: boolean;
	/** A log was kept (a gateway, and collectLog not false). */
	logged: boolean;
}

export interface EmulatorState {
	settings: Settings;
	faults: Faults;
	holds: Holds;
	logs: LogStore;
	/** Every inference seen, oldest first (kept to `maxRecords`). */
	runs: RunRecord[];
	/** The model each router session (gateway, router, `cf-aig-session-id`) was pinned to. */
	sessions: Map<string, string>;
}

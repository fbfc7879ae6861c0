// StrykerJS (`npm run test:mutation`) names the mutant to switch on in an environment
// variable, which code in workerd cannot read: vitest.config.ts passes it in as a binding,
// and this puts it where Stryker's instrumented code looks. No-op in every other run.
import { env } from "cloudflare:workers";

const active = (env as { STRYKER_ACTIVE_MUTANT?: string }).STRYKER_ACTIVE_MUTANT;
if (active) {
	const scope = globalThis as { __stryker__?: { activeMutant?: string } };
	// The same object instrumented modules may already hold.
	scope.__stryker__ ??= {};
	scope.__stryker__.activeMutant = active;
}

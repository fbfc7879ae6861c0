// Prints one closing line for CI, "tests: N passed, N failed", from the Vitest JSON
// report and the node:test TAP report. Fails when a report is missing, has failures,
// or ran no test.
import { readFileSync } from "node:fs";

const [vitestFile = "test-results/vitest.json", tapFile = "test-results/e2e.tap"] =
	process.argv.slice(2);

function read(file) {
	try {
		return readFileSync(file, "utf8");
	} catch (error) {
		console.error(`No test report at ${file}: ${error.message}`);
		process.exit(1);
	}
}

const vitest = JSON.parse(read(vitestFile));
const tap = read(tapFile);
const tapCount = (name) =>
	Number(new RegExp(`^# ${name} (\\d+)$`, "m").exec(tap)?.[1] ?? Number.NaN);

const passed = vitest.numPassedTests + tapCount("pass");
const failed = vitest.numFailedTests + tapCount("fail");
const skipped = vitest.numPendingTests + tapCount("skipped") + tapCount("todo");
console.log(
	`unit and integration: ${vitest.numPassedTests} passed, ${vitest.numFailedTests} failed; end to end: ${tapCount("pass")} passed, ${tapCount("fail")} failed`,
);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
const ranAll = vitest.success && vitest.numTotalTests > 0 && tapCount("tests") > 0;
process.exit(failed === 0 && ranAll && !Number.isNaN(passed) ? 0 : 1);

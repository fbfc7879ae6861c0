// Prints a one-line summary ("tests: N passed, N failed") of a Vitest JSON report,
// and fails when the report is missing, has failures, or ran no test.
import { readFileSync } from "node:fs";

const [file = "test-results/vitest.json", label = "tests"] = process.argv.slice(2);
let report;
try {
	report = JSON.parse(readFileSync(file, "utf8"));
} catch (error) {
	console.error(`No test report at ${file}: ${error.message}`);
	process.exit(1);
}
const {
	numPassedTests: passed,
	numFailedTests: failed,
	numPendingTests: skipped,
	numTotalTests: total,
} = report;
console.log(`${label}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed === 0 && total > 0 && report.success ? 0 : 1);

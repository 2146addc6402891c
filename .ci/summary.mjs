// Prints "N passed, N failed" from vitest's JSON report and exits non-zero when the
// test command failed, any test failed, or no test ran.
import { existsSync, readFileSync } from 'node:fs';

const [file, statusArg] = process.argv.slice(2);
const status = Number(statusArg ?? 1);
if (!existsSync(file)) {
  console.log(`no test report (${file}): the test command stopped before vitest finished (exit ${status})`);
  console.log('0 passed, 1 failed');
  process.exit(status === 0 ? 1 : status);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
const suitesFailed = report.numFailedTestSuites ?? 0;
if (suitesFailed > 0) console.log(`${suitesFailed} test files failed to run or had failures`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(status !== 0 || failed > 0 || suitesFailed > 0 || passed === 0 ? status || 1 : 0);

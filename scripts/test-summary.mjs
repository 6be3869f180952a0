#!/usr/bin/env node
// Prints the one closing line of `pnpm test`: the unit and integration test counts that vitest
// wrote to .vitest/results.json and .vitest/e2e-results.json. Exits 1 (with a reason) when the report is missing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// Two reports: the unit and integration run, and the browser e2e run (`pnpm test:e2e`, a run of its
// own so that the Next.js build does not compete with the other tests for the CPU).
const totals = { passed: 0, failed: 0, skipped: 0 };
for (const name of ['results.json', 'e2e-results.json']) {
  const path = fileURLToPath(new URL(`../.vitest/${name}`, import.meta.url));
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    console.error(`No test report at ${path}: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
  totals.passed += report.numPassedTests;
  totals.failed += report.numFailedTests;
  totals.skipped += report.numPendingTests;
}
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);

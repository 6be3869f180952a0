#!/usr/bin/env node
// Prints the one closing line of `pnpm test`: the unit and integration test counts that vitest
// wrote to .vitest/results.json. Exits 1 (with a reason) when the report is missing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const path = fileURLToPath(new URL('../.vitest/results.json', import.meta.url));
let report;
try {
  report = JSON.parse(readFileSync(path, 'utf8'));
} catch (error) {
  console.error(`No test report at ${path}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
console.log(
  `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests} skipped`,
);

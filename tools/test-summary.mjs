// Print vitest's JSON report as one plain closing line: "tests: N passed, N failed, N skipped".
// Usage: node tools/test-summary.mjs artifacts/vitest.json
import { readFileSync } from "node:fs";

const file = process.argv[2] ?? "artifacts/vitest.json";
const report = JSON.parse(readFileSync(file, "utf8"));
const passed = report.numPassedTests ?? 0;
const failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
if (passed === 0 || failed > 0) process.exit(1);

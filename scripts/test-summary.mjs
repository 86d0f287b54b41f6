#!/usr/bin/env node
// Adds up the vitest JSON reports of every package and prints "N passed, N failed[, N skipped]".
// With --require-e2e, fails unless browser tests (test/e2e/) ran and passed.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const requireE2e = process.argv.includes("--require-e2e");
let passed = 0;
let failed = 0;
let skipped = 0;
let e2ePassed = 0;
const missing = [];

for (const group of ["packages", "apps"]) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!existsSync(join(dir, "package.json"))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (!pkg.scripts?.test) continue;
    const file = join(dir, ".vitest-report.json");
    if (!existsSync(file)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const report = JSON.parse(readFileSync(file, "utf8"));
    passed += report.numPassedTests;
    failed += report.numFailedTests;
    skipped += report.numPendingTests + report.numTodoTests;
    for (const suite of report.testResults) {
      if (!suite.name.includes("/test/e2e/")) continue;
      e2ePassed += suite.assertionResults.filter((a) => a.status === "passed").length;
    }
    // A file that failed to load has no assertions but a failed status.
    failed += report.testResults.filter(
      (s) => s.status === "failed" && s.assertionResults.length === 0,
    ).length;
  }
}

let ok = failed === 0 && missing.length === 0;
if (missing.length > 0)
  console.error(`No test report from: ${missing.join(", ")} (their tests did not run).`);
if (requireE2e && e2ePassed === 0) {
  console.error("The browser tests (test/e2e/) did not run: install Chromium (apt-get install -y chromium).");
  ok = false;
}
console.log(`${passed} passed, ${failed + missing.length} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(ok ? 0 : 1);

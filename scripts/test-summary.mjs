#!/usr/bin/env node
// Adds up the vitest JSON reports of every package and prints "N passed, N failed[, N skipped]".
// With --require-e2e, fails unless the browser tests (test/e2e/) ran and passed; with --require-terminal, unless
// the tmux-driven terminal tests (*terminal.integ.test.ts) did.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const requireE2e = process.argv.includes("--require-e2e");
const requireTerminal = process.argv.includes("--require-terminal");
let passed = 0;
let failed = 0;
let skipped = 0;
let e2ePassed = 0;
let terminalPassed = 0;
const missing = [];

for (const group of ["packages", "apps", "tests"]) {
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
      const passedHere = suite.assertionResults.filter((a) => a.status === "passed").length;
      if (suite.name.includes("/test/e2e/")) e2ePassed += passedHere;
      if (suite.name.endsWith("terminal.integ.test.ts")) terminalPassed += passedHere;
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
if (requireTerminal && terminalPassed === 0) {
  console.error(
    "The terminal tests (terminal.integ.test.ts) did not run: install tmux (apt-get install -y tmux).",
  );
  ok = false;
}
console.log(`${passed} passed, ${failed + missing.length} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(ok ? 0 : 1);

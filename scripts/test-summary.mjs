#!/usr/bin/env node
// Adds up the vitest JSON reports of every package (of every pass .ci/run kept: see REPORT) and prints
// "N passed, N failed[, N skipped]".
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
/** A vitest JSON report: `.vitest-report.json`, or `.vitest-report.<pass>.json` of a pass kept aside. */
const REPORT = /^\.vitest-report(?:\.([\w-]+))?\.json$/;
/** Totals per pass, by pass name ("" for the last run). */
const passes = new Map();

for (const group of ["packages", "apps", "tests"]) {
  const base = join(root, group);
  if (!existsSync(base)) continue;
  for (const name of readdirSync(base)) {
    const dir = join(base, name);
    if (!existsSync(join(dir, "package.json"))) continue;
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    if (!pkg.scripts?.test) continue;
    // `.vitest-report.json` of the last run, and `.vitest-report.<pass>.json` of earlier passes kept by .ci/run (the
    // suite on another Node version): every pass counts.
    const files = readdirSync(dir).filter((f) => REPORT.test(f));
    if (files.length === 0) {
      missing.push(`${group}/${name}`);
      continue;
    }
    for (const file of files) {
      const report = JSON.parse(readFileSync(join(dir, file), "utf8"));
      const pass = REPORT.exec(file)?.[1] ?? "";
      const failedHere =
        report.numFailedTests +
        // A file that failed to load has no assertions but a failed status.
        report.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
      passed += report.numPassedTests;
      failed += failedHere;
      skipped += report.numPendingTests + report.numTodoTests;
      const subtotal = passes.get(pass) ?? { passed: 0, failed: 0 };
      passes.set(pass, {
        passed: subtotal.passed + report.numPassedTests,
        failed: subtotal.failed + failedHere,
      });
      for (const suite of report.testResults) {
        const passedHere = suite.assertionResults.filter((a) => a.status === "passed").length;
        if (suite.name.includes("/test/e2e/")) e2ePassed += passedHere;
        if (suite.name.endsWith("terminal.integ.test.ts")) terminalPassed += passedHere;
      }
    }
  }
}
if (passes.size > 1) {
  for (const [pass, subtotal] of passes)
    console.log(`  ${pass || "last run"}: ${subtotal.passed} passed, ${subtotal.failed} failed`);
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

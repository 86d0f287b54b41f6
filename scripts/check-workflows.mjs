#!/usr/bin/env node
// The hosted CI's workflows cannot run here, so .ci/run checks them: each file is valid against the GitHub
// Actions schema (action-validator), and the test workflow runs the same commands as .ci/run, so the two stay in step.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dir = join(root, ".github", "workflows");
const validator = join(root, "node_modules", ".bin", "action-validator");
let failed = false;
for (const name of readdirSync(dir).filter((n) => /\.ya?ml$/.test(n))) {
  try {
    execFileSync(validator, [join(dir, name)], { stdio: ["ignore", "ignore", "inherit"] });
    console.log(`ok  .github/workflows/${name}`);
  } catch {
    console.error(`invalid  .github/workflows/${name}`);
    failed = true;
  }
}

const ciRun = readFileSync(join(root, ".ci", "run"), "utf8");
const workflow = readFileSync(join(dir, "ci.yml"), "utf8");
const commands = [
  ...ciRun.matchAll(/^pnpm (install --frozen-lockfile|lint|build|typecheck|check:packages|test)$/gm),
].map((m) => `pnpm ${m[1]}`);
for (const command of commands) {
  if (!workflow.includes(`run: ${command}\n`)) {
    console.error(
      `.github/workflows/ci.yml does not run \`${command}\`, which .ci/run runs: keep them in step.`,
    );
    failed = true;
  }
}
if (commands.length < 5) {
  console.error("Fewer pnpm steps found in .ci/run than expected: update scripts/check-workflows.mjs.");
  failed = true;
}
process.exit(failed ? 1 : 0);

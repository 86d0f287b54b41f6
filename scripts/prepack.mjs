#!/usr/bin/env node
// Run by each package's `prepack`: a tarball must never go out without its built `dist`. turbo builds the
// package and what it depends on (from its cache when nothing changed), so `pnpm pack` in a clean clone works.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const { name } = JSON.parse(readFileSync("package.json", "utf8"));
execFileSync("pnpm", ["exec", "turbo", "run", "build", `--filter=${name}...`, "--output-logs=errors-only"], {
  cwd: root,
  stdio: ["ignore", "inherit", "inherit"],
  env: { ...process.env, TURBO_TELEMETRY_DISABLED: "1" },
});

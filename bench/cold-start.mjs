#!/usr/bin/env node
// Cold start of everything a user starts as a whole process, next to a bare `node -e 0` and the official
// provider, measured in one run, interleaved so that machine noise hits every subject alike. Each subject answers
// from a valid cache (no network). The rows and their targets (issue 8):
//   one-shot script, ours            ≤ 0.75× the official one-shot script (aim: ≤ 1.15× node -e 0)
//   awslogin export                  ≤ 1.6× node -e 0
//   awslogin status --json           ≤ 2.0× node -e 0
//   awslogin --version               ≤ 1.9× node -e 0
// Build first: pnpm exec turbo run build.   Usage: node bench/cold-start.mjs [runs=15]
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCacheHitHome } from "./fixtures/cache-hit-home.mjs";
import { median, timeOnce } from "./fixtures/timing.mjs";

const root = new URL("..", import.meta.url).pathname;
const runs = Number(process.argv[2] ?? 15);
if (!Number.isInteger(runs) || runs < 1) throw new Error("runs must be a positive integer");

const { env, record, remove } = createCacheHitHome();
// The scripts live inside the provider package so that both providers resolve as an app's would (the package's
// own name by self-reference, the official one from its devDependencies).
const scripts = join(root, "packages", "credential-provider", ".bench");
mkdirSync(scripts, { recursive: true });
const script = (name, text) => {
  writeFileSync(join(scripts, name), text);
  return join(scripts, name);
};
const oneShot = (specifier) => `import { fromLoginCredentials } from ${JSON.stringify(specifier)};
const c = await fromLoginCredentials({ profile: "bench" })();
process.stdout.write(c.accessKeyId + "\\n");\n`;
const cli = join(root, "apps", "cli", "bin", "run.js");
const node = process.execPath;
const subjects = {
  "node -e 0": [node, ["-e", "0"]],
  "one-shot script, official": [
    node,
    [script("official.mjs", oneShot("@aws-sdk/credential-provider-login"))],
  ],
  "one-shot script, ours": [node, [script("ours.mjs", oneShot("@awslogin/credential-provider"))]],
  "require provider, official": [
    node,
    [script("require-official.cjs", `require("@aws-sdk/credential-provider-login");\n`)],
  ],
  "require provider, ours": [
    node,
    [script("require-ours.cjs", `require("@awslogin/credential-provider");\n`)],
  ],
  "awslogin-credential-process": [node, [join(root, "apps", "credential-process", "dist", "main.cjs")]],
  "awslogin export": [node, [cli, "export", "--profile", "bench"]],
  "awslogin status --json": [node, [cli, "status", "--profile", "bench", "--json"]],
  "awslogin --version": [node, [cli, "--version"]],
};
const targets = {
  "one-shot script, ours": ["one-shot script, official", 0.75],
  "awslogin export": ["node -e 0", 1.6],
  "awslogin status --json": ["node -e 0", 2.0],
  "awslogin --version": ["node -e 0", 1.9],
};

try {
  // Sanity: every credential subject answers with the cached key, from the cache.
  for (const name of ["one-shot script, official", "one-shot script, ours", "awslogin export"]) {
    const out = timeOnce(subjects[name], env).stdout;
    if (!out.includes(record.accessToken.accessKeyId))
      throw new Error(`${name} did not print the cached key`);
  }
  const samples = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  for (const subject of Object.values(subjects)) timeOnce(subject, env); // warm the file cache
  for (let i = 0; i < runs; i++) {
    for (const [name, subject] of Object.entries(subjects)) samples[name].push(timeOnce(subject, env).ms);
  }
  const medians = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
  const baseline = medians["node -e 0"];
  const official = medians["one-shot script, official"];
  console.log(`cold start, ${runs} runs each, node ${process.version} (median ms; ratios of medians)`);
  console.log(
    `${"".padEnd(30)}${"median".padStart(8)}${"× node -e 0".padStart(13)}${"× official".padStart(12)}  target`,
  );
  for (const [name, m] of Object.entries(medians)) {
    const target = targets[name];
    let verdict = "";
    if (target) {
      const ratio = m / medians[target[0]];
      verdict = `≤ ${target[1]}× ${target[0] === "node -e 0" ? "node -e 0" : "official"}: ${ratio <= target[1] ? "met" : "MISSED"}`;
    }
    console.log(
      `${name.padEnd(30)}${m.toFixed(1).padStart(8)}${(m / baseline).toFixed(2).padStart(12)}×${(m / official).toFixed(2).padStart(11)}×  ${verdict}`,
    );
  }
} finally {
  remove();
  rmSync(scripts, { recursive: true, force: true });
}

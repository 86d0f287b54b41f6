#!/usr/bin/env node
// What installing our provider adds to an app's node_modules, next to what the official one adds (issue 8): three fresh
// apps installed with npm from the registry (--prefer-offline), each with @aws-sdk/client-sts alone, then with
// @aws-sdk/credential-provider-login, then with our packed @awslogin/core + @awslogin/credential-provider tarballs.
// Sizes are the sum of the files' sizes (not disk blocks). Budget: ours adds at most 3 MB.
// Figures (npm 11.19.1; @aws-sdk/client-sts@3.1174.0 alone 5.21 MB, the official provider adds 0.03 MB):
//   zod a caret dependency of core (^4.6.7)          +8.01 MB  zod 5.86, undici 1.61, core 0.48, provider 0.05  MISSED
//   zod bundled into core, `import { z } from "zod"`  +3.59 MB  core 1.93 (all of zod, its locales too), undici 1.61
//   zod bundled into core, `import * as z`           +2.49 MB  undici 1.61, core 0.83, provider 0.05      met (chosen)
//   zod/mini, bundled (estimated, not built)         ~+2.2 MB  the same schemas bundled alone: 46 KB a format
//                                                              against 184 KB; left: the budget is met without it
// Usage: node bench/install-size.mjs [repo root, default this one]   (pnpm pack builds what it packs)
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BUDGET_MB = 3;
const root = resolve(process.argv[2] ?? new URL("..", import.meta.url).pathname);
const work = mkdtempSync(join(tmpdir(), "awslogin-install-size-"));

/** The version this repository tests against, so that every app gets the same AWS SDK. */
function installedVersion(from, name) {
  return JSON.parse(readFileSync(join(root, from, "node_modules", name, "package.json"), "utf8")).version;
}

/** Total size of the files below `dir` (symlinks counted as links). */
function sizeOf(dir) {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? sizeOf(path) : lstatSync(path).size;
  }
  return total;
}

/** The packages of an install (`name` → size), to say what the difference is made of. */
function packagesOf(nodeModules) {
  const sizes = new Map();
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const names = entry.name.startsWith("@")
      ? readdirSync(join(nodeModules, entry.name)).map((n) => `${entry.name}/${n}`)
      : [entry.name];
    for (const name of names) sizes.set(name, sizeOf(join(nodeModules, name)));
  }
  return sizes;
}

function npmInstall(name, specs) {
  const app = join(work, name);
  mkdirSync(app);
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: `size-${name}`, private: true }));
  execFileSync(
    "npm",
    [
      "install",
      "--prefer-offline",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts",
      "--loglevel=error",
      ...specs,
    ],
    { cwd: app, stdio: ["ignore", "ignore", "inherit"] },
  );
  return join(app, "node_modules");
}

const mb = (bytes) => (bytes / 1024 / 1024).toFixed(2);

try {
  const sts = `@aws-sdk/client-sts@${installedVersion(".", "@aws-sdk/client-sts")}`;
  const official = `@aws-sdk/credential-provider-login@${installedVersion("packages/credential-provider", "@aws-sdk/credential-provider-login")}`;
  const packs = join(work, "packs");
  mkdirSync(packs);
  const tarballs = ["packages/core", "packages/credential-provider"].map((dir) => {
    const out = execFileSync("pnpm", ["pack", "--pack-destination", packs], {
      cwd: join(root, dir),
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    return out.trim().split("\n").at(-1);
  });

  const base = npmInstall("base", [sts]);
  const withOfficial = npmInstall("official", [sts, official]);
  const withOurs = npmInstall("ours", [sts, ...tarballs]);
  const baseSize = sizeOf(base);
  const officialAdds = sizeOf(withOfficial) - baseSize;
  const oursAdds = sizeOf(withOurs) - baseSize;

  console.log(
    `node_modules of a fresh app, npm ${execFileSync("npm", ["--version"], { encoding: "utf8" }).trim()}`,
  );
  console.log(`  ${sts} alone                                ${mb(baseSize).padStart(7)} MB`);
  console.log(`  + ${official}             +${mb(officialAdds).padStart(6)} MB`);
  console.log(
    `  + @awslogin/core + @awslogin/credential-provider           +${mb(oursAdds).padStart(6)} MB  ` +
      `(budget ≤ +${BUDGET_MB} MB: ${oursAdds <= BUDGET_MB * 1024 * 1024 ? "met" : "MISSED"})`,
  );
  const before = packagesOf(base);
  const added = [...packagesOf(withOurs)]
    .map(([name, size]) => [name, size - (before.get(name) ?? 0)])
    .filter(([, size]) => size !== 0)
    .sort((a, b) => b[1] - a[1]);
  console.log("  what ours adds:");
  for (const [name, size] of added) console.log(`    ${name.padEnd(40)} +${mb(size).padStart(6)} MB`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

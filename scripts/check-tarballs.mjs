#!/usr/bin/env node
// What each published tarball must hold, read from `pnpm pack` itself: LICENSE, README.md and a built dist; no
// source maps where the package's rule says none; package.json with repository (and its directory), homepage and
// bugs; README links that work on the registry's page (absolute, never ../).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const root = new URL("..", import.meta.url).pathname;
/** What each bundling package is known to bundle: its notices must name at least these. */
const BUNDLES = {
  "@awslogin/cli": ["@oclif/core", "debug", "semver"],
  "@awslogin/core": ["zod"],
  "@awslogin/credential-process": ["zod", "undici"],
};
/** Libraries an app installs: source maps would only add to every install (issue 8's size budget). */
const NO_SOURCE_MAPS = new Set([
  "@awslogin/core",
  "@awslogin/credential-provider",
  "@awslogin/credential-process",
]);
const problems = [];
for (const dir of process.argv.slice(2)) {
  const out = mkdtempSync(join(tmpdir(), "awslogin-pack-"));
  try {
    const cwd = resolve(root, dir);
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd, encoding: "utf8" }),
    )[0];
    const files = packed.files.map((f) => f.path);
    const manifest = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8"));
    const say = (problem) => problems.push(`${manifest.name}: ${problem}`);
    for (const required of ["LICENSE", "README.md", "package.json"])
      if (!files.includes(required)) say(`the tarball has no ${required}`);
    if (!files.some((f) => f.startsWith("dist/"))) say("the tarball has no dist/ (was it built?)");
    // Packages that bundle third-party code ship its notices, generated from the bundler's metafile.
    const bundled = BUNDLES[manifest.name] ?? [];
    if (bundled.length > 0 && !files.includes("dist/THIRD_PARTY_NOTICES.md"))
      say("the tarball has no dist/THIRD_PARTY_NOTICES.md");
    else if (bundled.length > 0) {
      const notices = readFileSync(join(cwd, "dist", "THIRD_PARTY_NOTICES.md"), "utf8");
      for (const dependency of bundled.filter((d) => !notices.includes(`## ${d}@`)))
        say(`dist/THIRD_PARTY_NOTICES.md does not list ${dependency}, which the bundle holds`);
    }
    // The rule for source maps: none in what an app installs; elsewhere (the CLI, the emulator) maps that name our
    // files and lines, without the text of every bundled source.
    for (const map of files.filter((f) => f.endsWith(".map"))) {
      if (NO_SOURCE_MAPS.has(manifest.name)) say(`the tarball ships a source map, ${map}`);
      else if (JSON.parse(readFileSync(join(cwd, map), "utf8")).sourcesContent?.some((c) => c != null))
        say(`${map} embeds its sources (build it with sourcesContent off)`);
    }
    if (manifest.repository?.directory !== dir) say(`repository.directory should be ${dir}`);
    if (!manifest.homepage || !manifest.bugs?.url) say("homepage and bugs are required");
    if (manifest.publishConfig?.access !== "public") say("publishConfig.access should be public");
    const readme = readFileSync(join(cwd, "README.md"), "utf8");
    for (const [, link] of readme.matchAll(/\]\(([^)]+)\)/g)) {
      if (!/^(https:\/\/|#)/.test(link)) say(`README link ${link} does not work on the registry's page`);
    }
    console.log(
      `${manifest.name}: ${files.length} files, ${(packed.unpackedSize / 1024).toFixed(0)} KB unpacked`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
for (const problem of problems) console.error(problem);
process.exit(problems.length ? 1 : 0);

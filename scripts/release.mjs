#!/usr/bin/env node
// `pnpm release [--dry-run] [--skip-checks] [--skip-version]`: what a maintainer (or the release workflow) runs to publish. It checks everything CI checks (build, lint,
// typecheck, package checks, tests), then `changeset version` (versions and CHANGELOGs from the pending changesets)
// and `changeset publish` (each package whose version is not on the registry, dependencies first, with npm
// provenance where the CI provider gives an identity). `--dry-run` changes nothing: it prints the versions the
// pending changesets would give and the order of publishing, from `changeset status`. `--skip-version` publishes
// what is already versioned: the release workflow's changesets action runs `changeset version` in its own pull request.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const dryRun = process.argv.includes("--dry-run");
const skipChecks = process.argv.includes("--skip-checks");
const skipVersion = process.argv.includes("--skip-version");

const run = (command, args) => execFileSync(command, args, { cwd: root, stdio: "inherit" });

/** The workspace packages that are published, with their internal dependencies, from `pnpm ls`. */
function publishedPackages() {
  const listed = JSON.parse(
    execFileSync("pnpm", ["-r", "ls", "--depth", "-1", "--json"], { cwd: root, encoding: "utf8" }),
  );
  const packages = new Map();
  for (const entry of listed) {
    const manifest = JSON.parse(readFileSync(join(entry.path, "package.json"), "utf8"));
    if (manifest.private) continue;
    // Peers too: the CLI's optional peer (the emulator) is published first, so the same release installs beside it.
    const internal = Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.peerDependencies,
    }).filter((name) => name.startsWith("@awslogin/"));
    packages.set(manifest.name, { version: manifest.version, internal });
  }
  return packages;
}

/** Dependencies before dependents; ties by name, so the order is stable. */
function publishOrder(packages) {
  const order = [];
  const seen = new Set();
  const visit = (name) => {
    if (seen.has(name) || !packages.has(name)) return;
    seen.add(name);
    for (const dependency of [...packages.get(name).internal].sort()) visit(dependency);
    order.push(name);
  };
  for (const name of [...packages.keys()].sort()) visit(name);
  return order;
}

/** The versions the pending changesets give, from `changeset status --output`. */
function plannedVersions() {
  const dir = mkdtempSync(join(tmpdir(), "awslogin-release-"));
  try {
    const file = join(dir, "status.json");
    execFileSync("pnpm", ["exec", "changeset", "status", "--output", file], { cwd: root, stdio: "ignore" });
    const status = JSON.parse(readFileSync(file, "utf8"));
    return new Map(status.releases.map((release) => [release.name, release]));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packages = publishedPackages();
const planned = plannedVersions();
const order = publishOrder(packages);
console.log(dryRun ? "Release plan (dry run: nothing is changed or published)" : "Release");
for (const [index, name] of order.entries()) {
  const release = planned.get(name);
  const from = packages.get(name).version;
  const to =
    release && release.type !== "none" ? `${release.newVersion} (${release.type})` : `${from} (unchanged)`;
  console.log(`  ${index + 1}. ${name}  ${from} → ${to}`);
}
if (dryRun) process.exit(0);

if (!skipChecks) {
  run("pnpm", ["install", "--frozen-lockfile"]);
  run("pnpm", ["build"]);
  run("pnpm", ["check:api"]);
  run("pnpm", ["lint"]);
  run("pnpm", ["typecheck"]);
  run("pnpm", ["check:packages"]);
  run("pnpm", ["test"]);
}
if (!skipVersion) {
  run("pnpm", ["exec", "changeset", "version"]);
  run("pnpm", ["install", "--lockfile-only"]);
}
run("pnpm", ["exec", "changeset", "publish"]);

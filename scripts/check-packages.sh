#!/usr/bin/env bash
# The packed tarball is what gets checked, for every published package: publint (strict), and attw with the strict
# profile (node10, node16 from CJS and ESM, bundler; core's subpaths resolve under node10 through typesVersions).
# @awslogin/cli has no importable entry point, which attw reports as "does not contain types" and passes.
# Then what a tarball must hold: LICENSE, README, a built dist, and package.json's links to the source.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(packages/core packages/emulator packages/credential-provider apps/credential-process apps/cli)
for dir in "${packages[@]}"; do
  (cd "$dir" && pnpm exec publint --strict)
  (cd "$dir" && pnpm exec attw --pack . --profile strict --format ascii)
done
node scripts/check-tarballs.mjs "${packages[@]}"

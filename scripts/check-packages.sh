#!/usr/bin/env bash
# The packed tarball is what gets checked: publint on every package, attw on the libraries
# (node16 and bundler resolution; Node 20+ is required, so node10 resolution is not a target).
set -euo pipefail
cd "$(dirname "$0")/.."
for dir in packages/core packages/emulator packages/credential-provider apps/credential-process apps/cli; do
  (cd "$dir" && pnpm exec publint --strict)
done
for dir in packages/core packages/emulator packages/credential-provider; do
  (cd "$dir" && pnpm exec attw --pack . --profile node16 --format ascii)
done

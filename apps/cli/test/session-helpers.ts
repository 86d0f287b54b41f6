/**
 * Shared steps of the status / logout / doctor tests: a real login against the emulator, and edits of the
 * cache file the way another tool (or time) would change it.
 */
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { loginCacheKey, parseTokenCache, serializeTokenCache, type TokenCacheRecord } from "@awslogin/core";
import type { Emulator } from "@awslogin/emulator";
import { expect } from "vitest";
import { FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";

/** Signs `profile` in through the CLI (BROWSER follows the emulator's redirects). */
export async function loginProfile(
  sandbox: Sandbox,
  emulator: Emulator,
  profile: string,
  extra: string[] = [],
): Promise<void> {
  const run = await runCli(
    ["login", "--profile", profile, "--region", "us-east-1", "--endpoint-url", emulator.url, ...extra],
    {
      ...sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    },
  );
  expect(run.code, run.stderr).toBe(0);
}

export function cachePathOf(sandbox: Sandbox, loginSession: string): string {
  return join(sandbox.cacheDir, `${loginCacheKey(loginSession)}.json`);
}

export function readRecord(path: string): TokenCacheRecord {
  return parseTokenCache(readFileSync(path, "utf8"), path);
}

/** Rewrites a cache record in place (mode kept), as time or another tool would change it. */
export function editRecord(path: string, change: (record: TokenCacheRecord) => TokenCacheRecord): void {
  writeFileSync(path, serializeTokenCache(change(readRecord(path))));
}

export function writeConfig(sandbox: Sandbox, text: string): void {
  mkdirSync(dirname(sandbox.configPath), { recursive: true, mode: 0o700 });
  writeFileSync(sandbox.configPath, text, { mode: 0o600 });
}

/** Bytes and mtime of a file, to prove a command did not write it. */
export function fingerprint(path: string): { bytes: string; mtimeMs: number; ctimeMs: number } {
  const info = statSync(path);
  return { bytes: readFileSync(path, "utf8"), mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
}

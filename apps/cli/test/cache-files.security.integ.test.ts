import { execFileSync, spawn } from "node:child_process";
import { rmSync, truncateSync } from "node:fs";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { CLI_BIN, type CliRun, CREDENTIAL_PROCESS_SCRIPT, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile } from "./session-helpers.js";

const CREDENTIAL_PROCESS = CREDENTIAL_PROCESS_SCRIPT;

/** Runs a script to completion; a hang is ended (SIGKILL) after a bound, which the caller's checks then show. */
function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  const child = spawn(process.execPath, [script, ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const bound = setTimeout(() => child.kill("SIGKILL"), 20_000);
  return new Promise((resolve) =>
    child.on("close", (code, signal) => {
      clearTimeout(bound);
      resolve({ code, signal, stdout, stderr });
    }),
  );
}

describe("cache files that are FIFOs or huge are refused, never waited on or read (issue 7 §4)", () => {
  const harness = useEmulatorSandbox();

  it("a FIFO as the cache file: credential_process, status and logout --all end at once", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    const cacheFile = cachePathOf(sandbox, DEFAULT_IDENTITY);
    rmSync(cacheFile);
    execFileSync("mkfifo", ["-m", "600", cacheFile]);

    const process_ = await run(CREDENTIAL_PROCESS, ["--profile", "dev"], sandbox.env);
    expect(process_.signal).toBeNull();
    expect(process_.code).not.toBe(0);
    expect(process_.stderr).toMatch(/not a regular file/);
    expect(process_.stdout).toBe("");

    const status = await run(CLI_BIN, ["status", "--profile", "dev"], sandbox.env);
    expect(status.signal).toBeNull();
    expect(`${status.stdout}${status.stderr}`).toMatch(/not a regular file/);

    const logout = await run(CLI_BIN, ["logout", "--all"], sandbox.env);
    expect(logout.signal).toBeNull();
    expect(logout.code, logout.stderr).toBe(0);
  }, 90_000);

  it("a 100 MB sparse cache file is refused by its size by credential_process and status", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    const cacheFile = cachePathOf(sandbox, DEFAULT_IDENTITY);
    truncateSync(cacheFile, 100 * 1024 * 1024);

    const process_ = await run(CREDENTIAL_PROCESS, ["--profile", "dev"], sandbox.env);
    expect(process_.signal).toBeNull();
    expect(process_.code).not.toBe(0);
    expect(process_.stderr).toMatch(/larger than 1 MiB/);

    const status = await run(CLI_BIN, ["status", "--profile", "dev"], sandbox.env);
    expect(status.signal).toBeNull();
    expect(`${status.stdout}${status.stderr}`).toMatch(/larger than 1 MiB/);
  }, 90_000);
});

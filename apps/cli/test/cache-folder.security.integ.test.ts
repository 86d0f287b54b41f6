import { spawnSync } from "node:child_process";
import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { describe, expect, it } from "vitest";
import type { DoctorFinding } from "../src/doctor/judges.js";
import { CREDENTIAL_PROCESS_SCRIPT, runCli, useEmulatorSandbox } from "./helpers.js";
import { loginProfile } from "./session-helpers.js";

const CREDENTIAL_PROCESS = CREDENTIAL_PROCESS_SCRIPT;

const harness = useEmulatorSandbox();

function credentialProcess(env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [CREDENTIAL_PROCESS, "--profile", "dev"], { env, encoding: "utf8" });
}

describe("a cache folder other users can write is not trusted (issue 7 §8)", () => {
  it.each([
    ["the cache folder is world-writable", (cache: string) => chmodSync(cache, 0o777)],
    ["the cache folder is group-writable", (cache: string) => chmodSync(cache, 0o770)],
    ["the folder above it is world-writable", (cache: string) => chmodSync(dirname(cache), 0o777)],
  ])("%s: credential_process and export serve nothing, and say chmod 700", async (_name, open) => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    expect(credentialProcess(sandbox.env).status).toBe(0);
    open(sandbox.cacheDir);

    const binary = credentialProcess(sandbox.env);
    expect(binary.status).not.toBe(0);
    expect(binary.stdout).toBe("");
    expect(binary.stderr).toMatch(/CACHE_DIRECTORY_UNSAFE|plant credentials/);
    expect(binary.stderr).toMatch(/chmod 700 /);

    const exported = await runCli(["export", "--profile", "dev", "--format", "env"], sandbox.env);
    expect(exported.code).not.toBe(0);
    expect(exported.stdout).not.toMatch(/AWS_ACCESS_KEY_ID/);
    expect(exported.stderr).toMatch(/plant credentials/);

    const doctor = await runCli(["doctor", "--json"], sandbox.env);
    const folder = (JSON.parse(doctor.stdout) as DoctorFinding[]).filter(
      (f) => f.check === "cache-directory",
    );
    expect(
      folder.some((f) => f.status === "fail" && /another user could plant credentials/.test(f.message)),
    ).toBe(true);
    expect(folder.some((f) => f.fix?.startsWith("chmod 700 "))).toBe(true);
  });

  it("a sticky world-writable folder above the cache (like /tmp) is fine", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    chmodSync(dirname(sandbox.cacheDir), 0o1777);
    const binary = credentialProcess(sandbox.env);
    expect(binary.status, binary.stderr).toBe(0);
  });

  it("login closes our own open cache folders to others, and credentials are served again", async () => {
    const { sandbox, emulator } = harness;
    await loginProfile(sandbox, emulator, "dev");
    chmodSync(sandbox.cacheDir, 0o777);
    chmodSync(dirname(sandbox.cacheDir), 0o777);
    await loginProfile(sandbox, emulator, "dev");
    expect(statSync(sandbox.cacheDir).mode & 0o022).toBe(0);
    expect(statSync(dirname(sandbox.cacheDir)).mode & 0o022).toBe(0);
    const binary = credentialProcess(sandbox.env);
    expect(binary.status, binary.stderr).toBe(0);
  });
});

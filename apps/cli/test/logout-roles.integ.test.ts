/**
 * `awslogin logout` of a login profile also removes the assumed-role cache entries of the role profiles rooted in it,
 * so that the credential_process binary no longer answers them from the cache. @see docs/protocol.md §17.5
 */
import { execFileSync, spawn } from "node:child_process";
import { appendFileSync, existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_PROCESS_SCRIPT, runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile } from "./session-helpers.js";

const ADMIN = "arn:aws:iam::444455556666:role/Admin";
const DEEP = "arn:aws:iam::555566667777:role/Deep";

const harness = useEmulatorSandbox({ autoApprove: true, roles: [ADMIN, DEEP] });

function roleEnv(): NodeJS.ProcessEnv {
  return {
    ...harness.sandbox.env,
    AWS_ENDPOINT_URL_STS: harness.emulator.url,
    AWSLOGIN_ROLE_CACHE_DIRECTORY: join(harness.sandbox.dir, ".aws", "cli", "cache"),
  };
}

/** The binary, run without blocking this process (the emulator answers from it). */
function credentialProcess(
  profile: string,
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CREDENTIAL_PROCESS_SCRIPT, "--profile", profile], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("awslogin logout with role profiles on the login profile", () => {
  it("removes the role profiles' cached credentials, says how many, and the binary then needs a login", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    appendFileSync(
      harness.sandbox.configPath,
      `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n` +
        `[profile deep]\nrole_arn = ${DEEP}\nsource_profile = admin\n`,
    );
    const env = roleEnv();
    const roleCache = env.AWSLOGIN_ROLE_CACHE_DIRECTORY!;
    // An entry of no chain of this config (another tool's) is left alone.
    const foreign = join(roleCache, "0123456789abcdef0123456789abcdef01234567.json");

    const first = await credentialProcess("deep", env);
    expect(first.status, first.stderr).toBe(0);
    writeFileSync(foreign, "{}", { mode: 0o600 });
    const assumed = harness.emulator.stats().assumeRole.requests;
    expect(assumed).toBe(2);
    // A hit: answered from the cache, no AssumeRole.
    const hit = await credentialProcess("deep", env);
    expect(hit.status, hit.stderr).toBe(0);
    expect(JSON.parse(hit.stdout).AccessKeyId).toBe(JSON.parse(first.stdout).AccessKeyId);
    expect(harness.emulator.stats().assumeRole.requests).toBe(assumed);

    const run = await runCli(["logout", "--profile", "dev"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Removed cached login credentials for profile 'dev'.");
    expect(run.stdout).toContain("Removed 2 cached role credential entries of role profiles");
    expect(run.stdout).toContain("cannot be revoked: they stay valid until they expire, at most 1 hour");
    expect(readdirSync(roleCache)).toEqual(["0123456789abcdef0123456789abcdef01234567.json"]);
    expect(existsSync(foreign)).toBe(true);

    const after = await credentialProcess("deep", env);
    expect(after.status).not.toBe(0);
    expect(after.stdout).toBe("");
    expect(after.stderr).toMatch(/awslogin login --profile dev/);
    expect(harness.emulator.stats().assumeRole.requests).toBe(assumed);

    // Again: nothing left, and nothing said about roles.
    const again = await runCli(["logout", "--profile", "dev"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already logged out");
    expect(again.stdout).not.toContain("role credential");
  });

  for (const args of [
    ["logout", "--revoke", "--profile", "dev"],
    ["logout", "--all"],
    ["logout", "--revoke", "--all"],
  ]) {
    it(`${args.slice(1).join(" ")} removes the role profiles' cached credentials too`, async () => {
      await loginProfile(harness.sandbox, harness.emulator, "dev");
      appendFileSync(
        harness.sandbox.configPath,
        `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
      );
      const env = roleEnv();
      const roleCache = env.AWSLOGIN_ROLE_CACHE_DIRECTORY!;
      const first = await credentialProcess("admin", env);
      expect(first.status, first.stderr).toBe(0);
      expect(readdirSync(roleCache).filter((name) => name.endsWith(".json"))).toHaveLength(1);

      const run = await runCli(args, env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain("Removed 1 cached role credential entry of role profiles");
      expect(readdirSync(roleCache).filter((name) => name.endsWith(".json"))).toEqual([]);
      const after = await credentialProcess("admin", env);
      expect(after.status).not.toBe(0);
      expect(after.stdout).toBe("");
    });
  }

  // Only an immutable file resists root's unlink; without root the cache folder cannot be made read-only either,
  // as the session's lock file lives in it.
  it.runIf(process.getuid?.() === 0)(
    "a revoke whose cache file cannot be deleted says the session was revoked, still removes the roles' entries and exits 1",
    async () => {
      await loginProfile(harness.sandbox, harness.emulator, "dev");
      appendFileSync(
        harness.sandbox.configPath,
        `\n[profile admin]\nrole_arn = ${ADMIN}\nsource_profile = dev\n`,
      );
      const env = roleEnv();
      const roleCache = env.AWSLOGIN_ROLE_CACHE_DIRECTORY!;
      const first = await credentialProcess("admin", env);
      expect(first.status, first.stderr).toBe(0);
      const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
      execFileSync("chattr", ["+i", file]);
      try {
        const run = await runCli(["logout", "--revoke", "--profile", "dev"], env);
        expect(run.code).toBe(1);
        expect(harness.emulator.stats().revoke.ok).toBe(1);
        expect(run.stdout).toContain("Revoked the login session of profile 'dev' at AWS.");
        expect(run.stdout).toContain("keep working until they expire (15 minutes at most)");
        expect(run.stdout).toContain("Removed 1 cached role credential entry of role profiles");
        expect(run.stderr).toContain("[CACHE_WRITE_FAILED]");
        expect(run.stderr).toContain(`delete ${file} by hand`);
        expect(run.stderr).not.toContain("Nothing was deleted");
        expect(existsSync(file)).toBe(true);
        expect(readdirSync(roleCache).filter((name) => name.endsWith(".json"))).toEqual([]);
      } finally {
        execFileSync("chattr", ["-i", file]);
      }
    },
  );
});

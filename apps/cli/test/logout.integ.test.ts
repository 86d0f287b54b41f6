import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { runCli, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, loginProfile, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox();

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  return child.pid!;
}

describe("awslogin logout", () => {
  it("removes the profile's cache file and a stale lock beside it; leaves the config and calls no service", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: deadPid(), host: hostname(), createdAt: Date.now(), nonce: "n" }),
    );
    const config = readFileSync(harness.sandbox.configPath, "utf8");
    const stats = harness.emulator.stats();

    const run = await runCli(["logout", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Removed cached login credentials for profile 'dev'.");
    expect(run.stdout).toContain("may keep using them until they expire, at most 15 minutes");
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(harness.sandbox.cacheDir)).toEqual([]);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(config);
    expect(harness.emulator.stats()).toEqual(stats);

    const status = await runCli(["status", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: "logged-out" });

    const again = await runCli(["logout", "--profile", "dev"], harness.sandbox.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already logged out");
  });

  it("uses AWS_PROFILE, then default", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "default");
    const run = await runCli(["logout"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("profile 'default'");
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);

    await loginProfile(harness.sandbox, harness.emulator, "envp");
    const viaEnv = await runCli(["logout"], { ...harness.sandbox.env, AWS_PROFILE: "envp" });
    expect(viaEnv.stdout).toContain("profile 'envp'");
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);
  });

  it("warns on stderr and exits 0 for a profile without a session, touching nothing", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const config = `${readFileSync(harness.sandbox.configPath, "utf8")}\n[profile plain]\nregion = eu-west-1\n`;
    writeConfig(harness.sandbox, config);
    for (const profile of ["plain", "nobody"]) {
      const run = await runCli(["logout", "--profile", profile], harness.sandbox.env);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(`warning: no login session found for profile '${profile}'\n`);
      expect(run.stdout).toBe("");
    }
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(true);
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(config);
  });

  it("--all removes every login token in the cache folder and nothing else", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const token = readFileSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY), "utf8");
    const dir = harness.sandbox.cacheDir;
    const put = (name: string, text: string) => writeFileSync(join(dir, name), text);
    // Login tokens as `aws logout --all` sees them: JSON whose accessToken is an object with accessKeyId, any name.
    put("legacy-token", token);
    put("shaped-only.json", JSON.stringify({ accessToken: { accessKeyId: "ASIAX" } }));
    // Not login tokens: they must survive.
    put("sso-token.json", JSON.stringify({ accessToken: "opaque", expiresAt: "2030-01-01T00:00:00Z" }));
    put("no-key-id.json", JSON.stringify({ accessToken: { secretAccessKey: "x" } }));
    put("array.json", JSON.stringify([{ accessToken: { accessKeyId: "x" } }]));
    put("broken.json", token.slice(0, 50));
    put("notes.txt", "keep me");
    put(
      `${"a".repeat(64)}.json.lock`,
      JSON.stringify({ pid: process.pid, host: "elsewhere", createdAt: Date.now(), nonce: "n" }),
    );
    mkdirSync(join(dir, "nested"));
    writeFileSync(join(dir, "nested", "deep.json"), token);
    const config = readFileSync(harness.sandbox.configPath, "utf8");

    const run = await runCli(["logout", "--all"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Removed 3 cached login sessions from ${dir}.`);
    expect(run.stdout).toContain("at most 15 minutes");
    expect(readdirSync(dir).sort()).toEqual(
      [
        `${"a".repeat(64)}.json.lock`,
        "array.json",
        "broken.json",
        "nested",
        "no-key-id.json",
        "notes.txt",
        "sso-token.json",
      ].sort(),
    );
    expect(readFileSync(join(dir, "nested", "deep.json"), "utf8")).toBe(token);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("keep me");
    expect(readFileSync(harness.sandbox.configPath, "utf8")).toBe(config);

    const again = await runCli(["logout", "--all"], harness.sandbox.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No cached login sessions found.");
    const both = await runCli(["logout", "--all", "--profile", "dev"], harness.sandbox.env);
    expect(both.code).toBe(2);
  });
});

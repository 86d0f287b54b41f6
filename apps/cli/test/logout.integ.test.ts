import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runCli, type Sandbox } from "./helpers.js";
import { cachePathOf, loginProfile, writeConfig } from "./session-helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;

beforeEach(async () => {
  sandbox = createSandbox();
  emulator = await startEmulator({ autoApprove: true });
});
afterEach(async () => {
  await emulator.close();
  sandbox.cleanup();
});

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  return child.pid!;
}

describe("awslogin logout", () => {
  it("removes the profile's cache file and a stale lock beside it; leaves the config and calls no service", async () => {
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    writeFileSync(
      `${file}.lock`,
      JSON.stringify({ pid: deadPid(), host: hostname(), createdAt: Date.now(), nonce: "n" }),
    );
    const config = readFileSync(sandbox.configPath, "utf8");
    const stats = emulator.stats();

    const run = await runCli(["logout", "--profile", "dev"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Removed cached login credentials for profile 'dev'.");
    expect(run.stdout).toContain("stay valid until they expire, at most 15 minutes");
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(readdirSync(sandbox.cacheDir)).toEqual([]);
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(config);
    expect(emulator.stats()).toEqual(stats);

    const status = await runCli(["status", "--profile", "dev", "--json"], sandbox.env);
    expect(status.code).toBe(1);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: "logged-out" });

    const again = await runCli(["logout", "--profile", "dev"], sandbox.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("already logged out");
  });

  it("uses AWS_PROFILE, then default", async () => {
    await loginProfile(sandbox, emulator, "default");
    const run = await runCli(["logout"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("profile 'default'");
    expect(existsSync(cachePathOf(sandbox, DEFAULT_IDENTITY))).toBe(false);

    await loginProfile(sandbox, emulator, "envp");
    const viaEnv = await runCli(["logout"], { ...sandbox.env, AWS_PROFILE: "envp" });
    expect(viaEnv.stdout).toContain("profile 'envp'");
    expect(existsSync(cachePathOf(sandbox, DEFAULT_IDENTITY))).toBe(false);
  });

  it("warns on stderr and exits 0 for a profile without a session, touching nothing", async () => {
    await loginProfile(sandbox, emulator, "dev");
    const config = `${readFileSync(sandbox.configPath, "utf8")}\n[profile plain]\nregion = eu-west-1\n`;
    writeConfig(sandbox, config);
    for (const profile of ["plain", "nobody"]) {
      const run = await runCli(["logout", "--profile", profile], sandbox.env);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe(`warning: no login session found for profile '${profile}'\n`);
      expect(run.stdout).toBe("");
    }
    expect(existsSync(cachePathOf(sandbox, DEFAULT_IDENTITY))).toBe(true);
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(config);
  });

  it("--all removes every login token in the cache folder and nothing else", async () => {
    await loginProfile(sandbox, emulator, "dev");
    const token = readFileSync(cachePathOf(sandbox, DEFAULT_IDENTITY), "utf8");
    const dir = sandbox.cacheDir;
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
    const config = readFileSync(sandbox.configPath, "utf8");

    const run = await runCli(["logout", "--all"], sandbox.env);
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
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(config);

    const again = await runCli(["logout", "--all"], sandbox.env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("No cached login sessions found.");
    const both = await runCli(["logout", "--all", "--profile", "dev"], sandbox.env);
    expect(both.code).toBe(2);
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import type { SessionStatus } from "@awslogin/core";
import { loadProfileCredentials } from "@awslogin/core/node";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, runCli, type Sandbox } from "./helpers.js";
import {
  cachePathOf,
  editRecord,
  fingerprint,
  loginProfile,
  readRecord,
  writeConfig,
} from "./session-helpers.js";

let emulator: Emulator | undefined;
let sandbox: Sandbox;
const OTHER = "arn:aws:iam::444455556666:user/bob";

beforeEach(() => {
  sandbox = createSandbox();
});
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox.cleanup();
});

async function status(
  args: string[],
): Promise<{ code: number | null; json: unknown; stdout: string; stderr: string }> {
  const run = await runCli(["status", ...args, "--json"], sandbox.env);
  return { code: run.code, json: JSON.parse(run.stdout), stdout: run.stdout, stderr: run.stderr };
}

const HOUR = 3_600_000;

describe("awslogin status", () => {
  it("valid: every field, exit 0, and a plain table without colour codes", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const record = readRecord(file);
    const started = Date.parse(String(record.awslogin?.sessionStartedAt));

    const { code, json } = await status(["--profile", "dev"]);
    expect(code).toBe(0);
    expect(json).toEqual({
      profile: "dev",
      loginSession: DEFAULT_IDENTITY,
      accountId: "111122223333",
      expiresAt: new Date(Date.parse(record.accessToken.expiresAt)).toISOString(),
      sessionExpiresAt: new Date(started + 12 * HOUR).toISOString(),
      region: "us-east-1",
      state: "valid",
      cachePath: file,
    });
    expect(Object.keys(json as object)).toEqual([
      "profile",
      "loginSession",
      "accountId",
      "expiresAt",
      "sessionExpiresAt",
      "region",
      "state",
      "cachePath",
    ]);

    const text = await runCli(["status", "--profile", "dev"], sandbox.env);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^State:\s+valid$/m);
    expect(text.stdout).toMatch(/^Account:\s+111122223333$/m);
    expect(text.stdout).toMatch(/^Credentials expire:\s+\S+ \(in 1[45] min\)$/m);
    expect(text.stdout).toMatch(/^Session ends:\s+\S+ \(in 1[12] h \d+ min\) at the latest$/m);
    expect(text.stdout).not.toContain("\x1b[");
    // AWS_PROFILE picks the profile too.
    const viaEnv = await runCli(["status", "--json"], { ...sandbox.env, AWS_PROFILE: "dev" });
    expect((JSON.parse(viaEnv.stdout) as SessionStatus).profile).toBe("dev");
  });

  it("refresh-due (emulator expiresIn 60): exit 0, and status neither refreshes nor writes anything", async () => {
    emulator = await startEmulator({ autoApprove: true, expiresIn: 60 });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const before = fingerprint(file);
    const cacheListing = readdirSync(sandbox.cacheDir);
    const config = readFileSync(sandbox.configPath, "utf8");
    const statsBefore = emulator.stats();

    const { code, json } = await status(["--profile", "dev"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      state: "refresh-due",
      reason: expect.stringMatching(/expire in 1 min; the next use refreshes them/),
    });
    const table = await runCli(["status", "--all"], sandbox.env);
    expect(table.code).toBe(0);
    await runCli(["status", "--profile", "dev"], sandbox.env);

    expect(fingerprint(file)).toEqual(before);
    expect(readdirSync(sandbox.cacheDir)).toEqual(cacheListing); // no lock, no temp file
    expect(readFileSync(sandbox.configPath, "utf8")).toBe(config);
    expect(emulator.stats().tokenRequests).toEqual(statsBefore.tokenRequests);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(0);
  });

  it("refresh-due when the credentials already ran out but the session goes on", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    editRecord(file, (r) => ({
      ...r,
      accessToken: { ...r.accessToken, expiresAt: new Date(Date.now() - 20 * 60_000).toISOString() },
    }));
    const { code, json } = await status(["--profile", "dev"]);
    expect(code).toBe(0);
    expect(json).toMatchObject({
      state: "refresh-due",
      reason: expect.stringContaining("ran out 20 min ago"),
    });
  });

  it("expired when sessionStartedAt is 13 hours back: exit 1, in JSON and text", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const started = new Date(Date.now() - 13 * HOUR).toISOString();
    editRecord(file, (r) => ({ ...r, awslogin: { ...r.awslogin, sessionStartedAt: started } }));
    const { code, json } = await status(["--profile", "dev"]);
    expect(code).toBe(1);
    expect(json).toMatchObject({
      state: "expired",
      sessionExpiresAt: new Date(Date.parse(started) + 12 * HOUR).toISOString(),
      reason: expect.stringContaining("12-hour maximum 1 h 0 min ago"),
    });
    const text = await runCli(["status", "--profile", "dev"], sandbox.env);
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^State:\s+expired$/m);
  });

  it("expired after the service refused a refresh (TOKEN_EXPIRED through the credential path); a new login clears it", async () => {
    emulator = await startEmulator({ autoApprove: true, expiresIn: 60 });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    emulator.injectFault({ count: 1, error: "TOKEN_EXPIRED" });
    await expect(loadProfileCredentials({ profile: "dev", env: sandbox.env })).rejects.toMatchObject({
      code: "TOKEN_EXPIRED",
    });
    expect(emulator.stats().tokenResults.TOKEN_EXPIRED).toBe(1);
    const marker = readRecord(file).awslogin?.refreshRefused as { code: string; at: string };
    expect(marker.code).toBe("TOKEN_EXPIRED");
    expect(Math.abs(Date.parse(marker.at) - Date.now())).toBeLessThan(60_000);
    expect(readRecord(file).awslogin?.sessionStartedAt).toBeDefined(); // other keys kept

    const { code, json } = await status(["--profile", "dev"]);
    expect(code).toBe(1);
    expect(json).toMatchObject({
      state: "expired",
      reason: expect.stringContaining("refused the last refresh (TOKEN_EXPIRED)"),
    });

    await loginProfile(sandbox, emulator, "dev");
    expect(readRecord(file).awslogin).not.toHaveProperty("refreshRefused");
    expect((await status(["--profile", "dev"])).json).toMatchObject({ state: "refresh-due" });
  });

  it("logged-out: no login_session, an unknown profile, or the cache file gone — exit 1 with a reason", async () => {
    writeConfig(sandbox, `[profile plain]\nregion = eu-west-1\n\n[profile gone]\nlogin_session = ${OTHER}\n`);
    const plain = await status(["--profile", "plain"]);
    expect(plain.code).toBe(1);
    expect(plain.json).toEqual({
      profile: "plain",
      loginSession: null,
      accountId: null,
      expiresAt: null,
      region: "eu-west-1",
      state: "logged-out",
      reason: "profile plain has no login_session",
      cachePath: null,
    });
    const unknown = await status(["--profile", "nobody"]);
    expect(unknown.code).toBe(1);
    expect(unknown.json).toMatchObject({
      state: "logged-out",
      reason: "profile nobody is not in the config file",
    });
    const gone = await status(["--profile", "gone"]);
    expect(gone.code).toBe(1);
    expect(gone.json).toMatchObject({
      state: "logged-out",
      loginSession: OTHER,
      accountId: "444455556666",
      cachePath: cachePathOf(sandbox, OTHER),
      reason: expect.stringContaining("gone"),
    });
  });

  it("unreadable: a cache file cut short, exit 1, without leaking its contents", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await loginProfile(sandbox, emulator, "dev");
    const file = cachePathOf(sandbox, DEFAULT_IDENTITY);
    const text = readFileSync(file, "utf8");
    const { accessKeyId } = readRecord(file).accessToken;
    writeFileSync(file, text.slice(0, 80));
    const { code, json, stdout } = await status(["--profile", "dev"]);
    expect(code).toBe(1);
    expect(json).toMatchObject({
      state: "unreadable",
      cachePath: file,
      reason: expect.stringContaining("is not valid JSON"),
    });
    expect(text.slice(0, 80)).toContain(accessKeyId);
    expect(stdout).not.toContain(accessKeyId);
    expect(readFileSync(file, "utf8")).toBe(text.slice(0, 80));
  });

  it("--all: an array of every login profile (in file order), exit 0 only when all are usable", async () => {
    emulator = await startEmulator({ autoApprove: true });
    await loginProfile(sandbox, emulator, "a");
    await loginProfile(sandbox, emulator, "b");
    const config = readFileSync(sandbox.configPath, "utf8");
    writeConfig(sandbox, `${config}\n[profile plain]\nregion = us-west-2\n`);

    const good = await status(["--all"]);
    expect(good.code).toBe(0);
    expect((good.json as SessionStatus[]).map((s) => [s.profile, s.state])).toEqual([
      ["a", "valid"],
      ["b", "valid"],
    ]);

    writeConfig(
      sandbox,
      `${config}\n[profile plain]\nregion = us-west-2\n\n[profile c]\nlogin_session = ${OTHER}\n`,
    );
    const mixed = await status(["--all"]);
    expect(mixed.code).toBe(1);
    expect((mixed.json as SessionStatus[]).map((s) => [s.profile, s.state])).toEqual([
      ["a", "valid"],
      ["b", "valid"],
      ["c", "logged-out"],
    ]);
    const table = await runCli(["status", "--all"], sandbox.env);
    expect(table.code).toBe(1);
    expect(table.stdout).toMatch(/^PROFILE\s+STATE\s+ACCOUNT\s+REGION\s+CREDENTIALS\s+SESSION ENDS$/m);
    expect(table.stdout).toMatch(
      /^a\s+valid\s+111122223333\s+us-east-1\s+in 1[45] min\s+in 1[12] h \d+ min$/m,
    );
    expect(table.stdout).toMatch(/^c\s+logged-out\s+444455556666\s+-\s+-\s+-$/m);
    expect(table.stdout).toContain("  c: the cached login token is gone (logged out)");
  });

  it("--all with no login profile prints [] and exits 1; --profile and --all together are a usage error", async () => {
    const none = await status(["--all"]);
    expect(none.code).toBe(1);
    expect(none.json).toEqual([]);
    const text = await runCli(["status", "--all"], sandbox.env);
    expect(text.code).toBe(1);
    expect(text.stderr).toContain("has a login_session");
    const both = await runCli(["status", "--all", "--profile", "x"], sandbox.env);
    expect(both.code).toBe(2);
    expect(existsSync(sandbox.configPath)).toBe(false);
  });
});

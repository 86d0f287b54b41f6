/**
 * `awslogin logout --revoke` and `awslogin status --check` against the emulator, through real processes: the
 * session revoked at the service (every token of its chain refused afterwards, whichever client refreshes), a failed
 * revoke deleting nothing, and the service's view in status. @see docs/protocol.md §16.2, §16.3, §16.5
 */
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { fromLoginCredentials as officialFromLoginCredentials } from "@aws-sdk/credential-provider-login";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { startTestProxy } from "../../../scripts/network-fixtures.mjs";
import { CLI_BIN, type CliRun, runCli, startNode, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile, readRecord, writeConfig } from "./session-helpers.js";

const harness = useEmulatorSandbox({ autoApprove: true });

function runBinary(profile: string): Promise<CliRun> {
  return startNode(CLI_BIN, ["credential-process", "--profile", profile], harness.sandbox.env).done;
}

function official(profile: string) {
  const { sandbox, emulator } = harness;
  const saved = { ...process.env };
  process.env.AWS_CONFIG_FILE = sandbox.configPath;
  process.env.AWS_LOGIN_CACHE_DIRECTORY = sandbox.cacheDir;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sandbox.env.AWS_SHARED_CREDENTIALS_FILE;
  return officialFromLoginCredentials({ profile, clientConfig: { endpoint: emulator.url } })().finally(() => {
    process.env = saved;
  });
}

/** Leaves a minute on the credentials: the next use refreshes. */
function makeDue(path: string): void {
  editRecord(path, (record) => ({
    ...record,
    accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
  }));
}

describe("awslogin logout --revoke", () => {
  it("revokes at AWS, deletes the cache file, and a stolen copy can no longer refresh in any client", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    const stolen = `${harness.sandbox.dir}/stolen.json`;
    copyFileSync(file, stolen);

    const run = await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Revoked the login session of profile 'dev' at AWS");
    expect(run.stdout).toContain("keep working until they expire (15 minutes at most)");
    expect(existsSync(file)).toBe(false);
    expect(harness.emulator.stats().revoke).toEqual({ requests: 1, ok: 1, errors: 0 });
    const event = harness.emulator.events().find((e) => e.eventName === "RevokeOAuth2TokenWithIAM");
    expect(event?.userIdentity.arn).toBe(DEFAULT_IDENTITY);

    // The copy: our binary, our export (core's refresh path, as the provider), the official provider.
    copyFileSync(stolen, file);
    makeDue(file);
    const binary = await runBinary("dev");
    expect(binary.code).not.toBe(0);
    expect(binary.stderr).toContain("TOKEN_EXPIRED");

    copyFileSync(stolen, file);
    makeDue(file);
    const exported = await runCli(["export", "--profile", "dev", "--format", "json"], harness.sandbox.env);
    expect(exported.code).not.toBe(0);
    expect(exported.stderr).toContain("[TOKEN_EXPIRED]");

    copyFileSync(stolen, file);
    makeDue(file);
    await expect(official("dev")).rejects.toThrow(/expired|TOKEN_EXPIRED/i);
    expect(harness.emulator.stats().tokenResults.TOKEN_EXPIRED).toBe(3);
  });

  it("refreshes due credentials first, signs with the new ones and revokes the newest token", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    editRecord(file, (record) => ({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() - 1000).toISOString() },
    }));
    const run = await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    expect(harness.emulator.stats().revoke.ok).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ["a 500", { status: 500 as const }, "SERVER_ERROR"],
    ["AccessDenied", { error: "INSUFFICIENT_PERMISSIONS" as const }, "ACCESS_DENIED"],
    ["a dropped connection", { drop: true }, "NETWORK"],
  ])("after %s deletes nothing, exits 1 and says what to do", async (_name, fault, code) => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    const before = readFileSync(file);
    // Enough faults for the transport's retries of a retryable failure.
    harness.emulator.injectFault({ count: 10, operation: "revoke", ...fault });
    const run = await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`[${code}]`);
    expect(run.stderr).toContain(
      "Nothing was deleted. Try again, or run `awslogin logout --local-only --profile dev`",
    );
    expect(run.stdout).toBe("");
    expect(readFileSync(file).equals(before)).toBe(true);
    harness.emulator.clearFaults();
    // The session still works.
    expect((await runCli(["export", "--profile", "dev", "--format", "json"], harness.sandbox.env)).code).toBe(
      0,
    );
  });

  it("--all revokes every profile's session once; --local-only deletes without calling the service", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const run = await runCli(["logout", "--revoke", "--all"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(harness.emulator.stats().revoke.ok).toBe(1);
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);

    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const local = await runCli(["logout", "--local-only", "--profile", "dev"], harness.sandbox.env);
    expect(local.code, local.stderr).toBe(0);
    expect(existsSync(cachePathOf(harness.sandbox, DEFAULT_IDENTITY))).toBe(false);
    expect(harness.emulator.stats().revoke.requests).toBe(1);

    const both = await runCli(["logout", "--revoke", "--local-only"], harness.sandbox.env);
    expect(both.code).toBe(2);
  });

  it("a session that already ended at AWS, with credentials that can no longer sign, is just deleted", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    editRecord(file, (record) => ({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() - 1000).toISOString() },
    }));
    harness.emulator.injectFault({ count: 1, error: "TOKEN_EXPIRED" });
    const run = await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("had already ended at AWS");
    expect(run.stdout).toContain(
      "handed out before it ended keep working until they expire (15 minutes at most)",
    );
    expect(existsSync(file)).toBe(false);
    expect(harness.emulator.stats().revoke.requests).toBe(0);
  });
});

describe("awslogin status --check", () => {
  it("shows the service's view: active, then expired with the reason after a revoke elsewhere", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);

    const plain = await runCli(["status", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(JSON.parse(plain.stdout)).not.toHaveProperty("service");
    expect(harness.emulator.stats().introspect.requests).toBe(0);

    const active = await runCli(["status", "--check", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(active.code, active.stderr).toBe(0);
    const report = JSON.parse(active.stdout);
    expect(report).toMatchObject({
      state: "valid",
      service: { active: true, principal: DEFAULT_IDENTITY, accountId: "111122223333" },
    });
    expect(report.service.signinSession).toMatch(/^arn:aws:signin:us-east-1:111122223333:session\//);
    expect(Date.parse(report.service.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    expect(harness.emulator.stats().introspect).toMatchObject({ requests: 1, active: 1 });

    const text = await runCli(["status", "--check", "--profile", "dev"], harness.sandbox.env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/At AWS:\s+active/);
    expect(text.stdout).toMatch(/Sign-in session:\s+arn:aws:signin:/);

    // Revoked elsewhere (another machine holding a copy): the local file still looks fine.
    const copy = `${harness.sandbox.dir}/copy.json`;
    copyFileSync(file, copy);
    expect((await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env)).code).toBe(0);
    copyFileSync(copy, file);
    expect(readRecord(file).refreshToken).toMatch(/^ASOR/);

    const local = await runCli(["status", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(JSON.parse(local.stdout).state).toBe("valid");
    const checked = await runCli(["status", "--check", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(checked.code).toBe(1);
    expect(JSON.parse(checked.stdout)).toMatchObject({
      state: "expired",
      reason: expect.stringMatching(/revoked or has ended/),
      service: { active: false },
    });
    const all = await runCli(["status", "--check", "--all"], harness.sandbox.env);
    expect(all.code).toBe(1);
    expect(all.stdout).toMatch(/AT AWS/);
    expect(all.stdout).toMatch(/inactive/);
  });

  it("refreshes due credentials to sign the check, and shows the refreshed cache", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    makeDue(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    const run = await runCli(["status", "--check", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ state: "valid", service: { active: true } });
    expect(Date.parse(report.expiresAt)).toBeGreaterThan(Date.now() + 10 * 60_000);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
  });

  it("on a role profile, refreshes due credentials to sign the check, and shows the refreshed login session", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    appendFileSync(
      harness.sandbox.configPath,
      "\n[profile admin]\nrole_arn = arn:aws:iam::444455556666:role/Admin\nsource_profile = dev\n",
    );
    makeDue(cachePathOf(harness.sandbox, DEFAULT_IDENTITY));
    const run = await runCli(["status", "--check", "--profile", "admin", "--json"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({
      roleProfile: "admin",
      profile: "dev",
      state: "valid",
      service: { active: true },
    });
    expect(Date.parse(report.expiresAt)).toBeGreaterThan(Date.now() + 10 * 60_000);
  });

  it("a check that cannot reach the service keeps the local state and exits 1", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    harness.emulator.injectFault({ count: 10, operation: "introspect", status: 500 });
    const run = await runCli(["status", "--check", "--profile", "dev", "--json"], harness.sandbox.env);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ state: "valid", service: { error: "SERVER_ERROR" } });
  });
});

describe("the endpoint of revoke and --check", () => {
  it("follows the config file's services section for a record the AWS CLI wrote (the refresh's resolution)", async () => {
    const { sandbox, emulator } = harness;
    writeConfig(
      sandbox,
      `[profile dev]\nregion = us-east-1\nservices = local\n\n[services local]\nsignin =\n  endpoint_url = ${emulator.url}\n`,
    );
    // Without the sandbox's AWS_ENDPOINT_URL (it comes before the services section); a wrong turn would reach only
    // the local proxy, which forwards nothing beyond 127.0.0.1.
    const proxy = await startTestProxy();
    try {
      const { AWS_ENDPOINT_URL: _, ...base } = sandbox.env;
      const env = { ...base, HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url };
      await loginProfile(sandbox, emulator, "dev");
      editRecord(cachePathOf(sandbox, DEFAULT_IDENTITY), ({ awslogin: _a, ...record }) => record);
      const check = await runCli(["status", "--check", "--profile", "dev", "--json"], env);
      expect(check.code, check.stderr).toBe(0);
      expect(JSON.parse(check.stdout).service.active).toBe(true);
      const run = await runCli(["logout", "--revoke", "--profile", "dev"], env);
      expect(run.code, run.stderr).toBe(0);
      expect(emulator.stats().revoke.ok).toBe(1);
      expect(emulator.stats().introspect.active).toBe(1);
      // Plain-http requests to the emulator pass through the proxy; nothing went anywhere else.
      for (const entry of proxy.log) expect(entry.target.startsWith(`${emulator.url}/`)).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A revoke racing a refresh in another process never leaves a usable token behind: our processes are serialised by
 * the session's lock (the revoke reads the token the refresh wrote, and revokes it), and a client that takes no lock
 * (the official provider) rotates a token of the same chain, which the revoke ends too. @see docs/protocol.md §16.5
 */
import { existsSync, promises as fsPromises, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { fromLoginCredentials as officialFromLoginCredentials } from "@aws-sdk/credential-provider-login";
import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it, vi } from "vitest";
import { CLI_BIN, type CliRun, runCli, startCli, startNode, useEmulatorSandbox } from "./helpers.js";
import { cachePathOf, editRecord, loginProfile } from "./session-helpers.js";

const harness = useEmulatorSandbox({ autoApprove: true });

function makeDue(path: string): void {
  editRecord(path, (record) => ({
    ...record,
    accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 60_000).toISOString() },
  }));
}

/** Waits (bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  for (let waited = 0; !condition(); waited += 20) {
    if (waited > limitMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Whatever is left in the cache file cannot be refreshed: the binary, forced to refresh, gets TOKEN_EXPIRED. */
async function expectNothingUsableLeft(file: string): Promise<void> {
  if (!existsSync(file)) return;
  await expectRefused(file);
}

/** The cache file's refresh token is refused: the binary, forced to refresh, gets TOKEN_EXPIRED. */
async function expectRefused(file: string): Promise<void> {
  makeDue(file);
  const run: CliRun = await startNode(
    CLI_BIN,
    ["credential-process", "--profile", "dev"],
    harness.sandbox.env,
  ).done;
  expect(run.code).not.toBe(0);
  expect(run.stderr).toContain("TOKEN_EXPIRED");
}

/** The official provider (takes no lock) refreshing profile `dev`. */
function officialRefresh() {
  const { sandbox, emulator } = harness;
  const saved = { ...process.env };
  process.env.AWS_CONFIG_FILE = sandbox.configPath;
  process.env.AWS_LOGIN_CACHE_DIRECTORY = sandbox.cacheDir;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sandbox.env.AWS_SHARED_CREDENTIALS_FILE;
  return officialFromLoginCredentials({ profile: "dev", clientConfig: { endpoint: emulator.url } })().finally(
    () => {
      process.env = saved;
    },
  );
}

describe("logout --revoke racing a refresh", () => {
  it("waits for our refresh in another process under the lock, then revokes the rotated token", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    makeDue(file);
    // The refresh is held at the service while the binary holds the lock.
    harness.emulator.injectFault({ count: 1, delayMs: 1500 });
    const refresh = startNode(CLI_BIN, ["credential-process", "--profile", "dev"], harness.sandbox.env);
    await until(() => existsSync(`${file}.lock`), "the refresh's lock");
    const revoke = startCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);

    const [refreshed, revoked] = await Promise.all([refresh.done, revoke.done]);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(revoked.code, revoked.stderr).toBe(0);
    // Serialised: the revoke came after the rotation, and named the rotated token (nothing to refresh first).
    const names = harness.emulator
      .events()
      .map((e) => e.eventName)
      .filter((n) => n !== "AuthorizeOAuth2Access");
    expect(names).toEqual(["CreateOAuth2Token", "CreateOAuth2Token", "RevokeOAuth2TokenWithIAM"]);
    expect(harness.emulator.stats().tokenRequests.refresh_token).toBe(1);
    expect(existsSync(file)).toBe(false);
  });

  it("a token rotated away by a lock-free client (refresh refused) is still revoked, ending the newer token", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    const older = readFileSync(file);
    // Another client (no lock) rotates T1 → T2 and writes T2; we catch the file before its write lands.
    makeDue(file);
    await officialRefresh();
    const newer = readFileSync(file);
    writeFileSync(file, older);
    // Forty seconds left: due for signing (less than a minute), still able to sign.
    editRecord(file, (record) => ({
      ...record,
      accessToken: { ...record.accessToken, expiresAt: new Date(Date.now() + 40_000).toISOString() },
    }));
    const run = await runCli(["logout", "--revoke", "--profile", "dev"], harness.sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("Revoked the login session of profile 'dev' at AWS");
    expect(harness.emulator.stats().revoke.ok).toBe(1);
    expect(existsSync(file)).toBe(false);
    // The other client's T2 lands after our delete: it is dead.
    writeFileSync(file, newer);
    await expectNothingUsableLeft(file);
    expect(existsSync(file)).toBe(true);
  });

  it("a lock-free client's rotation just before or during the revoke belongs to the revoked chain", async () => {
    await loginProfile(harness.sandbox, harness.emulator, "dev");
    const file = cachePathOf(harness.sandbox, DEFAULT_IDENTITY);
    makeDue(file);
    const original = readFileSync(file, "utf8");
    // The official provider writes its rotated token with fs.promises.writeFile, looked up at each call: recording
    // those writes tells every token of the race, even one our revoke then deleted.
    const writes = vi.spyOn(fsPromises, "writeFile");
    harness.emulator.injectFault({ count: 1, delayMs: 300 });
    const { sandbox, emulator } = harness;
    const saved = { ...process.env };
    process.env.AWS_CONFIG_FILE = sandbox.configPath;
    process.env.AWS_LOGIN_CACHE_DIRECTORY = sandbox.cacheDir;
    process.env.AWS_SHARED_CREDENTIALS_FILE = sandbox.env.AWS_SHARED_CREDENTIALS_FILE;
    const official = officialFromLoginCredentials({
      profile: "dev",
      clientConfig: { endpoint: emulator.url },
    })()
      .then(
        () => "refreshed",
        () => "failed",
      )
      .finally(() => {
        process.env = saved;
      });
    const revoke = runCli(["logout", "--revoke", "--profile", "dev"], sandbox.env);
    const [outcome, revoked] = await Promise.all([official, revoke]);
    expect(["refreshed", "failed"]).toContain(outcome);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(emulator.stats().revoke.ok).toBe(1);
    // The official provider may have written its rotated token back after our delete: it must be dead.
    await expectNothingUsableLeft(file);
    const rotated = writes.mock.calls
      .filter(([path]) => String(path) === file)
      .map(([, data]) => (JSON.parse(String(data)) as { refreshToken: string }).refreshToken);
    writes.mockRestore();
    if (outcome === "refreshed") expect(rotated.length).toBeGreaterThan(0);
    // Every token of the race, the login's and any rotated one, is refused.
    const tokens = [JSON.parse(original).refreshToken as string, ...rotated];
    for (const token of tokens) {
      writeFileSync(file, original);
      editRecord(file, (record) => ({ ...record, refreshToken: token }));
      await expectRefused(file);
    }
    expect(emulator.stats().tokenResults.TOKEN_EXPIRED).toBeGreaterThanOrEqual(tokens.length);
  });
});

import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import { formatExpiresAt, loginCacheKey, parseTokenCache, serializeTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";

const WORKER = fileURLToPath(new URL("./fixtures/get-credentials.mjs", import.meta.url));
const KILLED_AT_RENAME = fileURLToPath(new URL("./fixtures/killed-at-rename.mjs", import.meta.url));
const PROFILE = "faults";

let emulator: Emulator | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await emulator?.close();
  sandbox?.cleanup();
  emulator = undefined;
  sandbox = undefined;
});

async function setUp(options: Parameters<typeof startEmulator>[0] = {}) {
  emulator = await startEmulator({ autoApprove: true, ...options });
  sandbox = createSandbox();
  const login = await runCli(
    ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url],
    { ...sandbox.env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
  );
  expect(login.code, login.stderr).toBe(0);
  const cacheFile = join(sandbox.cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
  return { emulator, sandbox, cacheFile };
}

/** Moves the cached credentials' expiry to `msLeft` from now; returns their access key id. */
function expireIn(cacheFile: string, msLeft: number): string {
  const record = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msLeft);
  writeFileSync(cacheFile, serializeTokenCache(record), { mode: 0o600 });
  return record.accessToken.accessKeyId;
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startWorker(env: NodeJS.ProcessEnv, script = WORKER): Promise<Result> {
  const child = spawn(process.execPath, [script, PROFILE], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => {
    stdout += d;
  });
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("valid credentials are served while another process refreshes (issue 7 §4)", () => {
  it("a call that finds the lock held and the credentials due but valid answers at once with them", async () => {
    const { emulator, sandbox, cacheFile } = await setUp();
    const oldKey = expireIn(cacheFile, 120_000);
    // The refresher's token request hangs for 20 s: it holds the lock all that time.
    emulator.injectFault({ count: 1, delayMs: 20_000 });
    let refresherDone = false;
    const refresher = startWorker(sandbox.env).then((result) => {
      refresherDone = true;
      return result;
    });
    await until(() => emulator.stats().tokenRequests.refresh_token === 1, "the refresher's token request");

    const consumer = await startWorker(sandbox.env);
    expect(consumer.code, consumer.stderr).toBe(0);
    expect(JSON.parse(consumer.stdout)).toEqual({ accessKeyId: oldKey, refreshed: false });
    // Answered while the refresh was still in flight, not after it.
    expect(refresherDone).toBe(false);

    const refreshed = await refresher;
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ refreshed: true });
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  }, 90_000);

  it("expired credentials still wait for the holder and take its result", async () => {
    const { emulator, sandbox, cacheFile } = await setUp();
    expireIn(cacheFile, -1000);
    emulator.injectFault({ count: 1, delayMs: 1500 });
    const refresher = startWorker(sandbox.env);
    await until(() => emulator.stats().tokenRequests.refresh_token === 1, "the refresher's token request");
    const consumer = await startWorker(sandbox.env);
    const refreshed = await refresher;
    expect(consumer.code, consumer.stderr).toBe(0);
    expect(JSON.parse(consumer.stdout).accessKeyId).toBe(JSON.parse(refreshed.stdout).accessKeyId);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
  }, 90_000);
});

describe("a rotated refresh token is never thrown away (issue 7 §3), reuse window off", () => {
  it("a writer killed between its fsync and its rename: the next call adopts its temp file and refreshes with it", async () => {
    const { emulator, sandbox, cacheFile } = await setUp({ refreshReuseWindow: 0 });
    const before = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
    const victim = await startWorker(sandbox.env, KILLED_AT_RENAME);
    expect(victim.signal, victim.stderr).toBe("SIGKILL");
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    // The service rotated the token; the cache still holds the old, now dead, one; a complete temp file the new one.
    expect(parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile).refreshToken).toBe(
      before.refreshToken,
    );
    expect(readdirSync(sandbox.cacheDir).filter((n) => n.endsWith(".tmp"))).toHaveLength(1);

    // The next call that is due takes the dead victim's lock, adopts the temp file and serves it.
    expireIn(cacheFile, -1000);
    const next = await startWorker(sandbox.env);
    expect(next.code, next.stderr).toBe(0);
    const adopted = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
    expect(adopted.refreshToken).not.toBe(before.refreshToken);
    expect(JSON.parse(next.stdout)).toEqual({
      accessKeyId: adopted.accessToken.accessKeyId,
      refreshed: false,
    });
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(sandbox.cacheDir)).toEqual([basename(cacheFile)]);

    // The adopted refresh token is the live one: the service accepts it.
    expireIn(cacheFile, -1000);
    const refreshed = await startWorker(sandbox.env);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(JSON.parse(refreshed.stdout)).toMatchObject({ refreshed: true });
    expect(emulator.stats().tokenRequests.refresh_token).toBe(2);
  }, 90_000);

  describe.runIf(process.getuid?.() === 0)("on a full disk (a 1 MiB tmpfs)", () => {
    it("a refresh that cannot even take its lock on a full disk says so and rotates nothing", async () => {
      const { emulator, sandbox } = await setUp({ refreshReuseWindow: 0 });
      mountPoint = mkdtempSync(join(tmpdir(), "awslogin-full-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint]);
      const cacheDir = join(mountPoint, "cache");
      const env = { ...sandbox.env, AWS_LOGIN_CACHE_DIRECTORY: cacheDir };
      const login = await runCli(
        ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url, "--force"],
        { ...env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
      );
      expect(login.code, login.stderr).toBe(0);
      const cacheFile = join(cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
      expireIn(cacheFile, -1000);
      const filler = join(mountPoint, "filler");
      expect(() =>
        execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k"], { stdio: "ignore" }),
      ).toThrow();
      const full = await startWorker(env);
      expect(full.code).toBe(1);
      expect(full.stderr).toMatch(/^CACHE_WRITE_FAILED: .*the disk is full/);
      expect(full.stderr).not.toMatch(/permission/);
      expect(emulator.stats().tokenRequests.refresh_token ?? 0).toBe(0);
      expect(readdirSync(cacheDir)).toEqual([basename(cacheFile)]);
      rmSync(filler);
      const next = await startWorker(env);
      expect(next.code, next.stderr).toBe(0);
    }, 90_000);

    let mountPoint: string | undefined;
    afterEach(() => {
      if (mountPoint !== undefined) execFileSync("umount", [mountPoint]);
      mountPoint = undefined;
    });

    it("a refresh whose cache write meets ENOSPC keeps the rotated token, and the next call succeeds", async () => {
      const { emulator, sandbox } = await setUp({ refreshReuseWindow: 0 });
      mountPoint = mkdtempSync(join(tmpdir(), "awslogin-full-"));
      execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mountPoint]);
      const cacheDir = join(mountPoint, "cache");
      const env = { ...sandbox.env, AWS_LOGIN_CACHE_DIRECTORY: cacheDir };
      const login = await runCli(
        ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url, "--force"],
        { ...env, BROWSER: `${process.execPath} ${FAKE_BROWSER}` },
      );
      expect(login.code, login.stderr).toBe(0);
      const cacheFile = join(cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
      const before = expireIn(cacheFile, -1000);
      // The disk fills while the service is answering: after the lock was taken, before the cache write.
      emulator.injectFault({ count: 1, delayMs: 1500 });
      const refreshing = startWorker(env);
      await until(() => emulator.stats().tokenRequests.refresh_token === 1, "the refresh request");
      const filler = join(mountPoint, "filler");
      expect(() =>
        execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=4k"], { stdio: "ignore" }),
      ).toThrow();
      expect(() => writeFileSync(join(mountPoint!, "probe"), "x".repeat(8192))).toThrow(/ENOSPC/);
      rmSync(join(mountPoint, "probe"), { force: true });

      const full = await refreshing;
      expect(full.code, full.stderr).toBe(0);
      expect(JSON.parse(full.stdout)).toMatchObject({ refreshed: true });
      expect(JSON.parse(full.stdout).accessKeyId).not.toBe(before);
      expect(emulator.stats().tokenRequests.refresh_token).toBe(1);

      // Space is back; the next refresh uses the rotated token the full disk did not lose.
      rmSync(filler);
      expireIn(cacheFile, -1000);
      const next = await startWorker(env);
      expect(next.code, next.stderr).toBe(0);
      expect(JSON.parse(next.stdout)).toMatchObject({ refreshed: true });
      expect(emulator.stats().tokenRequests.refresh_token).toBe(2);
      expect(emulator.stats().tokenResults.ok).toBeGreaterThanOrEqual(3);
    }, 90_000);
  });
});

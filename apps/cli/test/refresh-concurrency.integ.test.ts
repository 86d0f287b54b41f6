import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { formatExpiresAt, loginCacheKey, parseTokenCache, serializeTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, describe, expect, it } from "vitest";
import { createSandbox, FAKE_BROWSER, runCli, type Sandbox } from "./helpers.js";

const WORKER = fileURLToPath(new URL("./fixtures/get-credentials.mjs", import.meta.url));
const KILLED_BEFORE_UNLOCK = fileURLToPath(new URL("./fixtures/killed-before-unlock.mjs", import.meta.url));
const PROFILE = "storm";

let emulator: Emulator | undefined;
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await emulator?.close();
  sandbox?.cleanup();
  emulator = undefined;
  sandbox = undefined;
});

async function setUp(options: Parameters<typeof startEmulator>[0]) {
  emulator = await startEmulator({ autoApprove: true, ...options });
  sandbox = createSandbox();
  const login = await runCli(
    ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url],
    {
      ...sandbox.env,
      BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
    },
  );
  expect(login.code, login.stderr).toBe(0);
  const cacheFile = join(sandbox.cacheDir, `${loginCacheKey(DEFAULT_IDENTITY)}.json`);
  return { emulator, sandbox, cacheFile };
}

/**
 * Moves the cached credentials' expiry to `msLeft` from now (default 60 s: due, ≤ 5 minutes left, but still valid;
 * negative: expired, so that every caller must wait for the refresh).
 */
function makeDue(cacheFile: string, msLeft = 60_000): string {
  const record = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msLeft);
  writeFileSync(cacheFile, serializeTokenCache(record), { mode: 0o600 });
  return record.accessToken.accessKeyId;
}

interface WorkerResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function startWorker(
  env: NodeJS.ProcessEnv,
  goFile?: string,
): { child: ChildProcess; ready: Promise<void>; done: Promise<WorkerResult> } {
  const child = spawn(process.execPath, [WORKER, PROFILE, ...(goFile ? [goFile] : [])], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.on("data", (d) => {
    stderr += d;
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<void>((resolve) => {
    lines.on("line", (line) => {
      if (line === "ready") resolve();
      else stdout += line;
    });
  });
  const done = new Promise<WorkerResult>((resolve) =>
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, ready, done };
}

describe("one refresh at a time across processes", () => {
  it("40 processes that find the credentials expired at once make exactly one CreateOAuth2Token call and share its result", async () => {
    const { emulator, sandbox, cacheFile } = await setUp({});
    // Expired: nobody may serve the old credentials while the lock is held (valid ones would be served at once).
    const oldKey = makeDue(cacheFile, -1000);
    const goFile = join(sandbox.dir, "go");
    const workers = Array.from({ length: 40 }, () => startWorker(sandbox.env, goFile));
    await Promise.all(workers.map((w) => w.ready));
    writeFileSync(goFile, "");
    const results = await Promise.all(workers.map((w) => w.done));

    for (const result of results) expect(result.code, result.stderr).toBe(0);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    const outputs = results.map((r) => JSON.parse(r.stdout) as { accessKeyId: string; refreshed: boolean });
    expect(outputs.filter((o) => o.refreshed)).toHaveLength(1);
    const keys = new Set(outputs.map((o) => o.accessKeyId));
    expect(keys.size).toBe(1);
    const record = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
    expect([...keys][0]).toBe(record.accessToken.accessKeyId);
    expect(record.accessToken.accessKeyId).not.toBe(oldKey);
    expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
    expect(readdirSync(sandbox.cacheDir).sort()).toEqual([`${loginCacheKey(DEFAULT_IDENTITY)}.json`]);
  }, 120_000);
});

/** Resolves once the emulator has answered every token request it received. */
async function allAnswered(emulator: Emulator): Promise<void> {
  const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  for (let i = 0; i < 100; i++) {
    const stats = emulator.stats();
    if (sum(stats.tokenResults) >= sum(stats.tokenRequests)) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the emulator did not answer every token request");
}

describe("crash safety: SIGKILL at random points of a refresh", () => {
  async function killAtRandom(reuseWindow: number, rounds: number) {
    const { emulator, sandbox, cacheFile } = await setUp({ refreshReuseWindow: reuseWindow });
    const outcomes: string[] = [];
    for (let round = 0; round < rounds; round++) {
      makeDue(cacheFile);
      const refreshTokenBefore = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile).refreshToken;
      const answeredBefore = emulator.stats().tokenResults.ok ?? 0;
      // Slow the service down so the kill can land before, during and after the token call.
      emulator.injectFault({ count: 1, delayMs: 150 });
      const victim = startWorker(sandbox.env);
      const killAfter = 120 + Math.random() * 450;
      const timer = setTimeout(() => victim.child.kill("SIGKILL"), killAfter);
      const killed = await victim.done;
      clearTimeout(timer);
      // A request the victim sent before dying is still answered by the service (after the delay): wait for it.
      await allAnswered(emulator);
      emulator.clearFaults();
      // The service rotated the refresh token for the victim, but the victim died before its rename.
      const answeredButLost =
        (emulator.stats().tokenResults.ok ?? 0) > answeredBefore &&
        parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile).refreshToken === refreshTokenBefore;

      // Whatever the moment, the cache file is whole and no lock blocks the next call.
      expect(existsSync(cacheFile)).toBe(true);
      const record = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
      expect(statSync(cacheFile).mode & 0o777).toBe(0o600);
      const next = await startWorker(sandbox.env).done;
      if (next.code === 0) {
        outcomes.push(
          answeredButLost
            ? "recovered-after-answer"
            : killed.signal === "SIGKILL"
              ? "recovered"
              : "finished-before-kill",
        );
      } else {
        // Only a clear "log in again" is acceptable, never a broken file or a stuck lock, and only when the
        // kill landed between the service's answer and the rename (the rotated token was lost with the process).
        expect(next.stderr).toMatch(
          /^TOKEN_EXPIRED: .*Sign in again\. \{"kind":"sign-in","profile":"storm"\}/,
        );
        expect(answeredButLost).toBe(true);
        outcomes.push("log-in-again");
        // Start the next round from a new login.
        const login = await runCli(
          ["login", "--profile", PROFILE, "--region", "us-east-1", "--endpoint-url", emulator.url],
          {
            ...sandbox.env,
            BROWSER: `${process.execPath} ${FAKE_BROWSER}`,
          },
        );
        expect(login.code).toBe(0);
      }
      expect(record.refreshToken.length).toBeGreaterThan(0);
      // No temp file holding the secrets is left. A lock file can be: the victim's, when the kill landed after its
      // rename and before its unlock, and the next call found fresh credentials and needed no lock. It must not
      // block anyone: its holder is the dead victim, and the next call that is due takes it over at once.
      const cacheName = `${loginCacheKey(DEFAULT_IDENTITY)}.json`;
      const leftovers = readdirSync(sandbox.cacheDir).filter((name) => name !== cacheName);
      if (leftovers.length > 0) {
        expect(leftovers).toEqual([`${cacheName}.lock`]);
        expect(killed.signal).toBe("SIGKILL");
        const owner = JSON.parse(readFileSync(join(sandbox.cacheDir, leftovers[0]!), "utf8")) as {
          pid: number;
        };
        expect(owner.pid).toBe(victim.child.pid);
        makeDue(cacheFile);
        const startedAt = Date.now();
        const due = await startWorker(sandbox.env).done;
        expect(due.code, due.stderr).toBe(0);
        // Far below the 60 s a waiter gives a live holder: the dead holder's lock was not waited on.
        expect(Date.now() - startedAt).toBeLessThan(20_000);
        expect(JSON.parse(due.stdout)).toMatchObject({ refreshed: true });
        outcomes.push("dead-lock-taken-over");
      }
      expect(readdirSync(sandbox.cacheDir)).toEqual([cacheName]);
    }
    console.info(`crash rounds (reuse window ${reuseWindow} s): ${outcomes.join(", ")}`);
    return outcomes;
  }

  it("a process killed after its write and before its unlock leaves a lock that blocks nobody", async () => {
    const { emulator, sandbox, cacheFile } = await setUp({});
    const before = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
    const victim = spawn(process.execPath, [KILLED_BEFORE_UNLOCK, PROFILE], {
      env: sandbox.env,
      stdio: ["ignore", "ignore", "pipe"],
    });
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      victim.on("close", (c, s) => resolve([c, s])),
    );
    expect([code, signal]).toEqual([null, "SIGKILL"]);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(1);
    // The write landed whole; the lock is left, held by the dead victim.
    const written = parseTokenCache(readFileSync(cacheFile, "utf8"), cacheFile);
    expect(written.refreshToken).not.toBe(before.refreshToken);
    const lockFile = `${cacheFile}.lock`;
    expect((JSON.parse(readFileSync(lockFile, "utf8")) as { pid: number }).pid).toBe(victim.pid);

    // A call that finds fresh credentials needs no lock and serves the victim's write.
    const fresh = await startWorker(sandbox.env).done;
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(JSON.parse(fresh.stdout)).toEqual({
      accessKeyId: written.accessToken.accessKeyId,
      refreshed: false,
    });

    // A call that is due takes the dead holder's lock over at once, refreshes, and leaves only the cache file.
    makeDue(cacheFile);
    const startedAt = Date.now();
    const due = await startWorker(sandbox.env).done;
    expect(due.code, due.stderr).toBe(0);
    expect(Date.now() - startedAt).toBeLessThan(20_000); // a live holder would be waited on for 60 s
    expect(JSON.parse(due.stdout)).toMatchObject({ refreshed: true });
    expect(emulator.stats().tokenRequests.refresh_token).toBe(2);
    expect(readdirSync(sandbox.cacheDir)).toEqual([`${loginCacheKey(DEFAULT_IDENTITY)}.json`]);
  }, 60_000);

  it("with the service's reuse window on, the next call always recovers", async () => {
    const outcomes = await killAtRandom(30, 12);
    expect(outcomes).not.toContain("log-in-again");
    expect(outcomes.some((o) => o.startsWith("recovered"))).toBe(true);
  }, 180_000);

  it("with the reuse window off, a kill after the service answered ends only in a clear 'log in again'", async () => {
    // The per-round checks hold every outcome to that rule; the rounds must also have killed mid-refresh.
    const outcomes = await killAtRandom(0, 12);
    expect(outcomes.some((o) => o !== "finished-before-kill")).toBe(true);
  }, 180_000);
});

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeClock } from "../testing/fake-clock.js";
import { acquireLock } from "./lock.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-lock-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const distLock = new URL("../../dist/node/index.js", import.meta.url).href;

/**
 * A child process that takes the lock through the built entry's `sessionLock` (as our other processes take it),
 * appends "in"/"out" around a critical section, and exits.
 */
function contender(lockPath: string, logPath: string, holdMs: number) {
  const cachePath = lockPath.slice(0, -".lock".length);
  const script = `
    import { appendFileSync } from "node:fs";
    const { sessionLock } = await import(${JSON.stringify(distLock)});
    const lock = sessionLock({ pathFor: () => ${JSON.stringify(cachePath)} }, { waitMs: 30000 });
    const release = await lock("session");
    appendFileSync(${JSON.stringify(logPath)}, "in " + process.pid + "\\n");
    await new Promise((r) => setTimeout(r, ${holdMs}));
    appendFileSync(${JSON.stringify(logPath)}, "out " + process.pid + "\\n");
    await release();
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  return new Promise<void>((resolve, reject) =>
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`contender failed: ${stderr}`)))),
  );
}

describe("acquireLock (inter-process)", () => {
  it("admits one process at a time", async () => {
    const lockPath = join(dir, "s.json.lock");
    const log = join(dir, "log");
    writeFileSync(log, "");
    await Promise.all(Array.from({ length: 8 }, () => contender(lockPath, log, 20)));
    const lines = readFileSync(log, "utf8").trim().split("\n");
    expect(lines).toHaveLength(16);
    for (let i = 0; i < lines.length; i += 2) {
      const [inWord, inPid] = lines[i]!.split(" ");
      const [outWord, outPid] = lines[i + 1]!.split(" ");
      expect([inWord, outWord]).toEqual(["in", "out"]);
      expect(outPid).toBe(inPid);
    }
    expect(existsSync(lockPath)).toBe(false);
  });

  it("takes over at once a lock whose holder is dead", async () => {
    const lockPath = join(dir, "s.json.lock");
    const dead = spawn(process.execPath, ["-e", "0"]);
    await new Promise((resolve) => dead.on("exit", resolve));
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: dead.pid, host: hostname(), createdAt: Date.now(), nonce: "x" }),
    );
    // On a fake clock a single poll would never end: getting the lock at all proves it was taken without waiting.
    const clock = createFakeClock();
    const release = await acquireLock(lockPath, { waitMs: 5000, clock });
    expect(clock.sleeps).toEqual([]);
    expect(JSON.parse(readFileSync(lockPath, "utf8")).pid).toBe(process.pid);
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("takes over a lock older than staleMs even if its holder looks alive (backstop)", async () => {
    const lockPath = join(dir, "s.json.lock");
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now() - 10_000, nonce: "y" }),
    );
    const release = await acquireLock(lockPath, { waitMs: 5000, staleMs: 5000 });
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("waits for a live holder, then gives up with LOCK_TIMEOUT", async () => {
    const lockPath = join(dir, "s.json.lock");
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now(), nonce: "z" }),
    );
    // The default minute of waiting, on a fake clock: each poll sleeps on it, none on the wall clock.
    const clock = createFakeClock();
    const started = clock.now();
    await expect(clock.run(acquireLock(lockPath, { clock }))).rejects.toMatchObject({
      code: "LOCK_TIMEOUT",
      message: expect.stringContaining("over 60 s"),
    });
    expect(clock.now() - started).toBeGreaterThan(60_000);
    expect(clock.now() - started).toBeLessThan(60_000 + 200);
    // Polls back off from 10 ms to at most 100 ms (with up to 100% jitter).
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(10);
    expect(clock.sleeps[0]).toBeLessThan(20);
    expect(Math.max(...clock.sleeps)).toBeLessThan(200);
    // The holder's lock is left alone.
    expect(JSON.parse(readFileSync(lockPath, "utf8")).nonce).toBe("z");
  });

  it("a waiter whose signal aborts stops at once with LOCK_TIMEOUT, its poll's sleep cut short", async () => {
    const lockPath = join(dir, "s.json.lock");
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: process.ppid, host: hostname(), createdAt: Date.now(), nonce: "z" }),
    );
    const clock = createFakeClock();
    const controller = new AbortController();
    const waiting = acquireLock(lockPath, { clock, signal: controller.signal });
    await clock.whenSleeping();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({
      code: "LOCK_TIMEOUT",
      message: expect.stringContaining("Stopped"),
    });
    expect(clock.pending()).toBe(0);
    expect(existsSync(lockPath)).toBe(true);
  });

  it("takes over an empty lock file left by a holder killed before writing it, once it is old", async () => {
    const lockPath = join(dir, "s.json.lock");
    writeFileSync(lockPath, "");
    const old = new Date(Date.now() - 5000);
    utimesSync(lockPath, old, old);
    const release = await acquireLock(lockPath, { waitMs: 5000 });
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });

  it("release does not remove a lock that is no longer ours", async () => {
    const lockPath = join(dir, "s.json.lock");
    const release = await acquireLock(lockPath);
    writeFileSync(
      lockPath,
      JSON.stringify({ pid: 1, host: hostname(), createdAt: Date.now(), nonce: "other" }),
    );
    await release();
    expect(existsSync(lockPath)).toBe(true);
  });
});

describe("acquireLock on a machine's first login", () => {
  it("creates the missing cache folder (0700) for the lock file", async () => {
    const lockPath = join(dir, "new", "cache", "s.json.lock");
    const release = await acquireLock(lockPath);
    expect(statSync(join(dir, "new", "cache")).mode & 0o777).toBe(0o700);
    await release();
    expect(existsSync(lockPath)).toBe(false);
  });
});

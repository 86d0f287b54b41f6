import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsLoginError } from "../errors.js";
import { acquireLock, inspectLock } from "./lock.js";

let dir: string;
let lockPath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-lock-sec-"));
  lockPath = join(dir, "s.json.lock");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Well below the default 60 s: a lock that is waited on instead of taken over fails the test with LOCK_TIMEOUT. */
const WAIT = { waitMs: 3000 };

function record(fields: Record<string, unknown>): string {
  return JSON.stringify({ pid: 1, host: hostname(), createdAt: Date.now(), nonce: "n", ...fields });
}

async function takesOver(): Promise<void> {
  const release = await acquireLock(lockPath, WAIT);
  const held = await inspectLock(lockPath);
  expect(held.kind).toBe("held");
  expect(held.kind === "held" && held.owner.pid).toBe(process.pid);
  await release();
  expect(existsSync(lockPath)).toBe(false);
}

describe("locks that always recover (issue 7 §5)", () => {
  it("a dangling symlink is taken over (the link removed, nothing followed)", async () => {
    symlinkSync(join(dir, "nowhere"), lockPath);
    expect((await inspectLock(lockPath)).kind).toBe("broken");
    await takesOver();
    expect(existsSync(join(dir, "nowhere"))).toBe(false);
  });

  it("a symlink to a real file is taken over and the file it names is left alone", async () => {
    const victim = join(dir, "victim");
    writeFileSync(victim, record({ pid: 1 }));
    symlinkSync(victim, lockPath);
    await takesOver();
    expect(readFileSync(victim, "utf8")).toContain('"pid":1');
  });

  it("an empty folder is removed with rmdir and taken over", async () => {
    mkdirSync(lockPath);
    await takesOver();
  });

  it("a folder with files in it is LOCK_BROKEN at once, with the fix, and kept", async () => {
    mkdirSync(lockPath);
    writeFileSync(join(lockPath, "keep"), "x");
    const error = await acquireLock(lockPath, WAIT).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AwsLoginError.isInstance(error) && error.code).toBe("LOCK_BROKEN");
    expect((error as Error).message).toContain(`rm -r ${lockPath}`);
    expect(readFileSync(join(lockPath, "keep"), "utf8")).toBe("x");
  });

  it.each([
    ["pid 0", { pid: 0 }],
    ["a negative pid", { pid: -1 }],
    ["a pid that is not a number", { pid: "1" }],
    ["a fractional pid", { pid: 1.5 }],
    ["a createdAt an hour in the future (holder alive)", { pid: 1, createdAt: Date.now() + 3_600_000 }],
    ["no createdAt", { createdAt: null }],
  ])("a lock naming %s is taken over at once", async (_name, fields) => {
    writeFileSync(lockPath, record(fields));
    expect((await inspectLock(lockPath)).kind).toBe("broken");
    await takesOver();
  });

  it("a FIFO is taken over without blocking on it", async () => {
    execFileSync("mkfifo", [lockPath]);
    await takesOver();
  });

  it("a live holder's lock is still waited on (and LOCK_TIMEOUT names it)", async () => {
    writeFileSync(lockPath, record({ pid: process.pid }));
    const error = await acquireLock(lockPath, { waitMs: 200 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(AwsLoginError.isInstance(error) && error.code).toBe("LOCK_TIMEOUT");
    expect(lstatSync(lockPath).isFile()).toBe(true);
  });
});

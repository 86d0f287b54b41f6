/**
 * An inter-process lock per login session: one refresh at a time across every process on the machine.
 *
 * The lock is a file `<cache file>.lock` created with O_EXCL, holding the holder's pid, host and start
 * time. A lock whose holder is no longer alive (same host) is taken over at once; one older than
 * `staleMs` is taken over whatever its holder (a backstop for pid reuse and other hosts sharing the
 * folder). Takeovers are serialized by a second, short-lived lock so two waiters never both remove it.
 * A waiter gives up after `waitMs` with LOCK_TIMEOUT: nobody waits forever.
 *
 * Whatever sits at the lock's path is looked at with lstat and opened without following links or blocking: a
 * symlink, a FIFO, an empty folder or a record no awslogin writes (pid 0 or negative, a `createdAt` in the
 * future) is a broken lock, taken over at once rather than waited on; a folder with files in it is refused with
 * LOCK_BROKEN and the command that removes it.
 */
import { randomBytes } from "node:crypto";
import { lstat, mkdir, open, readdir, rmdir, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { AwsLoginError } from "../errors.js";
import type { Clock, TokenStore } from "../ports.js";
import { LOCK_STALE_MS } from "../refresh.js";
import { readRegularFile } from "./bounded-read.js";
import { errnoCode } from "./errno.js";
import { isProcessAlive, systemClock } from "./system.js";

/** A lock's `createdAt` later than now by more than this (clock steps, hosts sharing a folder) is forged or broken. */
const FUTURE_TOLERANCE_MS = 60_000;

/** How long a caller waits for a lock ({@link sessionLock}), and when it takes a lock over. */
export interface LockOptions {
  /** Give up waiting after this long (default 60 s). */
  waitMs?: number;
  /** A lock older than this is stale even when its holder seems alive (default 90 s). */
  staleMs?: number;
  /** First poll interval; grows to 100 ms (default 10 ms). */
  pollMs?: number;
  /** Stops waiting, with LOCK_TIMEOUT; a lock already taken is not affected. */
  signal?: AbortSignal;
  /**
   * Times this process's own wait: the polls sleep on it and `waitMs` is measured on it (default the system clock).
   * What other processes read (a lock's `createdAt`, file times, staleness) stays on the wall clock they share.
   */
  clock?: Clock;
}

/** The record a holder writes into its lock file: who holds it and since when. */
export interface LockOwner {
  /** The holder's process id; a holder on this host that is no longer alive loses the lock at once. */
  pid: number;
  /** The holder's host name: the pid is only judged on the same host. */
  host: string;
  /** When the lock was taken, in milliseconds since the epoch; older than the stale limit, it is taken over. */
  createdAt: number;
  /** Random per lock: tells a lock taken over in between from the one seen before, whatever the pid. */
  nonce: string;
}

/** Releases a held lock. Safe to call twice; never throws. */
export type ReleaseLock = () => Promise<void>;

/**
 * What sits at a lock's path: nothing, a holder's record, a file being written (not JSON yet), or something no
 * awslogin process leaves there (`broken`, with why). `ino` tells a later look whether it is still the same file.
 */
export type LockInspection =
  /** No lock: nobody holds it. */
  | { kind: "absent" }
  /** A holder's record (`owner`), with the file's inode and modification time. */
  | { kind: "held"; owner: LockOwner; ino: number; mtimeMs: number }
  /** A lock file being written (not JSON yet). */
  | { kind: "partial"; ino: number; mtimeMs: number }
  /** Something no awslogin process leaves there, and why (`reason`, in words). */
  | {
      kind: "broken";
      shape: "symlink" | "directory" | "special" | "record";
      /** A folder that holds files: not removed, reported with LOCK_BROKEN. */
      nonEmptyDirectory?: boolean;
      reason: string;
      ino: number;
      mtimeMs: number;
    };

/** Looks at the lock at `path` without following a symlink or blocking on a FIFO. Never throws for what it finds. */
export async function inspectLock(path: string, now: number = Date.now()): Promise<LockInspection> {
  let info: Awaited<ReturnType<typeof lstat>>;
  try {
    info = await lstat(path);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return { kind: "absent" };
    throw error;
  }
  const seen = { ino: Number(info.ino), mtimeMs: Number(info.mtimeMs) };
  if (info.isSymbolicLink())
    return { kind: "broken", shape: "symlink", reason: "it is a symbolic link", ...seen };
  if (info.isDirectory()) {
    const entries = await readdir(path).catch(() => ["?"]);
    return {
      kind: "broken",
      shape: "directory",
      reason: entries.length === 0 ? "it is an empty folder" : "it is a folder with files in it",
      ...(entries.length === 0 ? {} : { nonEmptyDirectory: true }),
      ...seen,
    };
  }
  if (!info.isFile())
    return { kind: "broken", shape: "special", reason: "it is not a regular file", ...seen };
  let text: string;
  try {
    text = await readRegularFile(path, 64 * 1024, { noFollow: true });
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return { kind: "absent" };
    return { kind: "broken", shape: "special", reason: `it cannot be read (${errnoCode(error)})`, ...seen };
  }
  let parsed: Partial<Record<keyof LockOwner, unknown>>;
  try {
    const json: unknown = JSON.parse(text);
    if (typeof json !== "object" || json === null) throw new Error("not a record");
    parsed = json as Partial<Record<keyof LockOwner, unknown>>;
  } catch {
    // A holder killed between creating and writing the file, or one writing it right now.
    return { kind: "partial", ...seen };
  }
  const { pid, createdAt, nonce, host } = parsed;
  const broken = (reason: string): LockInspection => ({ kind: "broken", shape: "record", reason, ...seen });
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0)
    return broken(`it names no valid process id (${typeof pid === "number" ? pid : typeof pid})`);
  if (typeof createdAt !== "number" || !Number.isFinite(createdAt)) return broken("it has no creation time");
  if (createdAt - now > FUTURE_TOLERANCE_MS)
    return broken(`its creation time is ${Math.round((createdAt - now) / 1000)} s in the future`);
  if (typeof nonce !== "string") return broken("it has no nonce");
  return { kind: "held", owner: { pid, host: String(host), createdAt, nonce }, ...seen };
}

/** Creates `path` exclusively with our owner record; false when it exists. */
async function tryCreate(path: string, owner: LockOwner, retried = false): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "wx", 0o600);
    try {
      await handle.writeFile(JSON.stringify(owner));
    } catch (error) {
      // Ours and empty (a full disk): leave no half-written lock for others to wait on.
      await unlink(path).catch(() => undefined);
      throw error;
    }
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "EEXIST") return false;
    if (code === "ENOSPC" || code === "EDQUOT") {
      throw new AwsLoginError(
        "CACHE_WRITE_FAILED",
        `Could not create the lock file ${path}: the disk is full (${code}). Free some space on that disk and try again; nothing was refreshed, so the session is intact.`,
        { cause: error, path },
      );
    }
    if (code === "ENOENT" && !retried) {
      // The first login of a machine: the cache folder does not exist yet.
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      return tryCreate(path, owner, true);
    }
    throw new AwsLoginError(
      "CACHE_WRITE_FAILED",
      `Could not create the lock file ${path}: check the folder's permissions.`,
      {
        cause: error,
        path,
      },
    );
  } finally {
    await handle?.close();
  }
}

/** Whether the holder recorded in a lock file is gone, judged by pid on this host, or by age. */
function isStale(owner: LockOwner, now: number, staleMs: number): boolean {
  if (now - owner.createdAt > staleMs) return true;
  return owner.host === hostname() && !isProcessAlive(owner.pid);
}

/** Whether two looks at a lock's path saw the same lock (same holder's record, else the same file). */
function sameLock(a: LockInspection, b: LockInspection): boolean {
  if (a.kind === "absent" || b.kind === "absent" || a.kind !== b.kind) return false;
  if (a.kind === "held" && b.kind === "held") return a.owner.nonce === b.owner.nonce;
  return a.ino === b.ino;
}

/** Removes whatever sits at a lock's path, never following a link: an empty folder with rmdir, else unlink. */
async function removeLock(path: string, judged: LockInspection): Promise<void> {
  if (judged.kind === "broken" && judged.shape === "directory") await rmdir(path).catch(() => undefined);
  else await unlink(path).catch(() => undefined);
}

/** Removes the lock at `path` if it is still the stale one we judged, under the takeover lock. */
async function takeOver(path: string, judged: LockInspection, me: LockOwner): Promise<void> {
  const takeoverPath = `${path}.takeover`;
  if (!(await tryCreate(takeoverPath, me))) {
    const holder = await inspectLock(takeoverPath).catch(() => undefined);
    // The takeover lock is held for microseconds; a dead, ancient or broken holder is cleared.
    if (
      holder !== undefined &&
      (holder.kind === "broken"
        ? holder.nonEmptyDirectory !== true
        : holder.kind === "partial"
          ? Date.now() - holder.mtimeMs > 1000
          : holder.kind === "held" && isStale(holder.owner, Date.now(), 5000))
    ) {
      await removeLock(takeoverPath, holder);
    }
    return;
  }
  try {
    const current = await inspectLock(path).catch(() => undefined);
    // One removal: a crash leaves either the stale lock (judged again by the next waiter) or nothing.
    if (current !== undefined && sameLock(current, judged)) await removeLock(path, current);
  } finally {
    await unlink(takeoverPath).catch(() => undefined);
  }
}

/** LOCK_BROKEN: a folder with files at the lock's path, which awslogin will not delete. */
function brokenLockError(path: string, reason: string): AwsLoginError {
  return new AwsLoginError(
    "LOCK_BROKEN",
    `The lock ${path} is not a lock awslogin can use: ${reason}. Look at what it holds, remove it (\`rm -r ${path}\`) and try again.`,
    { path },
  );
}

/** The lock of a login session's cache file (`<cache file>.lock`), for the refresh and login drivers. */
export function sessionLock(store: Pick<TokenStore, "pathFor">, options: Omit<LockOptions, "signal"> = {}) {
  return (loginSession: string, signal?: AbortSignal): Promise<ReleaseLock> =>
    acquireLock(
      `${store.pathFor(loginSession)}.lock`,
      signal === undefined ? options : { ...options, signal },
    );
}

/**
 * The session's lock only when nobody holds it: a stale or broken lock is taken over as {@link sessionLock} does,
 * but a live holder is not waited on (undefined). For callers that have still-valid credentials to serve.
 */
export function sessionTryLock(
  store: Pick<TokenStore, "pathFor">,
  options: Omit<LockOptions, "signal"> = {},
) {
  return (loginSession: string): Promise<ReleaseLock | undefined> =>
    tryAcquireLock(`${store.pathFor(loginSession)}.lock`, options);
}

/** Takes the lock at `path` if no live holder has it (stale and broken locks are taken over); else undefined. */
export async function tryAcquireLock(
  path: string,
  options: Omit<LockOptions, "signal"> = {},
): Promise<ReleaseLock | undefined> {
  return acquire(path, options, true);
}

/**
 * Takes the lock at `path`, waiting for a live holder to finish.
 * @returns the release function.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<ReleaseLock> {
  return (await acquire(path, options, false)) as ReleaseLock;
}

function stoppedWaiting(): AwsLoginError {
  return new AwsLoginError(
    "LOCK_TIMEOUT",
    "Stopped waiting for another awslogin process to finish refreshing.",
  );
}

/** How many takeovers a try without waiting attempts before it calls the lock held (others take over too). */
const TRY_ATTEMPTS = 5;

async function acquire(path: string, options: LockOptions, once: boolean): Promise<ReleaseLock | undefined> {
  let attempts = 0;
  const waitMs = options.waitMs ?? 60_000;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  let poll = options.pollMs ?? 10;
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    createdAt: started,
    nonce: randomBytes(12).toString("hex"),
  };

  for (;;) {
    me.createdAt = Date.now();
    if (await tryCreate(path, me)) break;
    const seen = await inspectLock(path).catch(() => undefined);
    if (seen?.kind === "partial") {
      // A holder killed between creating and writing the file: give it a moment, then take over.
      if (Date.now() - seen.mtimeMs > 2000) await takeOver(path, seen, me);
    } else if (seen?.kind === "broken") {
      if (seen.nonEmptyDirectory === true) throw brokenLockError(path, seen.reason);
      await takeOver(path, seen, me);
      if (!once || ++attempts < TRY_ATTEMPTS) continue;
    } else if (seen?.kind === "held" && isStale(seen.owner, Date.now(), staleMs)) {
      await takeOver(path, seen, me);
      if (!once || ++attempts < TRY_ATTEMPTS) continue;
    }
    if (once) return undefined;
    if (options.signal?.aborted) throw stoppedWaiting();
    if (clock.now() - started > waitMs) {
      throw new AwsLoginError(
        "LOCK_TIMEOUT",
        `Another process has been refreshing these credentials for over ${Math.round(waitMs / 1000)} s (lock ${path}). Try again.`,
        { path, remedy: { kind: "diagnose" } },
      );
    }
    try {
      await clock.sleep(poll + Math.random() * poll, options.signal);
    } catch {
      throw stoppedWaiting();
    }
    poll = Math.min(poll * 2, 100);
  }

  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Only remove the lock if it is still ours (a backstop takeover may have replaced it).
    const seen = await inspectLock(path).catch(() => undefined);
    if (seen?.kind === "held" && seen.owner.nonce === me.nonce) await unlink(path).catch(() => undefined);
  };
}

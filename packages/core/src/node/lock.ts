/**
 * An inter-process lock per login session: one refresh at a time across every process on the machine.
 *
 * The lock is a file `<cache file>.lock` created with O_EXCL, holding the holder's pid, host and start
 * time. A lock whose holder is no longer alive (same host) is taken over at once; one older than
 * `staleMs` is taken over whatever its holder (a backstop for pid reuse and other hosts sharing the
 * folder). Takeovers are serialized by a second, short-lived lock so two waiters never both remove it.
 * A waiter gives up after `waitMs` with LOCK_TIMEOUT: nobody waits forever.
 */
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname } from "node:path";
import { AwsLoginError } from "../errors.js";
import { LOCK_STALE_MS } from "../refresh.js";
import type { TokenStore } from "../token-store.js";
import { errnoCode } from "./errno.js";
import { isProcessAlive } from "./system.js";

export interface LockOptions {
  /** Give up waiting after this long (default 60 s). */
  waitMs?: number;
  /** A lock older than this is stale even when its holder seems alive (default 90 s). */
  staleMs?: number;
  /** First poll interval; grows to 100 ms (default 10 ms). */
  pollMs?: number;
  signal?: AbortSignal;
}

interface LockOwner {
  pid: number;
  host: string;
  createdAt: number;
  nonce: string;
}

/** Releases a held lock. Safe to call twice; never throws. */
export type ReleaseLock = () => Promise<void>;

async function readOwner(path: string): Promise<LockOwner | undefined | "unreadable"> {
  try {
    const parsed = JSON.parse(await readFile(path, "utf8")) as Partial<LockOwner>;
    if (
      typeof parsed.pid !== "number" ||
      typeof parsed.createdAt !== "number" ||
      typeof parsed.nonce !== "string"
    ) {
      return "unreadable";
    }
    return { pid: parsed.pid, host: String(parsed.host), createdAt: parsed.createdAt, nonce: parsed.nonce };
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    return "unreadable";
  }
}

/** Creates `path` exclusively with our owner record; false when it exists. */
async function tryCreate(path: string, owner: LockOwner, retried = false): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, "wx", 0o600);
    await handle.writeFile(JSON.stringify(owner));
    return true;
  } catch (error) {
    const code = errnoCode(error);
    if (code === "EEXIST") return false;
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

/** A file the creator may have written partly (killed between open and write): judge it by its age. */
async function isAbandonedPartial(path: string, staleAfterMs: number): Promise<boolean> {
  try {
    const info = await stat(path);
    return Date.now() - info.mtimeMs > staleAfterMs;
  } catch {
    return false;
  }
}

/** Removes the lock at `path` if it is still the stale one we judged, under the takeover lock. */
async function takeOver(path: string, judged: LockOwner | "unreadable", me: LockOwner): Promise<void> {
  const takeoverPath = `${path}.takeover`;
  if (!(await tryCreate(takeoverPath, me))) {
    const holder = await readOwner(takeoverPath);
    // The takeover lock is held for microseconds; a dead or ancient holder is cleared.
    if (
      holder === "unreadable"
        ? await isAbandonedPartial(takeoverPath, 1000)
        : holder && isStale(holder, Date.now(), 5000)
    ) {
      await unlink(takeoverPath).catch(() => undefined);
    }
    return;
  }
  try {
    const current = await readOwner(path);
    const same =
      current === "unreadable"
        ? judged === "unreadable"
        : current !== undefined && judged !== "unreadable" && current.nonce === judged.nonce;
    // One unlink: a crash leaves either the stale lock (judged again by the next waiter) or nothing.
    if (same) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(takeoverPath).catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The lock of a login session's cache file (`<cache file>.lock`), for the refresh and login drivers. */
export function sessionLock(store: Pick<TokenStore, "pathFor">, options: Omit<LockOptions, "signal"> = {}) {
  return (loginSession: string, signal?: AbortSignal): Promise<ReleaseLock> =>
    acquireLock(
      `${store.pathFor(loginSession)}.lock`,
      signal === undefined ? options : { ...options, signal },
    );
}

/**
 * Takes the lock at `path`, waiting for a live holder to finish.
 * @returns the release function.
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<ReleaseLock> {
  const waitMs = options.waitMs ?? 60_000;
  const staleMs = options.staleMs ?? LOCK_STALE_MS;
  let poll = options.pollMs ?? 10;
  const started = Date.now();
  const me: LockOwner = {
    pid: process.pid,
    host: hostname(),
    createdAt: started,
    nonce: randomBytes(12).toString("hex"),
  };

  for (;;) {
    me.createdAt = Date.now();
    if (await tryCreate(path, me)) break;
    const owner = await readOwner(path);
    if (owner === "unreadable") {
      // A holder killed between creating and writing the file: give it a moment, then take over.
      if (await isAbandonedPartial(path, 2000)) await takeOver(path, owner, me);
    } else if (owner !== undefined && isStale(owner, Date.now(), staleMs)) {
      await takeOver(path, owner, me);
      continue;
    }
    if (options.signal?.aborted) {
      throw new AwsLoginError(
        "LOCK_TIMEOUT",
        "Stopped waiting for another awslogin process to finish refreshing.",
      );
    }
    if (Date.now() - started > waitMs) {
      throw new AwsLoginError(
        "LOCK_TIMEOUT",
        `Another process has been refreshing these credentials for over ${Math.round(waitMs / 1000)} s (lock ${path}). Try again; if it persists, run \`awslogin doctor\`.`,
        { path },
      );
    }
    await sleep(poll + Math.random() * poll);
    poll = Math.min(poll * 2, 100);
  }

  let released = false;
  return async () => {
    if (released) return;
    released = true;
    // Only remove the lock if it is still ours (a backstop takeover may have replaced it).
    const owner = await readOwner(path);
    if (owner !== undefined && owner !== "unreadable" && owner.nonce === me.nonce) {
      await unlink(path).catch(() => undefined);
    }
  };
}

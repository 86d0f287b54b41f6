/**
 * `logout` on the file system: removes a session's cache file, or every login token in the cache folder,
 * each under its inter-process lock so a refresh in progress cannot write the file back afterwards. Taking the
 * lock also clears a stale one (dead holder, or older than 90 s); releasing it removes the lock file.
 * Never touches the config file and calls no service, as `aws logout`. @see docs/protocol.md §7
 */
import { stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import { AwsLoginError } from "../errors.js";
import { isLoginTokenShaped } from "../token-cache.js";
import { removeTempFiles } from "./atomic-write.js";
import { readRegularFile } from "./bounded-read.js";
import { errnoCode } from "./errno.js";
import { acquireLock } from "./lock.js";
import { readCacheDirectory } from "./token-store.js";

/** How long logout waits for a refresh in progress before giving up (nothing removed). */
const LOCK_WAIT_MS = 10_000;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes `path` (a login token cache file) under `<path>.lock`.
 * @returns whether there was a file to remove.
 */
export async function removeCacheFile(path: string): Promise<boolean> {
  const lockPath = `${path}.lock`;
  if (!(await exists(path)) && !(await exists(lockPath))) return false;
  const release = await acquireLock(lockPath, { waitMs: LOCK_WAIT_MS });
  try {
    // Under the lock no write is in flight: every temp file of this cache file is abandoned, and holds secrets.
    await removeTempFiles(path, { all: true });
    await unlink(path);
    return true;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw new AwsLoginError(
      "CACHE_WRITE_FAILED",
      `Could not delete the login token cache file ${path} (${errnoCode(error)}). Check the permissions of its folder.`,
      { path, cause: error },
    );
  } finally {
    await release();
  }
}

/** Our atomic writer's temp files (`.<name>.<pid>.<random>.tmp`): removed with their cache file, not on their own. */
const TEMP_FILE = /^\..+\.tmp$/;

/**
 * Every file directly in `directory` that holds JSON whose `accessToken` is an object with `accessKeyId`,
 * as `aws logout --all` finds them (any name; other files are left alone). @see docs/protocol.md §6, §7
 */
async function findLoginTokenFiles(directory: string): Promise<string[]> {
  const names = await readCacheDirectory(directory);
  const found: string[] = [];
  for (const name of names.sort()) {
    if (TEMP_FILE.test(name)) continue;
    const path = join(directory, name);
    let json: unknown;
    try {
      json = JSON.parse(await readRegularFile(path));
    } catch {
      continue; // a folder, a FIFO, a huge or unreadable file, or not JSON: not ours to delete
    }
    if (isLoginTokenShaped(json)) found.push(path);
  }
  return found;
}

/** Removes every login token file of the cache folder; resolves to the paths removed. */
export async function removeAllLoginTokens(directory: string): Promise<string[]> {
  const removed: string[] = [];
  for (const path of await findLoginTokenFiles(directory)) {
    if (await removeCacheFile(path)) removed.push(path);
  }
  return removed;
}

/**
 * The shared config file on disk: where it is, reading it, and replacing it atomically without
 * changing its mode, owner or symlink. @see docs/protocol.md §7
 */
import type { Stats } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { join } from "node:path";
import { getProfile, parseConfigFile, setProfileValues } from "../config.js";
import { AwsLoginError } from "../errors.js";
import { writeFileAtomic } from "./atomic-write.js";
import { describeUnsafeFile, MAX_SHARED_FILE_BYTES, readRegularFile } from "./bounded-read.js";
import { errnoCode } from "./errno.js";
import { acquireLock } from "./lock.js";

/** How long a config edit waits for another process's edit (each holds the lock for milliseconds). */
const CONFIG_LOCK_WAIT_MS = 30_000;

/** `$AWS_CONFIG_FILE` (a leading `~/` expanded, as the SDK does) else `<home>/.aws/config`. @see docs/protocol.md §7 */
export function resolveConfigFilePath(args: {
  env: Record<string, string | undefined>;
  homeDir: string;
}): string {
  const configured = args.env.AWS_CONFIG_FILE;
  if (!configured) return join(args.homeDir, ".aws", "config");
  if (configured.startsWith("~/") || configured.startsWith("~\\"))
    return join(args.homeDir, configured.slice(2));
  return configured;
}

/** The config file's text, "" when it does not exist; CONFIG_MALFORMED when it exists but cannot be read. @see docs/protocol.md §7 */
export async function readConfigText(path: string): Promise<string> {
  try {
    // Never block on a FIFO or read without end: a config file is a small regular file.
    return await readRegularFile(path, MAX_SHARED_FILE_BYTES);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT") return "";
    const unsafe = describeUnsafeFile(error, MAX_SHARED_FILE_BYTES);
    throw new AwsLoginError(
      "CONFIG_MALFORMED",
      `The AWS config file ${path} could not be read (${unsafe ?? code}). Check that it is a file you can read, or point AWS_CONFIG_FILE elsewhere.`,
      { path, cause: error },
    );
  }
}

/**
 * Replaces the config file atomically (temp file + rename), keeping its mode and owner and writing through a
 * symlink; a new file gets 0600, a new directory 0700. CONFIG_WRITE_FAILED leaves the old file intact. @see docs/protocol.md §7
 */
export async function writeConfigText(path: string, text: string): Promise<void> {
  let existing: Stats | undefined;
  let target: string;
  try {
    // Write where a symlinked config (dotfile managers) really lives, so the link survives.
    target = await configTarget(path);
    existing = await stat(target).catch((error: unknown) => {
      if (errnoCode(error) === "ENOENT") return undefined;
      throw error;
    });
  } catch (error) {
    throw configWriteFailed(path, error);
  }
  // A rename would replace a file its owner made read-only (and root can rename over anything): judge by the mode
  // bits, not by access(2), which says yes to root for every file.
  if (existing !== undefined && !isWritableByUs(existing)) {
    throw new AwsLoginError(
      "CONFIG_WRITE_FAILED",
      `The AWS config file ${path} is read-only for you (mode ${(existing.mode & 0o777).toString(8).padStart(4, "0")}${existing.uid === process.getuid?.() ? "" : `, owner uid ${existing.uid}`}), so awslogin left it as it was. Make it writable (\`chmod u+w ${path}\`, as its owner) or point AWS_CONFIG_FILE at a file you own, then run the command again.`,
      { path },
    );
  }
  try {
    const rewritesOthersFile = existing !== undefined && process.getuid?.() === 0 && existing.uid !== 0;
    await writeFileAtomic(target, text, {
      mode: existing === undefined ? 0o600 : existing.mode & 0o777,
      directoryMode: 0o700,
      owner:
        rewritesOthersFile && existing !== undefined ? { uid: existing.uid, gid: existing.gid } : undefined,
    });
  } catch (error) {
    throw configWriteFailed(path, error);
  }
}

function configWriteFailed(path: string, error: unknown): AwsLoginError {
  if (AwsLoginError.isInstance(error) && error.code === "CONFIG_WRITE_FAILED") return error;
  const cause = errnoCode(error) === "ENOSPC" ? "the disk is full" : errnoCode(error);
  return new AwsLoginError(
    "CONFIG_WRITE_FAILED",
    `Could not update the AWS config file ${path} (${cause}). Check that you can write to it and to its folder${cause === "the disk is full" ? ", and free some space" : ""}; the file was left as it was.`,
    { path, cause: error },
  );
}

/** The file a config path really names (through a symlink); the path itself when it does not exist yet. */
async function configTarget(path: string): Promise<string> {
  return realpath(path).catch((error: unknown) => {
    if (errnoCode(error) === "ENOENT") return path;
    throw error;
  });
}

/** The owner's write bit is set and we are the owner (or root, who may edit a user's file for them). */
function isWritableByUs(info: Stats): boolean {
  if (process.platform === "win32") return (info.mode & 0o200) !== 0;
  const uid = process.getuid?.();
  return (info.mode & 0o200) !== 0 && (uid === 0 || uid === info.uid);
}

/**
 * Read-modify-write of the config file under an inter-process lock (`<config>.lock`, the session locks'
 * mechanism): `edit` gets the text as it is now, read inside the lock, so concurrent edits (20 logins to
 * different profiles at once) all land. `edit` may throw to write nothing. @see docs/protocol.md §7
 */
export async function editConfigText(path: string, edit: (text: string) => string): Promise<void> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(`${await configTarget(path)}.lock`, { waitMs: CONFIG_LOCK_WAIT_MS });
  } catch (error) {
    if (AwsLoginError.isInstance(error) && error.code === "LOCK_TIMEOUT") {
      throw new AwsLoginError(
        "LOCK_TIMEOUT",
        `Another process has been editing the AWS config file ${path} for over ${CONFIG_LOCK_WAIT_MS / 1000} s (lock ${path}.lock); nothing was changed. Try again.`,
        { path, remedy: { kind: "diagnose" } },
      );
    }
    throw configWriteFailed(path, AwsLoginError.isInstance(error) ? (error.cause ?? error) : error);
  }
  try {
    const text = await readConfigText(path);
    const updated = edit(text);
    if (updated !== text) await writeConfigText(path, updated);
  } finally {
    await release();
  }
}

/**
 * Reads the config, lets `guard` veto the profile (it may throw, e.g. PROFILE_HAS_OTHER_CREDENTIALS, and
 * then nothing is written), sets `values` in the profile and writes the file back. @see docs/protocol.md §7
 */
export async function updateProfile(
  path: string,
  profileName: string,
  values: Record<string, string>,
  guard?: (profile: Record<string, string | undefined> | undefined) => void,
): Promise<void> {
  await editConfigText(path, (text) => {
    guard?.(getProfile(parseConfigFile(text), profileName));
    return setProfileValues(text, profileName, values);
  });
}

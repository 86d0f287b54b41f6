/**
 * A cache hit without core: the profile read with core's dependency-free config reader, its login_session's
 * cache file checked by the hot path's reader, more than 5 minutes left. Shared by the
 * `awslogin-credential-process` binary and the CLI's `export` and `exec`, which take core's full path
 * (refresh under the lock, every check and message) only when this answers undefined.
 * @see docs/protocol.md §6, §7, §8
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { getProfile, mergeProfile, parseConfigFile, parseCredentialsFile } from "@awslogin/core/config";
import { type CachedCredentials, cacheKey, readCachedCredentials } from "./cached-credentials.js";
import { cacheDirectoryOf, configPathOf, credentialsPathOf } from "./paths.js";

/** core's cap on a cache file read (`MAX_CACHE_FILE_BYTES`): a record is about 2 KB. */
const MAX_CACHE_FILE_BYTES = 1024 * 1024;
/** As core's MAX_SHARED_FILE_BYTES: the largest config or credentials file read. */
const MAX_SHARED_FILE_BYTES = 16 * 1024 * 1024;

/** Refresh once this little time is left, as every SDK does (core's threshold). @see docs/protocol.md §8 */
const REFRESH_THRESHOLD_MS = 5 * 60 * 1000;

export interface CacheHit {
  credentials: CachedCredentials;
  /** The profile's region (config file, overridden by the credentials file), when it has one. */
  region: string | undefined;
}

/**
 * The credentials straight from the cache when that is certainly what core would answer: the profile has a
 * login_session, its cache file is well formed, and more than 5 minutes are left. Else undefined (core decides
 * and explains). Never throws.
 */
export function readCacheHit(
  profile: string,
  env: NodeJS.ProcessEnv,
  now: number = Date.now(),
  home: string = homedir(),
): CacheHit | undefined {
  const directory = cacheDirectoryOf(env, home);
  if (directory === undefined) return undefined;
  try {
    // The SDKs' view of the profile: the config file's keys, overridden by the credentials file's section.
    const sections = parseCredentialsFile(readOptional(credentialsPathOf(env, home)));
    const section = mergeProfile(
      getProfile(
        parseConfigFile(
          readSmallRegularFile(configPathOf(env, home), MAX_SHARED_FILE_BYTES).toString("utf8"),
        ),
        profile,
      ),
      Object.hasOwn(sections, profile) ? sections[profile] : undefined,
    );
    const session = section?.login_session;
    if (!session) return undefined;
    // Bytes, not "utf8": invalid UTF-8 must be refused, not read with replacement characters.
    // core's rule (untrustedFolderReason), kept here without core: core's path refuses with the reason and fix.
    if (!isTrustedFolder(directory) || !isTrustedFolder(dirname(directory))) return undefined;
    const credentials = readCachedCredentials(
      readSmallRegularFile(join(directory, `${cacheKey(session)}.json`)),
    );
    if (credentials === undefined || credentials.expiration - now <= REFRESH_THRESHOLD_MS) return undefined;
    return { credentials, region: section.region || undefined };
  } catch {
    return undefined;
  }
}

/**
 * Whether nobody else can plant a cache file here: not writable by group or others unless sticky, and ours or
 * root's (root trusts the owner of the folder it was pointed at). A folder that cannot be looked at is doubtful.
 */
function isTrustedFolder(path: string): boolean {
  if (process.platform === "win32") return true;
  const info = statSync(path);
  if ((info.mode & 0o022) !== 0 && (info.mode & 0o1000) === 0) return false;
  const uid = process.getuid?.();
  return uid === undefined || uid === 0 || info.uid === uid || info.uid === 0;
}

/**
 * A cache file's bytes, read as core reads it: opened non-blocking (a FIFO cannot stall us), a regular file by
 * fstat, at most 1 MiB. Throws otherwise, and core's path then refuses the file with its message.
 */
function readSmallRegularFile(path: string, maxBytes = MAX_CACHE_FILE_BYTES): Buffer {
  const fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > maxBytes) throw new Error("not a small regular file");
    const buffer = Buffer.alloc(info.size + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, buffer, length, buffer.length - length, length);
      if (read === 0) break;
      length += read;
      if (length === buffer.length) throw new Error("the file grew while it was read");
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * A file's text, or "" when it does not exist or cannot be read (as the SDKs read the credentials file, and as core's
 * reader treats a FIFO or an oversized file).
 */
function readOptional(path: string): string {
  try {
    return readSmallRegularFile(path, MAX_SHARED_FILE_BYTES).toString("utf8");
  } catch {
    return "";
  }
}

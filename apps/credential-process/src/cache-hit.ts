/**
 * A cache hit without core: the profile read with core's dependency-free config reader, its login_session's
 * cache file checked by the hot path's reader, more than 5 minutes left. Shared by the
 * `awslogin-credential-process` binary and the CLI's `export` and `exec`, which take core's full path
 * (refresh under the lock, every check and message) only when this answers undefined.
 * @see PROTOCOL.md §6, §7, §8
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { getProfile, mergeProfile, parseConfigFile, parseCredentialsFile } from "@awslogin/core/config";
import { type CachedCredentials, cacheKey, readCachedCredentials } from "./cached-credentials.js";
import { cacheDirectoryOf, configPathOf, credentialsPathOf } from "./paths.js";

/** Refresh once this little time is left, as every SDK does (core's threshold). @see PROTOCOL.md §8 */
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
      getProfile(parseConfigFile(readFileSync(configPathOf(env, home), "utf8")), profile),
      Object.hasOwn(sections, profile) ? sections[profile] : undefined,
    );
    const session = section?.login_session;
    if (!session) return undefined;
    // Bytes, not "utf8": invalid UTF-8 must be refused, not read with replacement characters.
    const credentials = readCachedCredentials(readFileSync(join(directory, `${cacheKey(session)}.json`)));
    if (credentials === undefined || credentials.expiration - now <= REFRESH_THRESHOLD_MS) return undefined;
    return { credentials, region: section.region || undefined };
  } catch {
    return undefined;
  }
}

/** A file's text, or "" when it does not exist or cannot be read (as the SDKs read the credentials file). */
function readOptional(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

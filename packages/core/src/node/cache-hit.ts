/**
 * `@awslogin/core/cache-hit`: a cache hit without zod, undici or the refresh path. The profile is read with core's
 * dependency-free config reader, its login_session's cache file with the bounded reader and checked by a small
 * structural check held equal to core's schema, and more than 5 minutes must be left. Shared by the
 * `awslogin-credential-process` binary, the SDK provider and the CLI's `export` and `exec`, which take core's full
 * path (refresh under the lock, every check and message) only when this answers undefined. `readStatusHit` is the
 * same for `awslogin status --json`: a session's status judged by core's own judge from a record that passed the
 * structural check, or undefined (then `readSessionStatuses` in `@awslogin/core/node` reads and explains).
 * @see docs/protocol.md §6, §7, §8
 */
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import {
  type CacheHitFiles,
  configPathOf,
  credentialsPathOf,
  resolveCacheHitFiles,
  type SharedFileOptions,
} from "../cache-hit-paths.js";
import { untrustedFolderReason } from "../cache-trust.js";
import {
  type CachedCredentials,
  cacheKey,
  readCachedCredentials,
  readCachedRecord,
} from "../cached-credentials.js";
import { getProfile, mergeProfile, parseConfigFile, parseCredentialsFile } from "../config.js";
import { decodeUtf8Strictly } from "../credential-format.js";
import { REFRESH_THRESHOLD_MS } from "../protocol.js";
import { type LoginSettingsInput, resolveCacheDirectory, resolveRegion } from "../resolve.js";
import {
  isRoleProfile,
  parseRoleCacheRecord,
  type RoleChain,
  resolveRoleChain,
  roleCacheKey,
} from "../role-profile.js";
import {
  isUsableState,
  judgeSessionStatus,
  profileFacts,
  type SessionState,
  type SessionStatus,
} from "../session-status.js";
import type { TokenCacheRecord } from "../token-cache.js";
import { MAX_SHARED_FILE_BYTES, readRegularBytesSync } from "./bounded-read.js";
import { resolveRoleCacheDirectory } from "./role-cache-path.js";

export type { CachedCredentials, CacheHitFiles, SessionState, SessionStatus, SharedFileOptions };
export { isUsableState, REFRESH_THRESHOLD_MS, resolveCacheHitFiles };

/** What a cache hit answers: the cached credentials, and the region callers print or pass beside them. */
export interface CacheHit {
  /** The credentials, with more than 5 minutes left. */
  credentials: CachedCredentials;
  /** The configured region (core's resolveRegion: AWS_REGION, AWS_DEFAULT_REGION, the profile's), when one is set. */
  region: string | undefined;
}

/** Which profiles a cache hit may answer besides login profiles. */
export interface CacheHitKinds {
  /**
   * Also role profiles (`role_arn` + `source_profile` down to a login profile), from the assume-role cache: only for
   * callers whose full path resolves role profiles too (`loadCredentialsForProfile`). Default false.
   */
  roleProfiles?: boolean;
}

/**
 * The credentials straight from the cache when that is certainly what core would answer: the profile has a
 * login_session, its cache file is well formed, and more than 5 minutes are left (or, with `kinds.roleProfiles`, a role
 * profile whose last role's assume-role cache entry has more than 5 minutes left). Else undefined (core decides
 * and explains). Never throws.
 */
export function readCacheHit(
  profile: string,
  env: NodeJS.ProcessEnv,
  now: number = Date.now(),
  home: string = homedir(),
  options: SharedFileOptions = {},
  kinds: CacheHitKinds = {},
): CacheHit | undefined {
  const files = resolveCacheHitFiles(env, home, options);
  if (files === undefined) return undefined;
  const directory = files.cacheDirectory;
  try {
    // The SDKs' view of the profile: the config file's keys, overridden by the credentials file's section.
    const config = parseConfigFile(readConfigText(files.configPath));
    const sections = parseCredentialsFile(readOptional(files.credentialsPath));
    const settings: LoginSettingsInput = { options: { profile }, env, config, credentials: sections };
    const section = mergeProfile(
      getProfile(config, profile),
      Object.hasOwn(sections, profile) ? sections[profile] : undefined,
    );
    if (kinds.roleProfiles === true && isRoleProfile(section)) {
      const lookup = (name: string) =>
        mergeProfile(getProfile(config, name), Object.hasOwn(sections, name) ? sections[name] : undefined);
      const credentials = readRoleHit(resolveRoleChain(profile, lookup, files.configPath), env, now, home);
      return credentials === undefined ? undefined : { credentials, region: resolveRegion(settings)?.value };
    }
    const session = section?.login_session;
    if (!session) return undefined;
    // core's full path refuses an untrusted folder with the reason and the fix.
    if (!isTrustedFolder(directory) || !isTrustedFolder(dirname(directory))) return undefined;
    // Bytes, not "utf8": invalid UTF-8 must be refused, not read with replacement characters.
    const credentials = readCachedCredentials(
      readRegularBytesSync(join(directory, `${cacheKey(session)}.json`)),
    );
    if (credentials === undefined || credentials.expiration - now <= REFRESH_THRESHOLD_MS) return undefined;
    return { credentials, region: resolveRegion(settings)?.value };
  } catch {
    return undefined;
  }
}

/**
 * A role profile's last role credentials from the assume-role cache when they have more than 5 minutes left (core's
 * full path re-reads, locks and assumes otherwise). Throws on anything doubtful; the caller answers undefined.
 * @see docs/protocol.md §17.5
 */
function readRoleHit(
  chain: RoleChain,
  env: NodeJS.ProcessEnv,
  now: number,
  home: string,
): CachedCredentials | undefined {
  const directory = resolveRoleCacheDirectory(env, undefined, home);
  if (!isTrustedFolder(directory) || !isTrustedFolder(dirname(directory))) return undefined;
  const last = chain.steps.at(-1)!;
  const text = decodeUtf8Strictly(readRegularBytesSync(join(directory, `${roleCacheKey(last)}.json`)));
  const role = text === undefined ? undefined : parseRoleCacheRecord(text);
  if (role === undefined || role.expiresAt - now <= REFRESH_THRESHOLD_MS) return undefined;
  const accountId = role.accountId ?? /::(\d{12}):role\//.exec(last.roleArn)?.[1];
  if (accountId === undefined) return undefined;
  return {
    accessKeyId: role.accessKeyId,
    secretAccessKey: role.secretAccessKey,
    sessionToken: role.sessionToken,
    expiration: role.expiresAt,
    accountId,
  };
}

/**
 * One profile's session status as `readSessionStatuses` (`@awslogin/core/node`) would judge it at `now`, read from
 * the same files (the config file's profile, its login_session's cache file in core's cache folder), when the cache
 * file passes the structural check; also a profile without a login_session. Undefined when anything else is so (no
 * cache file, a file that fails the check, a config file that cannot be read): the full reader decides and explains.
 * Never throws, never writes.
 */
export function readStatusHit(
  profile: string,
  env: NodeJS.ProcessEnv,
  now: number = Date.now(),
  home: string = homedir(),
): SessionStatus | undefined {
  const configPath = configPathOf(env, home);
  const credentialsPath = credentialsPathOf(env, home);
  if (configPath === undefined || credentialsPath === undefined) return undefined;
  try {
    // The SDKs' view of the profile, as readSessionStatuses reads it: the credentials file's keys over the config's.
    const sections = parseCredentialsFile(readOptional(credentialsPath));
    const section = mergeProfile(
      getProfile(parseConfigFile(readConfigText(configPath)), profile),
      Object.hasOwn(sections, profile) ? sections[profile] : undefined,
    );
    // A role profile's status names its chain and its roles' cache: the full reader's to tell.
    if (isRoleProfile(section)) return undefined;
    const base = profileFacts(profile, section);
    const { loginSession } = base;
    if (loginSession === undefined) {
      return judgeSessionStatus({ ...base, cachePath: undefined, record: undefined }, now);
    }
    const directory = resolveCacheDirectory({ env, homeDir: home }).value;
    const cachePath = join(directory, `${cacheKey(loginSession)}.json`);
    const checked = readCachedRecord(readRegularBytesSync(cachePath));
    if (checked === undefined) return undefined;
    // The structural check passed, so core's parseTokenCache accepts this object and returns it as it is.
    const record = checked.record as unknown as TokenCacheRecord;
    return judgeSessionStatus({ ...base, cachePath, record }, now);
  } catch {
    return undefined;
  }
}

/**
 * Whether nobody else can plant a cache file here (core's rule); a folder that cannot be looked at throws. node:fs
 * as bounded-read.ts takes it, without an ESM import.
 */
function isTrustedFolder(path: string): boolean {
  if (process.platform === "win32") return true;
  return (
    untrustedFolderReason(process.getBuiltinModule("node:fs").statSync(path), process.getuid?.()) ===
    undefined
  );
}

/** The config file's text, "" when it does not exist (as core); any other failure throws, and core explains it. */
function readConfigText(path: string): string {
  try {
    return readRegularBytesSync(path, MAX_SHARED_FILE_BYTES).toString("utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw error;
  }
}

/**
 * A file's text, or "" when it does not exist or cannot be read (as the SDKs read the credentials file, and as core's
 * reader treats a FIFO or an oversized file).
 */
function readOptional(path: string): string {
  try {
    return readRegularBytesSync(path, MAX_SHARED_FILE_BYTES).toString("utf8");
  } catch {
    return "";
  }
}

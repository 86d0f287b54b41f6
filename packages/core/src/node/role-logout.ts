/**
 * `logout` for role profiles: the assumed-role cache entries that a login session's credentials produced are removed
 * with it, so that no tool answers a role profile from the cache after its login is gone. Entries are named as the
 * role resolver names them (the AWS CLI's keys, docs/protocol.md §17.5); an entry another chain may own is kept.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { parseConfigFile } from "../config.js";
import { AwsLoginError } from "../errors.js";
import {
  defaultRoleSessionName,
  isRoleProfile,
  parseRoleCacheRecord,
  type RoleChain,
  resolveRoleChain,
  roleCacheKey,
} from "../role-profile.js";
import { readRegularFile } from "./bounded-read.js";
import { readConfigText, resolveConfigFilePath } from "./config-files.js";
import { removeCacheFile } from "./logout.js";
import { resolveRoleCacheDirectory } from "./role-cache-path.js";
import { profileOf, readCredentialsFile, resolveSharedFilePaths } from "./shared-files.js";

/** Which files {@link removeRoleCacheEntriesOf} reads; each defaults as the role resolver's. */
export interface RoleCacheCleanupOptions {
  /** The environment to read `AWS_*` and `AWSLOGIN_ROLE_CACHE_DIRECTORY` from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Config file; default AWS_CONFIG_FILE, then ~/.aws/config. */
  configFilepath?: string;
  /** Credentials file; default AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials. */
  filepath?: string;
  /** The assume-role cache folder; default as `resolveRoleCacheDirectory`. */
  roleCacheDirectory?: string;
}

/** What {@link removeRoleCacheEntriesOf} did. */
export interface RoleCacheCleanup {
  /** Entries removed (a missing entry is not counted). */
  removed: number;
  /**
   * Entries kept because a chain rooted in another login session computes the same file name (the AWS CLI's key
   * does not name the source) and the entry could not be told to be this session's.
   */
  kept: number;
}

interface Claim {
  /** True for a chain rooted in the login session being logged out. */
  ours: boolean;
  /** The RoleSessionName the resolver sends for this step. */
  sessionName: string;
}

/** The session name at the end of `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`. */
function sessionNameOf(assumedRoleArn: string | undefined): string | undefined {
  return assumedRoleArn === undefined ? undefined : /\/([^/]+)$/.exec(assumedRoleArn)?.[1];
}

async function readSessionName(path: string): Promise<string | undefined> {
  try {
    return sessionNameOf(parseRoleCacheRecord(await readRegularFile(path))?.assumedRoleArn);
  } catch {
    return undefined;
  }
}

/**
 * Removes the assume-role cache entries of every role profile (in either shared file) whose `source_profile` chain is
 * rooted in `loginSession`, each step of each chain, under each entry's lock. Profiles that do not resolve (a cycle, a
 * missing source, another root) are skipped; a missing entry is fine. Rejects with CACHE_WRITE_FAILED when an entry
 * cannot be deleted.
 */
export async function removeRoleCacheEntriesOf(
  loginSession: string,
  options: RoleCacheCleanupOptions = {},
): Promise<RoleCacheCleanup> {
  const env = options.env ?? process.env;
  const homeDir = homedir();
  const configPath = options.configFilepath ?? resolveConfigFilePath({ env, homeDir });
  const { credentialsPath } = resolveSharedFilePaths({ filepath: options.filepath }, env, homeDir);
  const config = parseConfigFile(await readConfigText(configPath));
  const credentials = await readCredentialsFile(credentialsPath);
  const lookup = (name: string) => profileOf({ config, credentials }, name);
  const names = new Set(
    [...Object.keys(config), ...Object.keys(credentials)].filter(
      (name) => !name.startsWith("services.") && !name.startsWith("sso-session."),
    ),
  );
  const chains: RoleChain[] = [];
  for (const name of names) {
    if (!isRoleProfile(lookup(name))) continue;
    try {
      chains.push(resolveRoleChain(name, lookup, configPath));
    } catch {
      // Not a chain the resolver would follow: it has no cache entries of ours.
    }
  }
  const claims = new Map<string, Claim[]>();
  for (const chain of chains) {
    for (const step of chain.steps) {
      const key = roleCacheKey(step);
      const list = claims.get(key) ?? [];
      list.push({
        ours: chain.loginSession === loginSession,
        sessionName: step.roleSessionName ?? defaultRoleSessionName(chain.loginSession),
      });
      claims.set(key, list);
    }
  }
  const directory = resolveRoleCacheDirectory(env, options.roleCacheDirectory);
  let removed = 0;
  let kept = 0;
  for (const [key, list] of claims) {
    const ours = list.filter((claim) => claim.ours);
    if (ours.length === 0) continue;
    const path = join(directory, `${key}.json`);
    const others = list.filter((claim) => !claim.ours);
    if (others.length > 0) {
      // Shared file name: remove only an entry whose assumed-role session is ours and no other chain's.
      const found = await readSessionName(path);
      const mine =
        found !== undefined &&
        ours.some((claim) => claim.sessionName === found) &&
        !others.some((claim) => claim.sessionName === found);
      if (!mine) {
        if (found !== undefined) kept += 1;
        continue;
      }
    }
    try {
      if (await removeCacheFile(path)) removed += 1;
    } catch (error) {
      if (AwsLoginError.isInstance(error) && error.code === "CACHE_WRITE_FAILED") {
        throw new AwsLoginError(
          error.code,
          error.message.replace("the login token cache file", "the assume-role cache file"),
          { path, cause: error },
        );
      }
      throw error;
    }
  }
  return { removed, kept };
}

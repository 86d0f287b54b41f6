/**
 * Reads what `awslogin status` and `awslogin doctor` judge: the config file and the cache records of login
 * profiles. Only reads: never refreshes, never writes, takes no lock.
 * @see docs/protocol.md §6, §7
 */
import { homedir } from "node:os";
import { type ParsedConfig, type ProfileValues, parseConfigFile } from "../config.js";
import { AwsLoginError } from "../errors.js";
import type { TokenStore } from "../ports.js";
import { resolveCacheDirectory, resolveProfile } from "../resolve.js";
import { judgeSessionStatus, profileFacts, type SessionStatus } from "../session-status.js";
import type { TokenCacheRecord } from "../token-cache.js";
import { readConfigText, resolveConfigFilePath } from "./config-files.js";
import { profileOf, readCredentialsFile, resolveSharedFilePaths } from "./shared-files.js";
import { createFileTokenStore } from "./token-store.js";

/** Which profiles {@link readSessionStatuses} reads, from which files, judged when. */
export interface ReadSessionStatusOptions {
  /** One profile (default: AWS_PROFILE, then `default`); ignored with `all`. */
  profile?: string;
  /** Every profile of the config file that has a login_session. */
  all?: boolean;
  /** The environment to read `AWS_*` variables from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The config file; default `AWS_CONFIG_FILE`, then `~/.aws/config`. */
  configFilepath?: string;
  /** The credentials file; default `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/credentials`. */
  credentialsFilepath?: string;
  /** The token cache folder; default `AWS_LOGIN_CACHE_DIRECTORY`, then `~/.aws/login/cache`. */
  cacheDirectory?: string;
  /** The time to judge at, in milliseconds since the epoch; default now. */
  now?: number;
}

/** The sessions read by {@link readSessionStatuses}, with the files they were read from. */
export interface SessionStatusReport {
  /** The config file read. */
  configPath: string;
  /** The token store of the cache folder read. */
  store: TokenStore;
  /** The config file, parsed. */
  config: ParsedConfig;
  /** The credentials file, parsed (its keys override the config file's, as the SDKs merge them). */
  credentials: Record<string, ProfileValues>;
  /** One per profile asked about, in config file order. */
  statuses: SessionStatus[];
  /** The cache record of each profile whose file could be read. */
  records: Map<string, TokenCacheRecord>;
}

/**
 * The names of the profiles that have a login_session as the SDKs see them (the credentials file's keys over the
 * config file's): the config file's in file order, then those only the credentials file has.
 */
function loginProfileNames(files: {
  config: ParsedConfig;
  credentials: Record<string, ProfileValues>;
}): string[] {
  const configNames = Object.keys(files.config).filter(
    (name) => !name.startsWith("sso-session.") && !name.startsWith("services."),
  );
  const names = [...new Set([...configNames, ...Object.keys(files.credentials)])];
  return names.filter((name) => {
    const session = profileOf(files, name)?.login_session;
    return session !== undefined && session !== "";
  });
}

/** The status of one profile, or of every login profile, judged at `now`. */
export async function readSessionStatuses(
  options: ReadSessionStatusOptions = {},
): Promise<SessionStatusReport> {
  const env = options.env ?? process.env;
  const configPath = options.configFilepath ?? resolveConfigFilePath({ env, homeDir: homedir() });
  const store = createFileTokenStore({
    directory: resolveCacheDirectory({
      options: { cacheDirectory: options.cacheDirectory },
      env,
      homeDir: homedir(),
    }).value,
  });
  const config = parseConfigFile(await readConfigText(configPath));
  const { credentialsPath } = resolveSharedFilePaths(
    { filepath: options.credentialsFilepath, configFilepath: configPath },
    env,
    homedir(),
  );
  const credentials = await readCredentialsFile(credentialsPath);
  const names =
    options.all === true
      ? loginProfileNames({ config, credentials })
      : [resolveProfile({ options: { profile: options.profile }, env }).value];
  const now = options.now ?? Date.now();
  const statuses: SessionStatus[] = [];
  const records = new Map<string, TokenCacheRecord>();
  for (const profile of names) statuses.push(await readOne(profile));
  return { configPath, store, config, credentials, statuses, records };

  async function readOne(profile: string): Promise<SessionStatus> {
    const base = profileFacts(profile, profileOf({ config, credentials }, profile));
    const { loginSession } = base;
    if (loginSession === undefined)
      return judgeSessionStatus({ ...base, cachePath: undefined, record: undefined }, now);
    const cachePath = store.pathFor(loginSession);
    try {
      const record = await store.read(loginSession);
      if (record !== undefined) records.set(profile, record);
      return judgeSessionStatus({ ...base, cachePath, record }, now);
    } catch (error) {
      if (!AwsLoginError.isInstance(error)) throw error;
      return judgeSessionStatus({ ...base, cachePath, record: undefined, error }, now);
    }
  }
}

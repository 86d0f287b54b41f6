/**
 * From a profile name to fresh credentials, on Node: reads the config file, finds the profile's
 * login_session, and runs the refresh driver with the file token store and the inter-process lock.
 * Shared by the SDK provider, the credential_process binary and the CLI's export/exec.
 */
import { homedir } from "node:os";
import { type ProfileValues, parseConfigFile } from "../config.js";
import { credentialsFromRecord, type LoginCredentials } from "../credentials.js";
import { AwsLoginError } from "../errors.js";
import type { TokenStore, Transport } from "../ports.js";
import { getFreshToken } from "../refresh.js";
import { type LoginSettingsInput, resolveCacheDirectory, resolveProfile, resolveRegion } from "../resolve.js";
import type { TokenCacheRecord } from "../token-cache.js";
import { readConfigText, resolveConfigFilePath } from "./config-files.js";
import { sessionLock, sessionTryLock } from "./lock.js";
import { profileOf, readCredentialsFile, resolveSharedFilePaths } from "./shared-files.js";
import { systemClock, systemRandom } from "./system.js";
import { assertTrustedCacheDirectory, createFileTokenStore } from "./token-store.js";
import { type CaBundle, createHttpTransport, resolveCaBundle } from "./transport.js";

/** A profile resolved to its login session, with everything a refresh of it needs to know. */
export interface ProfileSession {
  /** The profile's name, as resolved (option, `AWS_PROFILE`, `default`). */
  profile: string;
  /** The profile's `login_session`, the key of its cache file. */
  loginSession: string;
  /**
   * The configured region (resolve.ts without a record: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's), when
   * one is set; a refresh goes to the record's `signInRegion` first.
   */
  region: string | undefined;
  /** What resolve.ts decides from: the environment, both shared files, the explicit options. */
  settings: Omit<LoginSettingsInput, "recorded">;
  /** The config file that was read. */
  configPath: string;
  /** The file token store of the resolved cache folder. */
  store: TokenStore;
  /** Extra CAs for the Sign-In endpoint: AWS_CA_BUNDLE, then the profile's `ca_bundle`. */
  caBundle: CaBundle | undefined;
}

/** Which profile, files and cache folder to use; each defaults as the AWS SDKs do. */
export interface ResolveProfileOptions {
  /** Default: AWS_PROFILE, then `default`. */
  profile?: string;
  /** The environment to read `AWS_*` variables from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Config file; default AWS_CONFIG_FILE, then ~/.aws/config. */
  configFilepath?: string;
  /** Credentials file; default AWS_SHARED_CREDENTIALS_FILE, then ~/.aws/credentials. */
  filepath?: string;
  /** Token cache folder; default AWS_LOGIN_CACHE_DIRECTORY, then ~/.aws/login/cache. */
  cacheDirectory?: string;
}

/**
 * A profile's `login_session`; PROFILE_NOT_FOUND when neither file has the profile, PROFILE_NOT_LOGIN when it
 * has no session (the SDK provider turns both into `tryNextLink: true`).
 */
export function loginSessionOf(
  profile: string,
  section: ProfileValues | undefined,
  files: { configPath: string; credentialsPath: string },
): string {
  if (section === undefined) {
    throw new AwsLoginError(
      "PROFILE_NOT_FOUND",
      `Profile ${profile} is in neither ${files.configPath} nor ${files.credentialsPath}. Sign in with it to create it.`,
      { path: files.configPath, remedy: { kind: "sign-in", profile } },
    );
  }
  const loginSession = section.login_session;
  if (loginSession === undefined || loginSession === "") {
    throw new AwsLoginError(
      "PROFILE_NOT_LOGIN",
      `Profile ${profile} has no login_session. Sign in with it to get one.`,
      { path: files.configPath, remedy: { kind: "sign-in", profile } },
    );
  }
  return loginSession;
}

/** The profile's login session; PROFILE_NOT_FOUND / PROFILE_NOT_LOGIN when there is none. */
export async function resolveProfileSession(options: ResolveProfileOptions = {}): Promise<ProfileSession> {
  const env = options.env ?? process.env;
  const homeDir = homedir();
  const configPath = options.configFilepath ?? resolveConfigFilePath({ env, homeDir });
  const { credentialsPath } = resolveSharedFilePaths({ filepath: options.filepath }, env, homeDir);
  const config = parseConfigFile(await readConfigText(configPath));
  const credentials = await readCredentialsFile(credentialsPath);
  const input: Omit<LoginSettingsInput, "recorded"> = {
    options: { profile: options.profile, cacheDirectory: options.cacheDirectory },
    env,
    config,
    credentials,
    homeDir,
  };
  // Not the endpoint: only a refresh needs it (refreshEndpoint), and a bad endpoint setting must not stop a hit.
  const profile = resolveProfile(input).value;
  const region = resolveRegion(input);
  const cacheDirectory = resolveCacheDirectory({ ...input, homeDir });
  // The SDK's view: the config file's profile, overridden by the credentials file's section of that name.
  const section = profileOf({ config, credentials }, profile);
  const loginSession = loginSessionOf(profile, section, { configPath, credentialsPath });
  return {
    profile,
    loginSession,
    region: region?.value,
    settings: input,
    configPath,
    store: createFileTokenStore({ directory: cacheDirectory.value }),
    caBundle: resolveCaBundle(env, { name: profile, caBundle: section?.ca_bundle }),
  };
}

/** What {@link loadProfileCredentials} loads, and how; every field is optional. */
export interface LoadCredentialsOptions extends ResolveProfileOptions {
  /** The calling client's region: the last resort, after the record, the environment and the profile (resolve.ts). */
  region?: string;
  /** Explicit Sign-In endpoint; wins over everything (resolve.ts). */
  endpointUrl?: string;
  /** Refresh whatever the expiry. */
  force?: boolean;
  /** The HTTP transport of a refresh; default undici with the profile's CA bundle (`createHttpTransport`). */
  transport?: Transport;
  /** The longest the token request may take, retries included; default 60 s (`REFRESH_DEADLINE_MS`). */
  deadlineMs?: number;
  /** Told about transient problems that did not stop the call. */
  onWarning?: (warning: AwsLoginError) => void;
  /** Cancels the wait for the lock and the refresh request. */
  signal?: AbortSignal;
}

/** Fresh credentials of a profile, with the session they came from. */
export interface LoadedCredentials extends ProfileSession {
  /** The credentials, with more than 5 minutes left (or just refreshed). */
  credentials: LoginCredentials;
  /** The cache record they were taken from. */
  record: TokenCacheRecord;
  /** True when this call refreshed them; false when they were served from the cache. */
  refreshed: boolean;
}

/**
 * Fresh credentials for a profile: cached while more than 5 minutes remain, else refreshed under the lock. Rejects
 * with an AwsLoginError: PROFILE_NOT_FOUND or PROFILE_NOT_LOGIN (the profile is not a login profile: ask another
 * credential source), CACHE_DIRECTORY_UNSAFE, CA_BUNDLE_INVALID, and whatever `getFreshToken` rejects with
 * (CACHE_MISSING, TOKEN_EXPIRED, …: sign in again; NETWORK, TIMEOUT, LOCK_TIMEOUT: try again).
 */
export async function loadProfileCredentials(
  options: LoadCredentialsOptions = {},
): Promise<LoadedCredentials> {
  const env = options.env ?? process.env;
  const session = await resolveProfileSession(options);
  const store = session.store;
  await assertTrustedCacheDirectory(store.directory);
  const fresh = await getFreshToken(
    {
      clock: systemClock,
      random: systemRandom,
      transport:
        options.transport ??
        createHttpTransport({
          env,
          ...(session.caBundle === undefined ? {} : { caBundle: session.caBundle }),
        }),
      store,
      lock: sessionLock(store),
      tryLock: sessionTryLock(store),
    },
    {
      loginSession: session.loginSession,
      profile: session.profile,
      settings: {
        ...session.settings,
        caller: { region: options.region },
        options: { ...session.settings.options, endpointUrl: options.endpointUrl },
      },
      ...(options.force === undefined ? {} : { force: options.force }),
      ...(options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
    },
  );
  if (fresh.warning !== undefined) options.onWarning?.(fresh.warning);
  return {
    ...session,
    credentials: credentialsFromRecord(fresh.record),
    record: fresh.record,
    refreshed: fresh.refreshed,
  };
}

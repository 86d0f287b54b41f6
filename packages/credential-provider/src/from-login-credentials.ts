/**
 * `fromLoginCredentials`: a drop-in for the AWS SDK's provider of that name, on awslogin's core.
 * Differences that callers can observe are improvements, each deliberate:
 * - a cache hit loads neither zod nor undici nor the refresh path (`@awslogin/core/cache-hit`: a bounded read,
 *   a JSON parse and a structural check); core's full path is imported only when a refresh is due or anything
 *   is doubtful, and it decides and explains;
 * - warm calls are answered from memory while the credentials have more than 5 minutes left (the SDK's
 *   provider reads the token cache file on every call);
 * - concurrent calls share one load, and refreshes take the session's inter-process lock, re-read the
 *   cache and write it atomically (0600), so processes never race on the rotating refresh token;
 * - after a transient refresh failure with still-valid credentials, the next attempt waits 30 s.
 * @see docs/protocol.md §6 (cache), §8 (refresh), §15 (the JS SDK's provider)
 */
import { homedir } from "node:os";
import type { LoginCredentials, Transport } from "@awslogin/core";
import {
  type CacheHitFiles,
  REFRESH_THRESHOLD_MS,
  readCacheHit,
  resolveCacheHitFiles,
} from "@awslogin/core/cache-hit";
import type { CaBundle } from "@awslogin/core/node";
import { resolveProfile } from "@awslogin/core/resolve";
import { toProviderError } from "./provider-error.js";
import type {
  CallerProperties,
  FromLoginCredentialsInit,
  Logger,
  LoginCredentialIdentity,
  LoginCredentialProvider,
} from "./types.js";

/** After a refresh failed but the credentials still work, wait this long before trying again (as the Rust SDK). */
export const RETRY_AFTER_FAILURE_MS = 30_000;

/** What one provider instance remembers for one profile + set of files. */
interface Entry {
  credentials?: LoginCredentials;
  /** Serve `credentials` from memory until this time (ms since the epoch). */
  servedUntil: number;
  /** The load in progress, which concurrent calls join. */
  pending?: Promise<LoginCredentials>;
}

interface Target {
  key: string;
  profile: string;
  files: CacheHitFiles;
  homeDir: string;
}

/** The full path (core, zod, undici), imported the first time the cache cannot answer alone. */
const loadRefreshPath = () => import("./refresh-path.js");

/**
 * Credentials of an `aws login` / `awslogin login` session for AWS SDK for JavaScript v3 clients:
 * `new S3Client({ credentials: fromLoginCredentials({ profile: "dev" }) })`.
 *
 * A profile without `login_session` (or no such profile) rejects with `tryNextLink: true` so credential
 * chains go on; a session that cannot give credentials rejects with `tryNextLink: false`, awslogin's `code`
 * and the {@link AwsLoginError} as `cause`.
 * @see docs/protocol.md §8, §15
 */
export function fromLoginCredentials(init: FromLoginCredentialsInit = {}): LoginCredentialProvider {
  return createProvider(init, false);
}

/**
 * Like {@link fromLoginCredentials}, and also for role profiles on top of a login session: a profile with `role_arn`
 * and `source_profile` whose chain (several roles deep) ends at a login profile gets the last role's credentials,
 * assumed with STS AssumeRole and cached in the AWS CLI's assume-role cache (`~/.aws/cli/cache`), reused until
 * 5 minutes before they expire and assumed once across processes. `role_session_name`, `external_id`,
 * `duration_seconds`, `mfa_serial` (the code asked for on the terminal) and `region` are honoured; STS is reached at
 * `AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL` or the profile's `endpoint_url` when set. A chain that does not end at
 * a login profile rejects with `tryNextLink: true` (code ROLE_CHAIN_NOT_LOGIN); a login profile is served as
 * {@link fromLoginCredentials} serves it.
 * @see docs/protocol.md §17.1, §17.5
 */
export function fromLoginRoleCredentials(init: FromLoginCredentialsInit = {}): LoginCredentialProvider {
  return createProvider(init, true);
}

function createProvider(init: FromLoginCredentialsInit, roleProfiles: boolean): LoginCredentialProvider {
  const entries = new Map<string, Entry>();
  let transportFor: ((caBundle: CaBundle | undefined) => Transport) | undefined;

  /** A cache hit without core, else core's full path: the profile, the cached token, a refresh under the lock. */
  async function load(
    target: Target,
    caller: CallerProperties["callerClientConfig"],
    logger: Logger | undefined,
  ): Promise<{ credentials: LoginCredentials; servedUntil: number }> {
    const hit = readCacheHit(target.profile, process.env, Date.now(), target.homeDir, init, { roleProfiles });
    if (hit !== undefined) {
      const { expiration, ...rest } = hit.credentials;
      return {
        credentials: { ...rest, expiration: new Date(expiration) },
        servedUntil: expiration - REFRESH_THRESHOLD_MS,
      };
    }
    const refreshPath = await loadRefreshPath();
    if (roleProfiles) return refreshPath.loadAny(target, init, caller);
    transportFor ??= refreshPath.createTransports();
    return refreshPath.load(target, init, caller, transportFor, logger);
  }

  return async ({ callerClientConfig }: CallerProperties = {}) => {
    const logger = init.logger ?? callerClientConfig?.logger;
    logger?.debug?.("@awslogin/credential-provider - fromLoginCredentials");
    const target = await resolveTarget(init, callerClientConfig?.profile).catch((error: unknown) => {
      throw toProviderError(error, logger);
    });
    let entry = entries.get(target.key);
    if (entry === undefined) {
      entry = { servedUntil: 0 };
      entries.set(target.key, entry);
    }
    if (init.ignoreCache !== true && entry.credentials !== undefined && Date.now() < entry.servedUntil) {
      return toIdentity(entry.credentials);
    }
    if (entry.pending === undefined) {
      const current = entry;
      current.pending = load(target, callerClientConfig, logger).then(
        ({ credentials, servedUntil }) => {
          current.credentials = credentials;
          current.servedUntil = servedUntil;
          current.pending = undefined;
          return credentials;
        },
        (error: unknown) => {
          current.credentials = undefined;
          current.servedUntil = 0;
          current.pending = undefined;
          throw toProviderError(error, logger);
        },
      );
    }
    return toIdentity(await entry.pending!);
  };
}

/**
 * The profile and files a call is about; no file is read. Resolved without core where that is certain, else by
 * core (which loads the full path).
 */
async function resolveTarget(
  init: FromLoginCredentialsInit,
  callerProfile: string | undefined,
): Promise<Target> {
  const env = process.env;
  // core's order (resolve.ts): the option, the caller's profile, AWS_PROFILE, `default`; an empty name counts as none.
  const profile = resolveProfile({
    options: { profile: init.profile },
    caller: { profile: callerProfile },
    env,
  }).value;
  const homeDir = homedir();
  const files =
    resolveCacheHitFiles(env, homeDir, init) ?? (await loadRefreshPath()).resolveFiles(init, env, homeDir);
  const key = JSON.stringify([profile, files.configPath, files.credentialsPath, files.cacheDirectory]);
  return { key, profile, files, homeDir };
}

/** A fresh object per call, so callers (and the SDK's `$source` bookkeeping) cannot change what is cached. */
function toIdentity(credentials: LoginCredentials): LoginCredentialIdentity {
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    accountId: credentials.accountId,
    expiration: new Date(credentials.expiration.getTime()),
    $source: { CREDENTIALS_LOGIN: "AD" },
  };
}

/**
 * `fromLoginCredentials`: a drop-in for the AWS SDK's provider of that name, on awslogin's core.
 * Differences that callers can observe are improvements, each deliberate:
 * - warm calls are answered from memory while the credentials have more than 5 minutes left (the SDK's
 *   provider reads the token cache file on every call);
 * - concurrent calls share one load, and refreshes take the session's inter-process lock, re-read the
 *   cache and write it atomically (0600), so processes never race on the rotating refresh token;
 * - after a transient refresh failure with still-valid credentials, the next attempt waits 30 s.
 * @see docs/protocol.md §6 (cache), §8 (refresh), §15 (the JS SDK's provider)
 */
import { homedir } from "node:os";
import {
  AwsLoginError,
  credentialsFromRecord,
  getFreshToken,
  type LoginCredentials,
  REFRESH_THRESHOLD_MS,
  resolveLoginCacheDirectory,
  signInEndpointEnv,
  type Transport,
} from "@awslogin/core";
import {
  assertTrustedCacheDirectory,
  type CaBundle,
  createFileTokenStore,
  createHttpTransport,
  loginSessionOf,
  readProfile,
  resolveCaBundle,
  resolveSharedFilePaths,
  type SharedFilePaths,
  sessionLock,
  sessionTryLock,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import { toProviderError } from "./provider-error.js";
import type {
  CallerProperties,
  EndpointLike,
  FromLoginCredentialsInit,
  Logger,
  LoginCredentialIdentity,
  LoginCredentialProvider,
  MaybeProvider,
} from "./types.js";

/** After a refresh failed but the credentials still work, wait this long before trying again (as the Rust SDK). */
export const RETRY_AFTER_FAILURE_MS = 30_000;

/** Without a version: one written here by hand would drift from package.json. */
const USER_AGENT = "awslogin-credential-provider";

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
  paths: SharedFilePaths;
  cacheDirectory: string;
}

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
  const entries = new Map<string, Entry>();
  // One transport (one connection pool) per CA bundle: profiles may name different ones in ca_bundle.
  const transports = new Map<string, Transport>();
  const transportFor = (caBundle: CaBundle | undefined): Transport => {
    const key = caBundle?.path ?? "";
    let transport = transports.get(key);
    if (transport === undefined) {
      transport = createHttpTransport({
        userAgent: USER_AGENT,
        ...(caBundle === undefined ? {} : { caBundle }),
      });
      transports.set(key, transport);
    }
    return transport;
  };

  return async ({ callerClientConfig }: CallerProperties = {}) => {
    const logger = init.logger ?? callerClientConfig?.logger;
    logger?.debug?.("@awslogin/credential-provider - fromLoginCredentials");
    const target = resolveTarget(init, callerClientConfig?.profile);
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
      current.pending = load(target, init, callerClientConfig, transportFor, logger).then(
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

/** The profile and files a call is about; no file is read. */
function resolveTarget(init: FromLoginCredentialsInit, callerProfile: string | undefined): Target {
  const env = process.env;
  // The SDK's getProfileName: an empty name counts as none.
  const profile = (init.profile ?? callerProfile) || env.AWS_PROFILE || "default";
  const homeDir = homedir();
  const paths = resolveSharedFilePaths(init, env, homeDir);
  const cacheDirectory = resolveLoginCacheDirectory({ env, homeDir });
  const key = JSON.stringify([profile, paths.configPath, paths.credentialsPath, cacheDirectory]);
  return { key, profile, paths, cacheDirectory };
}

/** Reads the profile, then the cached token, refreshing it under the session's lock when due. */
async function load(
  target: Target,
  init: FromLoginCredentialsInit,
  caller: CallerProperties["callerClientConfig"],
  transportFor: (caBundle: CaBundle | undefined) => Transport,
  logger: Logger | undefined,
): Promise<{ credentials: LoginCredentials; servedUntil: number }> {
  const { profile, paths } = target;
  const section = await readProfile(paths, profile);
  const loginSession = loginSessionOf(profile, section, paths);
  const env = process.env;
  // The cache's signInRegion wins over all of these (core's refreshTokenUrl); then as the SDK's provider.
  const region =
    (await resolveOptional(init.clientConfig?.region)) ||
    section?.region ||
    (await resolveOptional(caller?.region)) ||
    env.AWS_REGION ||
    undefined;
  const endpointUrl = endpointToUrl(await resolveOptional(init.clientConfig?.endpoint));
  const store = createFileTokenStore({ directory: target.cacheDirectory });
  await assertTrustedCacheDirectory(store.directory);

  const fresh = await getFreshToken(
    {
      clock: systemClock,
      random: systemRandom,
      transport: transportFor(resolveCaBundle(env, { name: profile, caBundle: section?.ca_bundle })),
      store,
      lock: sessionLock(store),
      tryLock: sessionTryLock(store),
    },
    {
      loginSession,
      profile,
      env: signInEndpointEnv(env),
      onWarning: (warning) =>
        logger?.warn?.(
          `@awslogin/credential-provider - fromLoginCredentials: ${warning.message} [${warning.code}]`,
        ),
      ...(region === undefined ? {} : { region }),
      ...(endpointUrl === undefined ? {} : { endpointUrl }),
    },
  );
  const credentials = credentialsFromRecord(fresh.record);
  const now = Date.now();
  const expiresAt = credentials.expiration.getTime();
  let servedUntil = expiresAt - REFRESH_THRESHOLD_MS;
  if (fresh.warning !== undefined) {
    logger?.warn?.(
      `@awslogin/credential-provider - fromLoginCredentials: ${fresh.warning.message} [${fresh.warning.code}] ` +
        `Using the cached credentials of profile ${profile}, which expire at ${credentials.expiration.toISOString()}.`,
    );
    servedUntil = Math.max(servedUntil, Math.min(now + RETRY_AFTER_FAILURE_MS, expiresAt));
  }
  return { credentials, servedUntil };
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

/** The value of an SDK-style option; a provider that throws (the SDK's "Region is missing") counts as unset. */
async function resolveOptional<T>(value: MaybeProvider<T | undefined> | undefined): Promise<T | undefined> {
  if (typeof value !== "function") return value;
  try {
    return await (value as () => T | Promise<T>)();
  } catch {
    return undefined;
  }
}

/** The URL of any endpoint form an SDK client accepts. */
function endpointToUrl(endpoint: EndpointLike | undefined): string | undefined {
  if (endpoint === undefined) return undefined;
  if (typeof endpoint === "string") return endpoint;
  if (endpoint instanceof URL) return endpoint.href;
  if ("url" in endpoint) return String(endpoint.url);
  const port = endpoint.port === undefined ? "" : `:${endpoint.port}`;
  return `${endpoint.protocol}//${endpoint.hostname}${port}${endpoint.path}`;
}

/**
 * The provider's full path, loaded by `import()` only when the cache cannot answer alone (a refresh is due, or
 * anything is doubtful): core's profile reader and refresh driver with the file token store, the inter-process
 * lock and an undici transport, and every typed error. A cache hit never loads this module, zod or undici.
 * @see docs/protocol.md §6, §8
 */
import {
  credentialsFromRecord,
  getFreshToken,
  type LoginCredentials,
  REFRESH_THRESHOLD_MS,
  type Transport,
} from "@awslogin/core";
import type { CacheHitFiles } from "@awslogin/core/cache-hit";
import {
  assertTrustedCacheDirectory,
  type CaBundle,
  createFileTokenStore,
  createHttpTransport,
  createTerminalMfaPrompt,
  loadCredentialsForProfile,
  loginSessionOf,
  profileOf,
  readSharedFiles,
  resolveCaBundle,
  resolveSharedFilePaths,
  sessionLock,
  sessionTryLock,
  systemClock,
  systemRandom,
} from "@awslogin/core/node";
import { resolveCacheDirectory } from "@awslogin/core/resolve";
import { RETRY_AFTER_FAILURE_MS } from "./from-login-credentials.js";
import type {
  CallerProperties,
  EndpointLike,
  FromLoginCredentialsInit,
  Logger,
  MaybeProvider,
} from "./types.js";

/** Without a version: one written here by hand would drift from package.json. */
const USER_AGENT = "awslogin-credential-provider";

/** The files a provider reads, resolved by core when the cache-hit path left them to it (`$VAR` forms…). */
export function resolveFiles(
  init: FromLoginCredentialsInit,
  env: NodeJS.ProcessEnv,
  homeDir: string,
): CacheHitFiles {
  return {
    ...resolveSharedFilePaths(init, env, homeDir),
    cacheDirectory: resolveCacheDirectory({ env, homeDir }).value,
  };
}

/** One transport (one connection pool) per CA bundle: profiles may name different ones in ca_bundle. */
export function createTransports(): (caBundle: CaBundle | undefined) => Transport {
  const transports = new Map<string, Transport>();
  return (caBundle) => {
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
}

/** Reads the profile, then the cached token, refreshing it under the session's lock when due. */
export async function load(
  target: { profile: string; files: CacheHitFiles },
  init: FromLoginCredentialsInit,
  caller: CallerProperties["callerClientConfig"],
  transportFor: (caBundle: CaBundle | undefined) => Transport,
  logger: Logger | undefined,
): Promise<{ credentials: LoginCredentials; servedUntil: number }> {
  const { profile, files } = target;
  const paths = { configPath: files.configPath, credentialsPath: files.credentialsPath };
  const shared = await readSharedFiles(paths);
  const section = profileOf(shared, profile);
  const loginSession = loginSessionOf(profile, section, paths);
  const env = process.env;
  // Region and endpoint as core's resolve.ts orders them (the record's signInRegion and endpoint included).
  const settings = {
    options: {
      profile,
      region: await resolveOptional(init.clientConfig?.region),
      endpointUrl: endpointToUrl(await resolveOptional(init.clientConfig?.endpoint)),
    },
    caller: { region: await resolveOptional(caller?.region) },
    env,
    ...shared,
  };
  const store = createFileTokenStore({ directory: files.cacheDirectory });
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
      settings,
      onWarning: (warning) =>
        logger?.warn?.(
          `@awslogin/credential-provider - fromLoginCredentials: ${warning.message} [${warning.code}]`,
        ),
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

/**
 * `fromLoginRoleCredentials`' full path: any profile through core's `loadCredentialsForProfile`, a role profile
 * (`role_arn` + `source_profile` down to a login profile) assuming its roles under the assume-role cache's locks.
 * An MFA code is asked for on the terminal, when there is one. @see docs/protocol.md §17.1
 */
export async function loadAny(
  target: { profile: string; files: CacheHitFiles },
  init: FromLoginCredentialsInit,
  caller: CallerProperties["callerClientConfig"],
): Promise<{ credentials: LoginCredentials; servedUntil: number }> {
  const region =
    (await resolveOptional(init.clientConfig?.region)) ?? (await resolveOptional(caller?.region));
  const endpointUrl = endpointToUrl(await resolveOptional(init.clientConfig?.endpoint));
  const loaded = await loadCredentialsForProfile({
    profile: target.profile,
    configFilepath: target.files.configPath,
    filepath: target.files.credentialsPath,
    cacheDirectory: target.files.cacheDirectory,
    ...(region === undefined ? {} : { region }),
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
    mfaPrompt: createTerminalMfaPrompt(),
  });
  return {
    credentials: loaded.credentials,
    servedUntil: loaded.credentials.expiration.getTime() - REFRESH_THRESHOLD_MS,
  };
}

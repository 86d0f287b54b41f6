/**
 * From a role profile to fresh role credentials, on Node: resolves the `source_profile` chain to its login profile,
 * gets the login session's credentials through the single-flight refresh, then assumes each role of the chain,
 * caching each role's credentials in the AWS CLI's assume-role cache (0600, atomic) under an inter-process lock per
 * cache file, re-read inside the lock, so that processes due at once make one AssumeRole call.
 * @see docs/protocol.md §17.1, §17.5
 */
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { PLANTED_CREDENTIALS_RISK, untrustedFolderReason } from "../cache-trust.js";
import { parseConfigFile } from "../config.js";
import type { LoginCredentials } from "../credentials.js";
import { AwsLoginError } from "../errors.js";
import type { MfaPrompt } from "../ports.js";
import { REFRESH_THRESHOLD_MS } from "../protocol.js";
import { DEFAULT_REGION } from "../region.js";
import { resolveLoginSettings, resolveRegion } from "../resolve.js";
import {
  defaultRoleSessionName,
  isRoleProfile,
  parseRoleCacheRecord,
  type RoleChain,
  type RoleCredentials,
  type RoleStep,
  resolveRoleChain,
  roleCacheKey,
  serializeRoleCacheRecord,
} from "../role-profile.js";
import { assumeRole, stsEndpointFor } from "../sts-client.js";
import { removeTempFiles, writeFileAtomic } from "./atomic-write.js";
import { readRegularFile } from "./bounded-read.js";
import { readConfigText, resolveConfigFilePath } from "./config-files.js";
import { errnoCode } from "./errno.js";
import { acquireLock } from "./lock.js";
import {
  type LoadCredentialsOptions,
  type LoadedCredentials,
  loadProfileCredentials,
} from "./profile-credentials.js";
import { resolveRoleCacheDirectory } from "./role-cache-path.js";
import { profileOf, readCredentialsFile, resolveSharedFilePaths } from "./shared-files.js";
import { systemClock } from "./system.js";
import { createHttpTransport, resolveCaBundle } from "./transport.js";

/** What {@link loadRoleProfileCredentials} takes besides {@link LoadCredentialsOptions}. */
export interface LoadRoleCredentialsOptions extends LoadCredentialsOptions {
  /** Asks for MFA codes; without one (or not interactive), a role with `mfa_serial` fails with MFA_CODE_REQUIRED. */
  mfaPrompt?: MfaPrompt;
  /** The assume-role cache folder; see {@link resolveRoleCacheDirectory}. */
  roleCacheDirectory?: string;
}

/** Fresh credentials of a role profile, with the chain they came through. */
export interface LoadedRoleCredentials {
  /** The role profile. */
  profile: string;
  /** The chain from the login profile to the role profile. */
  chain: RoleChain;
  /** The last role's credentials, with more than 5 minutes left. */
  credentials: LoginCredentials;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION` of the last role, when known. */
  assumedRoleArn: string | undefined;
  /** The region the STS calls went to (the role profile's, else the login's, else `us-east-1`). */
  region: string;
  /** True when this call assumed at least one role; false when every role came from the cache. */
  assumed: boolean;
  /** The cache file of each step, in chain order. */
  cacheFiles: string[];
}

interface ReadFiles {
  profile: string;
  /** The region configured for the profile (as a cache hit reads it), not where STS is called. */
  region: string | undefined;
  lookup: (name: string) => ReturnType<typeof profileOf>;
  configPath: string;
  env: NodeJS.ProcessEnv;
  /** The `[services NAME]` section of the config file. */
  services: (name: string) => Record<string, string | undefined> | undefined;
}

async function readFiles(options: LoadCredentialsOptions): Promise<ReadFiles> {
  const env = options.env ?? process.env;
  const homeDir = homedir();
  const configPath = options.configFilepath ?? resolveConfigFilePath({ env, homeDir });
  const { credentialsPath } = resolveSharedFilePaths({ filepath: options.filepath }, env, homeDir);
  const config = parseConfigFile(await readConfigText(configPath));
  const credentials = await readCredentialsFile(credentialsPath);
  const settings = resolveLoginSettings({
    options: { profile: options.profile, cacheDirectory: options.cacheDirectory },
    env,
    config,
    credentials,
    homeDir,
  });
  return {
    profile: settings.profile.value,
    region: resolveRegion({ options: { profile: settings.profile.value }, env, config, credentials })?.value,
    lookup: (name) => profileOf({ config, credentials }, name),
    configPath,
    env,
    services: (name) => (Object.hasOwn(config, `services.${name}`) ? config[`services.${name}`] : undefined),
  };
}

/**
 * CACHE_DIRECTORY_UNSAFE unless the assume-role cache folder and the folder above it can be trusted (the login
 * cache's rule). Signing in again fixes nothing here: the folder's permissions and the role credentials already in
 * it are what to look at. @see docs/protocol.md §6
 */
async function assertTrustedRoleCacheDirectory(directory: string): Promise<void> {
  if (process.platform === "win32") return;
  for (const folder of [directory, dirname(directory)]) {
    const info = await stat(folder).catch(() => undefined);
    if (info === undefined) continue;
    const reason = untrustedFolderReason(info, process.getuid?.());
    if (reason === undefined) continue;
    throw new AwsLoginError(
      "CACHE_DIRECTORY_UNSAFE",
      `Refusing to use the assume-role cache in ${directory}: ${folder} ${reason}, so ${PLANTED_CREDENTIALS_RISK}. Run \`chmod 700 ${folder}\` as its owner (and make sure you own it); if you did not put the role credentials in ${directory} yourself, delete its .json files (the roles are assumed again).`,
      { path: folder, remedy: { kind: "diagnose" } },
    );
  }
}

/**
 * The role chain of the resolved profile, or undefined when the profile is not a role profile (no `role_arn`).
 * Throws as {@link resolveRoleChain} does (ROLE_CHAIN_CYCLE, ROLE_SOURCE_MISSING, ROLE_CHAIN_NOT_LOGIN, …).
 */
export async function readRoleChain(options: ResolveRoleOptions = {}): Promise<RoleChain | undefined> {
  const files = await readFiles(options);
  if (!isRoleProfile(files.lookup(files.profile))) return undefined;
  return resolveRoleChain(files.profile, files.lookup, files.configPath);
}

/** Which profile and files {@link readRoleChain} reads. */
export type ResolveRoleOptions = Pick<
  LoadCredentialsOptions,
  "profile" | "env" | "configFilepath" | "filepath" | "cacheDirectory"
>;

/**
 * Where STS is, as the SDKs' configured endpoints say (sdkref "Service-specific endpoints"): `AWS_ENDPOINT_URL_STS`
 * → `AWS_ENDPOINT_URL` → the profile's `services` section (`sts =` then `endpoint_url`) → the profile's
 * `endpoint_url`; none when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's `ignore_configured_endpoint_urls`
 * is true.
 */
function stsOverride(
  env: NodeJS.ProcessEnv,
  section: Record<string, string | undefined> | undefined,
  services: (name: string) => Record<string, string | undefined> | undefined,
): string | undefined {
  const flag = (value: string | undefined) => value?.trim().toLowerCase();
  const fromEnv = flag(env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS);
  const ignore =
    fromEnv === "true" || (fromEnv !== "false" && flag(section?.ignore_configured_endpoint_urls) === "true");
  if (ignore) return undefined;
  const servicesName = section?.services?.trim();
  const fromServices = servicesName ? services(servicesName)?.["sts.endpoint_url"] : undefined;
  return (
    env.AWS_ENDPOINT_URL_STS || env.AWS_ENDPOINT_URL || fromServices || section?.endpoint_url || undefined
  );
}

async function readCached(path: string): Promise<RoleCredentials | undefined> {
  try {
    return parseRoleCacheRecord(await readRegularFile(path));
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    // A file we cannot read (a folder, a FIFO, too large) is treated as absent and replaced by the atomic rename.
    return undefined;
  }
}

function fresh(credentials: RoleCredentials | undefined, now: number): credentials is RoleCredentials {
  return credentials !== undefined && credentials.expiresAt - now > REFRESH_THRESHOLD_MS;
}

async function askMfaCode(step: RoleStep, prompt: MfaPrompt | undefined): Promise<string> {
  if (prompt === undefined || !prompt.isInteractive) {
    throw new AwsLoginError(
      "MFA_CODE_REQUIRED",
      `Profile ${step.profile} needs an MFA code (mfa_serial ${step.mfaSerial}), and there is no terminal to ask for it. Run the command from a terminal once; the role's credentials are then cached.`,
    );
  }
  const code = (await prompt.askCode(`Enter MFA code for ${step.mfaSerial}: `)).trim();
  if (!/^\d{6}$/.test(code)) {
    throw new AwsLoginError(
      "MFA_CODE_INVALID",
      `An MFA code is 6 digits; profile ${step.profile}'s role was not assumed. Enter the current code of the MFA device.`,
    );
  }
  return code;
}

/**
 * Fresh credentials for a role profile whose `source_profile` chain ends at a login profile. Each role's credentials
 * are served from the assume-role cache while more than 5 minutes remain, else assumed again under that cache file's
 * lock. Rejects with an AwsLoginError: PROFILE_NOT_FOUND, ROLE_CHAIN_NOT_LOGIN (not rooted in a login profile, or not
 * a role profile: another credential source resolves it), ROLE_CHAIN_CYCLE, ROLE_SOURCE_MISSING, CONFIG_MALFORMED,
 * MFA_CODE_REQUIRED, MFA_CODE_INVALID, ROLE_ACCESS_DENIED, ROLE_REQUEST_INVALID, CACHE_DIRECTORY_UNSAFE,
 * CACHE_WRITE_FAILED, whatever {@link loadProfileCredentials} rejects with for the login profile (TOKEN_EXPIRED: sign
 * in again), and NETWORK / TIMEOUT / THROTTLED / SERVER_ERROR / LOCK_TIMEOUT (try again).
 */
export async function loadRoleProfileCredentials(
  options: LoadRoleCredentialsOptions = {},
): Promise<LoadedRoleCredentials> {
  const files = await readFiles(options);
  const chain = resolveRoleChain(files.profile, files.lookup, files.configPath);
  const env = files.env;
  const directory = resolveRoleCacheDirectory(env, options.roleCacheDirectory);
  await assertTrustedRoleCacheDirectory(directory);
  const clock = systemClock;
  const last = chain.steps.at(-1)!;
  const finalSection = files.lookup(chain.profile);
  let login: LoadedCredentials | undefined;
  const loginCredentials = async () => {
    login ??= await loadProfileCredentials({ ...options, profile: chain.rootProfile });
    return login;
  };
  const envRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  const rootRegion = files.lookup(chain.rootProfile)?.region || undefined;
  const region = envRegion ?? last.region ?? rootRegion ?? options.region ?? DEFAULT_REGION;
  const endpoint = stsEndpointFor(region, stsOverride(env, finalSection, files.services));
  const transport =
    options.transport ??
    createHttpTransport({
      env,
      ...(() => {
        const caBundle = resolveCaBundle(env, { name: chain.profile, caBundle: finalSection?.ca_bundle });
        return caBundle === undefined ? {} : { caBundle };
      })(),
    });
  let assumed = false;
  const cacheFiles = chain.steps.map((step) =>
    join(
      directory,
      `${roleCacheKey({ ...step, ...(step.roleSessionName === undefined ? {} : { roleSessionName: step.roleSessionName }) })}.json`,
    ),
  );

  const stepCredentials = async (index: number): Promise<RoleCredentials> => {
    const step = chain.steps[index]!;
    const path = cacheFiles[index]!;
    const cached = await readCached(path);
    if (fresh(cached, clock.now())) return cached;
    const release = await acquireLock(
      `${path}.lock`,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    try {
      // Another process may have assumed the role while this one waited for the lock.
      const again = await readCached(path);
      if (fresh(again, clock.now())) return again;
      const source = index === 0 ? (await loginCredentials()).credentials : await stepCredentials(index - 1);
      const tokenCode = step.mfaSerial === undefined ? undefined : await askMfaCode(step, options.mfaPrompt);
      const result = await assumeRole(
        { transport, clock },
        {
          endpoint,
          region,
          credentials: {
            accessKeyId: source.accessKeyId,
            secretAccessKey: source.secretAccessKey,
            sessionToken: source.sessionToken,
          },
          roleArn: step.roleArn,
          roleSessionName: step.roleSessionName ?? defaultRoleSessionName(chain.loginSession),
          ...(step.durationSeconds === undefined ? {} : { durationSeconds: step.durationSeconds }),
          ...(step.externalId === undefined ? {} : { externalId: step.externalId }),
          ...(step.mfaSerial === undefined || tokenCode === undefined
            ? {}
            : { mfa: { serialNumber: step.mfaSerial, tokenCode } }),
        },
        options.signal,
      );
      assumed = true;
      try {
        await writeFileAtomic(path, serializeRoleCacheRecord(result), { mode: 0o600, directoryMode: 0o700 });
        // Writers killed before their rename leave temp files holding the secrets: clear the abandoned ones.
        await removeTempFiles(path);
      } catch (cause) {
        throw new AwsLoginError(
          "CACHE_WRITE_FAILED",
          `Could not write the role credentials cache file ${path}. Check that folder's permissions.`,
          { path, cause },
        );
      }
      return result;
    } finally {
      await release();
    }
  };

  const role = await stepCredentials(chain.steps.length - 1);
  return {
    profile: chain.profile,
    chain,
    credentials: {
      accessKeyId: role.accessKeyId,
      secretAccessKey: role.secretAccessKey,
      sessionToken: role.sessionToken,
      accountId: role.accountId ?? /::(\d{12}):role\//.exec(last.roleArn)?.[1] ?? "",
      expiration: new Date(role.expiresAt),
    },
    assumedRoleArn: role.assumedRoleArn,
    region,
    assumed,
    cacheFiles,
  };
}

/** Fresh credentials of any awslogin profile: a role profile's (through its chain) or a login profile's. */
export interface ProfileCredentialsResult {
  /** The profile resolved. */
  profile: string;
  /** The credentials, with more than 5 minutes left. */
  credentials: LoginCredentials;
  /** The chain, for a role profile. */
  chain: RoleChain | undefined;
  /** The region configured for the profile, when one is. */
  region: string | undefined;
}

/**
 * Credentials for a profile, whichever kind it is: a role profile (`role_arn` + `source_profile` down to a login
 * profile) through {@link loadRoleProfileCredentials}, a login profile through `loadProfileCredentials`. The one
 * function for consumers that serve any profile (console sign-in, the credentials server). Rejects as those do.
 */
export async function loadCredentialsForProfile(
  options: LoadRoleCredentialsOptions = {},
): Promise<ProfileCredentialsResult> {
  const files = await readFiles(options);
  const chain = isRoleProfile(files.lookup(files.profile))
    ? resolveRoleChain(files.profile, files.lookup, files.configPath)
    : undefined;
  if (chain === undefined) {
    const loaded = await loadProfileCredentials(options);
    return {
      profile: loaded.profile,
      credentials: loaded.credentials,
      chain: undefined,
      region: loaded.region,
    };
  }
  const loaded = await loadRoleProfileCredentials(options);
  // The STS region (loaded.region) is where the role was assumed, not the profile's: the cache hit answers the
  // configured one, and a miss must print the same.
  return { profile: loaded.profile, credentials: loaded.credentials, chain, region: files.region };
}

/** One role of a chain as `status` shows it: its cache entry's expiry, never its credentials. */
export interface RoleStepStatus {
  /** The role profile. */
  profile: string;
  /** The role's ARN. */
  roleArn: string;
  /** The assume-role cache file of this step. */
  cacheFile: string;
  /** `fresh` (more than 5 minutes left), `due` (assumed again at the next use), or `none` (no usable entry). */
  state: "fresh" | "due" | "none";
  /** When the cached credentials expire (RFC 3339), or null. */
  expiresAt: string | null;
  /** The assumed-role ARN recorded in the cache entry, or null. */
  assumedRoleArn: string | null;
}

/**
 * The state of each role of a chain's cache entries, read without writing or calling anything; for `status`.
 * Never throws for a missing or unreadable entry (`none`).
 */
export async function readRoleChainStatus(
  chain: RoleChain,
  options: { env?: NodeJS.ProcessEnv; roleCacheDirectory?: string; now?: number } = {},
): Promise<RoleStepStatus[]> {
  const directory = resolveRoleCacheDirectory(options.env ?? process.env, options.roleCacheDirectory);
  const now = options.now ?? Date.now();
  return Promise.all(
    chain.steps.map(async (step) => {
      const cacheFile = join(directory, `${roleCacheKey(step)}.json`);
      const cached = await readCached(cacheFile);
      return {
        profile: step.profile,
        roleArn: step.roleArn,
        cacheFile,
        state:
          cached === undefined || cached.expiresAt <= now ? "none" : fresh(cached, now) ? "fresh" : "due",
        expiresAt:
          cached === undefined ? null : new Date(cached.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z"),
        assumedRoleArn: cached?.assumedRoleArn ?? null,
      };
    }),
  );
}

/**
 * `awslogin doctor` on Node: observes the config file, the cache folder and its files, the profiles'
 * sessions, the Sign-In endpoint (one credential-free GET, for reachability and its Date header) and lock
 * files, then hands each observation to the pure judges (`judges.ts`). Writes nothing.
 */
import { constants } from "node:fs";
import { access, readdir, stat } from "node:fs/promises";
import { homedir, hostname } from "node:os";
import { dirname, join } from "node:path";
import {
  ALLOW_INSECURE_HTTP_ENV,
  AwsLoginError,
  DEFAULT_REGION,
  getProfile,
  isRegionName,
  type LoginSettingsInput,
  parseTokenCache,
  refreshTokenUrl,
  resolveEndpointUrl,
  resolveProfile,
  resolveRegion,
  resolveSignInEndpoint,
  type Transport,
} from "@awslogin/core";
import {
  createHttpTransport,
  describeUnsafeFile,
  errnoCode,
  inspectLock,
  isProcessAlive,
  type LockInspection,
  readRegularBytes,
  readSessionStatuses,
  resolveCaBundle,
  resolveConfigFilePath,
  type SessionStatusReport,
} from "@awslogin/core/node";
import {
  type CacheRecordObservation,
  type DoctorFinding,
  type EndpointChoiceFailure,
  type EndpointProbe,
  type FileObservation,
  judgeCacheDirectory,
  judgeCacheFile,
  judgeCacheParent,
  judgeClockSkew,
  judgeConfigFile,
  judgeEndpoint,
  judgeLock,
  judgeNoEndpoint,
  judgeProfileCache,
  judgeRecordedEndpoint,
  type LockObservation,
} from "./judges.js";

export interface DoctorOptions {
  /** Check only this profile (default: every profile with a login_session). */
  profile?: string;
  env?: NodeJS.ProcessEnv;
  configFilepath?: string;
  cacheDirectory?: string;
  transport?: Transport;
  /** Limit of the endpoint probe (default 5 s). */
  probeTimeoutMs?: number;
}

/** The stat of `path`, and with `accessMode` whether this process may use it so (root passes most checks). */
async function observe(path: string, accessMode?: number): Promise<FileObservation> {
  let seen: FileObservation;
  try {
    const info = await stat(path);
    seen = { kind: "found", isDirectory: info.isDirectory(), mode: info.mode, uid: info.uid };
  } catch (error) {
    return errnoCode(error) === "ENOENT" ? { kind: "missing" } : { kind: "error", code: errnoCode(error) };
  }
  if (accessMode === undefined) return seen;
  try {
    await access(path, accessMode);
    return seen;
  } catch (error) {
    return { ...seen, accessError: errnoCode(error) };
  }
}

/** Whether a cache file holds a record; undefined when it vanished meanwhile. Its contents are never shown. */
async function observeRecord(
  path: string,
  profiles: readonly string[],
): Promise<CacheRecordObservation | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readRegularBytes(path);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    const unsafe = describeUnsafeFile(error);
    return {
      valid: false,
      problem:
        unsafe === undefined
          ? `${path} could not be read (${errnoCode(error)}).`
          : `${path} was not read: ${unsafe}.`,
      profiles,
    };
  }
  try {
    parseTokenCache(bytes, path);
    return { valid: true };
  } catch (error) {
    if (!AwsLoginError.isInstance(error)) throw error;
    return { valid: false, problem: error.message, profiles };
  }
}

/**
 * The endpoint `awslogin login` would use for a profile, as login decides it (resolve.ts without a record: the
 * Sign-In endpoint settings, else the region's: AWS_REGION, AWS_DEFAULT_REGION, the profile's region). With an
 * override the region does not change the URL, so none is needed. @see docs/protocol.md §1, §7
 */
function loginEndpoint(settings: LoginSettingsInput): { baseUrl: string } | EndpointChoiceFailure {
  const region = resolveRegion(settings)?.value;
  let override: ReturnType<typeof resolveEndpointUrl>;
  try {
    override = resolveEndpointUrl(settings);
  } catch (error) {
    // A profile naming a services section that does not exist (CONFIG_MALFORMED): say so, as login would.
    if (!AwsLoginError.isInstance(error)) throw error;
    return { kind: "invalid", error };
  }
  if (region === undefined && override === undefined) {
    return { kind: "no-region", profile: resolveProfile(settings).value };
  }
  if (region !== undefined && !isRegionName(region)) {
    const error = new AwsLoginError(
      "INVALID_ARGUMENT",
      `"${region}" is not a region name (e.g. ${DEFAULT_REGION}).`,
    );
    return { kind: "invalid", error };
  }
  try {
    const endpoint = resolveSignInEndpoint({
      region: region ?? DEFAULT_REGION,
      ...(override === undefined ? {} : { endpointUrl: override.value, endpointSource: override.source }),
      env: { AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: settings.env[ALLOW_INSECURE_HTTP_ENV] },
    });
    return { baseUrl: endpoint.baseUrl };
  } catch (error) {
    if (!AwsLoginError.isInstance(error)) throw error;
    return { kind: "invalid", error };
  }
}

async function observeLock(path: string, now: number): Promise<LockObservation | undefined> {
  let seen: LockInspection;
  try {
    seen = await inspectLock(path, now);
  } catch (error) {
    const reason = `it cannot be looked at (${errnoCode(error)})`;
    return {
      path,
      owner: "unreadable",
      ageMs: 0,
      holderAlive: undefined,
      broken: { reason, takenOver: false, directory: false },
    };
  }
  if (seen.kind === "absent") return undefined; // released meanwhile
  const ageMs = now - seen.mtimeMs;
  if (seen.kind === "partial") return { path, owner: "unreadable", ageMs, holderAlive: undefined };
  if (seen.kind === "broken") {
    return {
      path,
      owner: "unreadable",
      ageMs,
      holderAlive: undefined,
      broken: {
        reason: seen.reason,
        takenOver: seen.nonEmptyDirectory !== true,
        directory: seen.shape === "directory",
      },
    };
  }
  const { pid, host, createdAt } = seen.owner;
  return {
    path,
    owner: { pid, host, createdAt },
    ageMs,
    holderAlive: host === hostname() ? isProcessAlive(pid) : undefined,
  };
}

/** One credential-free GET of the endpoint's root: any HTTP answer means it is reachable, and carries a Date. */
async function probeEndpoint(
  baseUrl: string,
  transport: Transport,
  timeoutMs: number,
): Promise<EndpointProbe> {
  const url = `${baseUrl}/`;
  const sentAt = Date.now();
  try {
    const response = await transport.send(
      { method: "GET", url, headers: {} },
      { signal: AbortSignal.timeout(timeoutMs) },
    );
    return {
      ok: true,
      url: baseUrl,
      status: response.status,
      sentAt,
      receivedAt: Date.now(),
      date: response.headers.date,
    };
  } catch (error) {
    const failure = AwsLoginError.isInstance(error)
      ? error
      : new AwsLoginError("NETWORK", `Could not reach ${baseUrl}.`, { cause: error });
    return { ok: false, url: baseUrl, error: failure };
  }
}

/** Runs every check; the findings are in a stable order: config, cache folder and files, profiles, endpoints, locks. */
export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorFinding[]> {
  const env = options.env ?? process.env;
  const ownUid = process.getuid?.();
  const findings: DoctorFinding[] = [];

  const configPath = options.configFilepath ?? resolveConfigFilePath({ env, homeDir: homedir() });
  let configSeen = await observe(configPath);
  let report: SessionStatusReport | undefined;
  if (configSeen.kind !== "error" && !(configSeen.kind === "found" && configSeen.isDirectory)) {
    try {
      report = await readSessionStatuses({
        ...(options.profile === undefined ? { all: true } : { profile: options.profile }),
        env,
        configFilepath: configPath,
        ...(options.cacheDirectory === undefined ? {} : { cacheDirectory: options.cacheDirectory }),
      });
    } catch (error) {
      // A config file that is there but cannot be read is the config finding, and ends the checks.
      const unreadable =
        configSeen.kind === "found" && AwsLoginError.isInstance(error) && error.code === "CONFIG_MALFORMED";
      if (!unreadable) throw error;
      configSeen = { kind: "error", code: errnoCode(error.cause) };
    }
  }
  findings.push(judgeConfigFile(configPath, configSeen, ownUid));
  if (report === undefined) return findings;

  const directory = report.store.directory;
  let directorySeen = await observe(directory, constants.R_OK | constants.W_OK | constants.X_OK);
  let names: string[] = [];
  if (directorySeen.kind === "found" && directorySeen.isDirectory) {
    try {
      names = (await readdir(directory)).sort();
    } catch (error) {
      // A failed access check already says why, with the folder's mode; otherwise the listing's error does.
      if (directorySeen.accessError === undefined) directorySeen = { kind: "error", code: errnoCode(error) };
    }
  }
  findings.push(judgeCacheDirectory(directory, directorySeen, ownUid));
  const parentFinding = judgeCacheParent(dirname(directory), await observe(dirname(directory)), ownUid);
  if (parentFinding !== undefined) findings.push(parentFinding);
  const users = new Map<string, string[]>();
  // Cache files the session statuses already read and parsed: not read again.
  const parsed = new Set<string>();
  for (const status of report.statuses) {
    if (status.cachePath === null) continue;
    users.set(status.cachePath, [...(users.get(status.cachePath) ?? []), status.profile]);
    if (report.records.has(status.profile)) parsed.add(status.cachePath);
  }
  for (const name of names.filter((n) => n.endsWith(".json") && !n.startsWith("."))) {
    const path = join(directory, name);
    const seen = await observe(path, constants.R_OK | constants.W_OK);
    if (seen.kind === "found" && seen.isDirectory) continue;
    let record: CacheRecordObservation | undefined;
    if (seen.kind === "found" && seen.accessError === undefined)
      record = parsed.has(path) ? { valid: true } : await observeRecord(path, users.get(path) ?? []);
    findings.push(judgeCacheFile(path, seen, ownUid, record));
  }

  if (report.statuses.length === 0) {
    findings.push({
      check: "profile-cache",
      status: "warn",
      message: `No profile in ${report.configPath} has a login_session.`,
      fix: "Run `awslogin login` (or `awslogin login --profile NAME`).",
    });
  }
  for (const status of report.statuses) findings.push(judgeProfileCache(status));

  // The Sign-In endpoints the profiles refresh against, as resolve.ts decides for each (record, settings, files).
  const endpoints = new Set<string>();
  const settingsOf = (profile: string | undefined): LoginSettingsInput => ({
    options: { profile },
    env,
    config: report.config,
    credentials: report.credentials,
  });
  for (const status of report.statuses) {
    const record = report.records.get(status.profile);
    const recorded = record?.awslogin?.endpoint;
    if (typeof recorded === "string") {
      const insecure = judgeRecordedEndpoint(status.profile, recorded);
      if (insecure !== undefined) findings.push(insecure);
    }
    const settings = settingsOf(status.profile);
    try {
      if (record !== undefined) {
        endpoints.add(new URL(refreshTokenUrl(record, { settings })).origin);
      } else {
        const choice = loginEndpoint(settings);
        if ("baseUrl" in choice) endpoints.add(choice.baseUrl);
      }
    } catch (error) {
      // No region and no override: nothing to probe for this profile. A broken endpoint setting in the config file
      // is worth a finding: every refresh of this profile fails on it.
      if (AwsLoginError.isInstance(error) && error.code === "CONFIG_MALFORMED") {
        findings.push(judgeNoEndpoint({ kind: "invalid", error }));
      }
    }
  }
  const probedProfile = resolveProfile(settingsOf(options.profile)).value;
  if (endpoints.size === 0) {
    // No login profile yet (a fresh machine): check the endpoint `awslogin login` would sign in to.
    const choice = loginEndpoint(settingsOf(options.profile));
    if ("baseUrl" in choice) endpoints.add(choice.baseUrl);
    else findings.push(judgeNoEndpoint(choice));
  }
  const probeTimeoutMs = options.probeTimeoutMs ?? 5000;
  const caBundle = resolveCaBundle(env, {
    name: probedProfile,
    caBundle: getProfile(report.config, probedProfile)?.ca_bundle,
  });
  const transport =
    options.transport ??
    createHttpTransport({
      connectTimeoutMs: probeTimeoutMs,
      responseTimeoutMs: probeTimeoutMs,
      env,
      ...(caBundle === undefined ? {} : { caBundle }),
      // The probe only needs the status and Date header; a home page may be larger than any token answer.
      maxBodyBytes: 1024 * 1024,
    });
  for (const baseUrl of endpoints) {
    const probe = await probeEndpoint(baseUrl, transport, probeTimeoutMs);
    findings.push(judgeEndpoint(probe));
    const skew = judgeClockSkew(probe);
    if (skew !== undefined) findings.push(skew);
  }

  const now = Date.now();
  const locks: LockObservation[] = [];
  for (const name of names.filter((n) => n.endsWith(".lock"))) {
    const lock = await observeLock(join(directory, name), now);
    if (lock !== undefined) locks.push(lock);
  }
  if (locks.length === 0)
    findings.push({ check: "lock", status: "ok", message: "No lock files.", fix: null });
  for (const lock of locks) findings.push(judgeLock(lock, now));
  return findings;
}

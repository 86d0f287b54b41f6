/**
 * `awslogin doctor` as pure judgements: each takes what the Node side observed (file modes, an HTTP answer,
 * lock files) and returns a finding with what to do about it. No I/O here; see `observe.ts`.
 * @see docs/protocol.md §6 (cache files 0600 in a 0700 folder), §7 (config), §8 (locks, refresh)
 */
import {
  ALLOW_INSECURE_HTTP_ENV,
  type AwsLoginError,
  isLoopbackHost,
  LOCK_STALE_MS,
  PLANTED_CREDENTIALS_RISK,
  redactUrl,
  type SessionStatus,
  untrustedFolderReason,
} from "@awslogin/core";
import { loginHint } from "../remedy.js";

export type DoctorStatus = "ok" | "warn" | "fail";

/** One thing doctor checked. `fix` says what to do; null when there is nothing to do. */
export interface DoctorFinding {
  check: DoctorCheck;
  status: DoctorStatus;
  message: string;
  fix: string | null;
}

export type DoctorCheck =
  | "config-file"
  | "cache-directory"
  | "cache-file"
  | "profile-cache"
  | "endpoint"
  | "clock-skew"
  | "lock";

/** Clock skew up to this is fine (the Date header has 1-second resolution, plus the round trip). */
export const SKEW_WARN_MS = 60_000;
/** Beyond this, DPoP proofs (`iat`) and expiry times are likely judged wrong: fail. */
export const SKEW_FAIL_MS = 300_000;

/** Exit status of `awslogin doctor`: 1 when any check failed. */
export function doctorExitCode(findings: readonly DoctorFinding[]): 0 | 1 {
  return findings.some((finding) => finding.status === "fail") ? 1 : 0;
}

/** A file or folder that belongs to someone else, with the chown that gives it back. */
function foreignOwner(
  check: DoctorCheck,
  status: DoctorStatus,
  path: string,
  uid: number,
  ownUid: number,
  how: string,
): DoctorFinding {
  return finding(
    check,
    status,
    `${path} belongs to another user (uid ${uid}).`,
    `chown ${ownUid} ${path}${how}`,
  );
}

function finding(
  check: DoctorCheck,
  status: DoctorStatus,
  message: string,
  fix: string | null = null,
): DoctorFinding {
  return { check, status, message, fix };
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8).padStart(3, "0")}`;

/**
 * What was seen of a file or folder: missing, unreadable (with the system error code of the stat or of listing
 * the folder), or its stat. `accessError` is the code of a failed access check (R_OK|W_OK, plus X_OK for a folder).
 */
export type FileObservation =
  | { kind: "missing" }
  | { kind: "error"; code: string }
  | { kind: "found"; isDirectory: boolean; mode: number; uid: number; accessError?: string };

/** What reading a cache file found: a record, or why it is none (CACHE_MALFORMED's message) and the profiles using it. */
export type CacheRecordObservation =
  | { valid: true }
  | { valid: false; problem: string; profiles: readonly string[] };

/** The config file: readable, and not writable by group or others (anyone who can write it can redirect credentials). @see docs/protocol.md §7 */
export function judgeConfigFile(
  path: string,
  seen: FileObservation,
  ownUid: number | undefined,
): DoctorFinding {
  if (seen.kind === "missing") {
    return finding(
      "config-file",
      "warn",
      `${path} does not exist: no profile uses awslogin yet.`,
      "Run `awslogin login` to create a profile.",
    );
  }
  if (seen.kind === "error") {
    return finding(
      "config-file",
      "fail",
      `${path} cannot be read (${seen.code}).`,
      `Make ${path} readable by you: chmod u+r ${path}`,
    );
  }
  if (seen.isDirectory)
    return finding(
      "config-file",
      "fail",
      `${path} is a directory, not a file.`,
      "Point AWS_CONFIG_FILE at a file.",
    );
  if ((seen.mode & 0o022) !== 0) {
    return finding(
      "config-file",
      "warn",
      `${path} is writable by ${(seen.mode & 0o002) !== 0 ? "everyone" : "its group"} (mode ${octal(seen.mode)}): they could point your profiles elsewhere.`,
      `chmod go-w ${path}`,
    );
  }
  if (ownUid !== undefined && seen.uid !== ownUid && seen.uid !== 0) {
    return foreignOwner("config-file", "warn", path, seen.uid, ownUid, "");
  }
  return finding("config-file", "ok", `${path} is readable (mode ${octal(seen.mode)}).`);
}

/** The cache folder: yours, usable by you, private to you (0700). @see docs/protocol.md §6 */
export function judgeCacheDirectory(
  path: string,
  seen: FileObservation,
  ownUid: number | undefined,
): DoctorFinding {
  const elsewhere = "point AWS_LOGIN_CACHE_DIRECTORY at a folder you own";
  if (seen.kind === "missing") {
    return finding(
      "cache-directory",
      "ok",
      `${path} does not exist yet; the first login creates it with mode 0700.`,
    );
  }
  if (seen.kind === "error") {
    switch (seen.code) {
      case "ENOTDIR":
        return finding(
          "cache-directory",
          "fail",
          `${path} cannot be used: a part of its path is a file, not a folder (ENOTDIR).`,
          `Remove or rename the file in the way, or ${elsewhere}.`,
        );
      case "EACCES":
      case "EPERM":
        return finding(
          "cache-directory",
          "fail",
          `${path} cannot be read (${seen.code}): you lack permission to it or to a folder above it.`,
          `chmod 700 ${path} as its owner, and check that you can enter every folder above it (ls -ld on each), or ${elsewhere}.`,
        );
      default:
        return finding(
          "cache-directory",
          "fail",
          `${path} cannot be read (${seen.code}).`,
          `Check it with \`ls -ld ${path}\`: it must be a folder you own with mode 0700, or ${elsewhere}.`,
        );
    }
  }
  if (!seen.isDirectory) {
    return finding(
      "cache-directory",
      "fail",
      `${path} is a file (mode ${octal(seen.mode)}), not a folder: no login can be cached.`,
      `Move it away (\`mv ${path} ${path}.bak\`; the next login creates the folder with mode 0700), or ${elsewhere}.`,
    );
  }
  if (ownUid !== undefined && seen.uid !== ownUid) {
    return foreignOwner("cache-directory", "fail", path, seen.uid, ownUid, " (as root)");
  }
  if (seen.accessError !== undefined) {
    return finding(
      "cache-directory",
      "fail",
      `${path} has mode ${octal(seen.mode)}: you cannot list, create and remove files in it (${seen.accessError}).`,
      `chmod 700 ${path}`,
    );
  }
  const untrusted = untrustedFolderReason(seen, ownUid);
  if (untrusted !== undefined) {
    return finding(
      "cache-directory",
      "fail",
      `${path}: ${untrusted}, so ${PLANTED_CREDENTIALS_RISK}. awslogin-credential-process, the SDK provider and export refuse to serve credentials from it.`,
      `chmod 700 ${path}`,
    );
  }
  if ((seen.mode & 0o077) !== 0) {
    return finding(
      "cache-directory",
      "warn",
      `${path} has mode ${octal(seen.mode)}: others can list the cached sessions.`,
      `chmod 700 ${path}`,
    );
  }
  return finding("cache-directory", "ok", `${path} has mode ${octal(seen.mode)}.`);
}

/**
 * The folder above the cache folder (`~/.aws/login`): whoever can write it can replace the cache folder itself.
 * Only a problem is reported (undefined when it is fine or absent). @see docs/protocol.md §6
 */
export function judgeCacheParent(
  path: string,
  seen: FileObservation,
  ownUid: number | undefined,
): DoctorFinding | undefined {
  if (seen.kind !== "found" || !seen.isDirectory) return undefined;
  const untrusted = untrustedFolderReason(seen, ownUid);
  if (untrusted === undefined) return undefined;
  return finding(
    "cache-directory",
    "fail",
    `${path} (the folder above the login cache): ${untrusted}, so ${PLANTED_CREDENTIALS_RISK} by replacing the cache folder. awslogin-credential-process, the SDK provider and export refuse to serve credentials below it.`,
    `chmod 700 ${path}`,
  );
}

/**
 * A cache file (it holds credentials and the DPoP key): 0600, yours, readable and writable by you, and a record
 * (when `record` is given). @see docs/protocol.md §6
 */
export function judgeCacheFile(
  path: string,
  seen: FileObservation,
  ownUid: number | undefined,
  record?: CacheRecordObservation,
): DoctorFinding {
  if (seen.kind === "missing") {
    return finding("cache-file", "ok", `${path} was removed while doctor ran (a logout or another tool).`);
  }
  if (seen.kind === "error") {
    return finding(
      "cache-file",
      "fail",
      `${path} cannot be read (${seen.code}).`,
      seen.code === "EACCES" || seen.code === "EPERM"
        ? `chmod 600 ${path} as its owner, and chmod 700 its folder.`
        : `Check it with \`ls -l ${path}\`, or remove it: rm ${path}`,
    );
  }
  if (ownUid !== undefined && seen.uid !== ownUid) {
    return foreignOwner("cache-file", "fail", path, seen.uid, ownUid, " (as root)");
  }
  if (seen.accessError !== undefined) {
    return finding(
      "cache-file",
      "fail",
      `${path} has mode ${octal(seen.mode)}: you cannot read and write it (${seen.accessError}), so refreshes fail.`,
      `chmod 600 ${path}`,
    );
  }
  if ((seen.mode & 0o077) !== 0) {
    return finding(
      "cache-file",
      "fail",
      `${path} has mode ${octal(seen.mode)}: others can read your credentials and DPoP key.`,
      `chmod 600 ${path}`,
    );
  }
  if (record !== undefined && !record.valid) {
    const [profile, ...others] = record.profiles;
    return finding(
      "cache-file",
      "fail",
      record.problem,
      profile === undefined
        ? `No profile in the config file uses it: remove it (rm ${path}), or sign in again to the profile of another tool that does.`
        : `Run \`${loginHint(profile)}\` to replace it${others.length > 0 ? ` (also used by ${others.join(", ")})` : ""}.`,
    );
  }
  return finding("cache-file", "ok", `${path} has mode ${octal(seen.mode)}.`);
}

/** A profile's login session as `status` judges it: usable, ended, gone or unreadable. @see docs/protocol.md §6–§8 */
export function judgeProfileCache(status: SessionStatus): DoctorFinding {
  const who = `Profile ${status.profile}`;
  const login = loginHint(status.profile);
  switch (status.state) {
    case "valid":
      return finding(
        "profile-cache",
        "ok",
        `${who}: the cached session is readable; credentials are valid until ${status.expiresAt}.`,
      );
    case "refresh-due":
      return finding("profile-cache", "ok", `${who}: the cached session is readable; ${status.reason}.`);
    case "expired":
      return finding(
        "profile-cache",
        "warn",
        `${who}: the session ended: ${status.reason}.`,
        `Run \`${login}\`.`,
      );
    case "logged-out":
      return finding(
        "profile-cache",
        "warn",
        `${who}: not logged in: ${status.reason}.`,
        `Run \`${login}\`.`,
      );
    case "unreadable":
      return finding(
        "profile-cache",
        "fail",
        `${who}: ${status.reason}`,
        `Run \`${login}\` to replace the file.`,
      );
  }
}

/** An HTTP answer from the Sign-In endpoint, or the transport error. */
export type EndpointProbe =
  | { ok: true; url: string; status: number; sentAt: number; receivedAt: number; date: string | undefined }
  | { ok: false; url: string; error: AwsLoginError };

/** Any HTTP answer means the endpoint is reachable (the probe sends no credentials). */
export function judgeEndpoint(probe: EndpointProbe): DoctorFinding {
  if (!probe.ok) {
    return finding(
      "endpoint",
      "fail",
      `${probe.url} is not reachable: ${probe.error.message}`,
      "Check your network, proxy and firewall, and AWS_ENDPOINT_URL_SIGNIN / AWS_ENDPOINT_URL if you set them.",
    );
  }
  return finding(
    "endpoint",
    "ok",
    `${probe.url} answered (HTTP ${probe.status}) in ${Math.round(probe.receivedAt - probe.sentAt)} ms.`,
  );
}

/**
 * The endpoint a session recorded at login: plain http to a host that is not loopback sends its refresh token and
 * DPoP proofs in clear on every refresh (fail, whether or not the opt-in allows it today); undefined otherwise.
 */
export function judgeRecordedEndpoint(profile: string, endpoint: string): DoctorFinding | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined; // the cache-file and profile checks report a record that cannot be used
  }
  if (url.protocol !== "http:" || isLoopbackHost(url.hostname)) return undefined;
  return finding(
    "endpoint",
    "fail",
    `Profile ${profile} refreshes against ${redactUrl(endpoint)}, recorded in its cache file at login: plain http to a host that is not this machine, so its refresh token and credentials cross the network unencrypted. Refreshes refuse it unless ${ALLOW_INSECURE_HTTP_ENV} is set.`,
    `Run \`${loginHint(profile)} --endpoint-url https://…\` (or without --endpoint-url for AWS) to record an https endpoint.`,
  );
}

/**
 * Why no endpoint was probed: no region to pick the one `awslogin login` would use, or an override or region that
 * is not valid (resolveSignInEndpoint's INVALID_ARGUMENT). @see docs/protocol.md §1
 */
export type EndpointChoiceFailure =
  | { kind: "no-region"; profile: string }
  | { kind: "invalid"; error: AwsLoginError };

/** No endpoint to probe: without a region a fresh machine cannot be checked (warn); a bad override fails. */
export function judgeNoEndpoint(failure: EndpointChoiceFailure): DoctorFinding {
  if (failure.kind === "no-region") {
    return finding(
      "endpoint",
      "warn",
      `No region is set (AWS_REGION, AWS_DEFAULT_REGION or region in profile ${failure.profile}), so the Sign-In endpoint \`awslogin login\` would use, and the clock against it, could not be checked.`,
      `Pass --region to \`awslogin login\` (e.g. --region us-east-1) or set AWS_REGION (\`export AWS_REGION=us-east-1\`), then run \`awslogin doctor\` again.`,
    );
  }
  return finding(
    "endpoint",
    "fail",
    `The Sign-In endpoint cannot be chosen: ${failure.error.message}`,
    failure.error.code === "CONFIG_MALFORMED"
      ? "Correct the profile's services setting (and its [services NAME] section's signin endpoint_url) or its endpoint_url in the config file."
      : "Fix or unset AWS_ENDPOINT_URL_SIGNIN / AWS_ENDPOINT_URL, and use a region name such as us-east-1 in AWS_REGION or the profile.",
  );
}

/** How far the server's clock (its `Date` header) is from ours, measured at the middle of the round trip. */
export function clockSkewMs(probe: Extract<EndpointProbe, { ok: true }>): number | undefined {
  if (probe.date === undefined) return undefined;
  const server = Date.parse(probe.date);
  if (Number.isNaN(server)) return undefined;
  // The header is truncated to the second: compare with the middle of that second.
  return server + 500 - (probe.sentAt + probe.receivedAt) / 2;
}

/** Our clock against the Sign-In endpoint's: DPoP proofs carry `iat`, and expiry times are judged locally. @see docs/protocol.md §4.2 */
export function judgeClockSkew(probe: EndpointProbe): DoctorFinding | undefined {
  if (!probe.ok) return undefined;
  const skew = clockSkewMs(probe);
  if (skew === undefined) {
    return finding(
      "clock-skew",
      "warn",
      `${probe.url} sent no usable Date header, so the clock could not be compared.`,
      "Check the clock another way: `timedatectl status` should say the system clock is synchronized (else " +
        "`timedatectl set-ntp true`). A proxy or the server named by AWS_ENDPOINT_URL_SIGNIN / AWS_ENDPOINT_URL " +
        "may drop the Date header: check against the region's own endpoint.",
    );
  }
  const seconds = Math.round(Math.abs(skew) / 1000);
  const direction = skew > 0 ? "behind" : "ahead of";
  const fix = "Synchronize the system clock (e.g. enable NTP: `timedatectl set-ntp true`).";
  if (Math.abs(skew) > SKEW_FAIL_MS) {
    return finding(
      "clock-skew",
      "fail",
      `This machine's clock is ${seconds} s ${direction} ${probe.url}: sign-in and refresh will be refused.`,
      fix,
    );
  }
  if (Math.abs(skew) > SKEW_WARN_MS) {
    return finding(
      "clock-skew",
      "warn",
      `This machine's clock is ${seconds} s ${direction} ${probe.url}.`,
      fix,
    );
  }
  return finding(
    "clock-skew",
    "ok",
    `This machine's clock is within ${Math.max(seconds, 1)} s of ${probe.url}.`,
  );
}

/** A `<cache file>.lock` as found: its holder (or unreadable) and whether that process is alive on this host. */
export interface LockObservation {
  path: string;
  owner: { pid: number; host: string; createdAt: number } | "unreadable";
  /** The file's age by mtime, for unreadable locks. */
  ageMs: number;
  /** Whether the holder's pid is alive; undefined when it runs on another host. */
  holderAlive: boolean | undefined;
  /**
   * Something no awslogin process leaves at a lock's path (a symlink, a folder, a FIFO, a record with pid 0, a
   * negative pid or a `createdAt` in the future): why, and whether awslogin takes it over itself (a folder with
   * files in it it will not remove).
   */
  broken?: { reason: string; takenOver: boolean; directory: boolean };
}

/** A lock is stale when its holder is gone or it is older than 90 s; awslogin takes such locks over, but they hint at crashes. */
export function judgeLock(lock: LockObservation, now: number): DoctorFinding {
  const remove = `rm ${lock.path}   (or \`awslogin logout\` for that profile)`;
  if (lock.broken !== undefined) {
    return lock.broken.takenOver
      ? finding(
          "lock",
          "warn",
          `${lock.path} is not a lock awslogin wrote (${lock.broken.reason}): the next refresh removes it and takes the lock, but something else put it there.`,
          lock.broken.directory ? `rmdir ${lock.path}` : `rm ${lock.path}`,
        )
      : finding(
          "lock",
          "fail",
          `${lock.path} is not a usable lock (${lock.broken.reason}): every refresh of that session fails with LOCK_BROKEN until it is removed.`,
          `Look at what it holds, then \`rm -r ${lock.path}\`.`,
        );
  }
  if (lock.owner === "unreadable") {
    return lock.ageMs > LOCK_STALE_MS
      ? finding(
          "lock",
          "warn",
          `${lock.path} is an unreadable lock file left ${Math.round(lock.ageMs / 1000)} s ago.`,
          remove,
        )
      : finding("lock", "ok", `${lock.path} is being written by a refresh right now.`);
  }
  const age = now - lock.owner.createdAt;
  if (lock.holderAlive === false) {
    return finding(
      "lock",
      "warn",
      `${lock.path} is stale: its holder (pid ${lock.owner.pid}) is no longer running.`,
      remove,
    );
  }
  if (age > LOCK_STALE_MS) {
    return finding(
      "lock",
      "warn",
      `${lock.path} is stale: held for ${Math.round(age / 1000)} s by pid ${lock.owner.pid} on ${lock.owner.host}.`,
      remove,
    );
  }
  return finding("lock", "ok", `${lock.path} is held by a refresh in progress (pid ${lock.owner.pid}).`);
}

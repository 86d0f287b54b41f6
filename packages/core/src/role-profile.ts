/**
 * Role profiles on top of a login profile: the `role_arn` + `source_profile` chain down to the login profile, the
 * values each step sends to STS AssumeRole, the AWS CLI's assume-role cache key and record. Pure and dependency-free:
 * the credential_process hot path bundles it to answer a role-profile cache hit.
 * @see docs/protocol.md §17.1, §17.5
 */
import type { ProfileValues } from "./config.js";
import { isCredentialValue } from "./credential-format.js";
import { AwsLoginError } from "./errors.js";
import { parseRfc3339 } from "./rfc3339.js";
import { sha1Hex } from "./sha1.js";

/** STS's pattern for `RoleSessionName`. */
export const ROLE_SESSION_NAME_PATTERN = /^[\w+=,.@-]{2,64}$/;
const ROLE_ARN = /^arn:aws[a-z-]{0,16}:iam::\d{12}:role\/[\x21-\x7e]{1,576}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
const MFA_SERIAL = /^[\w+=/:,.@-]{9,256}$/;
/** Chains longer than this are refused as malformed: no real setup nests roles this deep. */
const MAX_CHAIN_LENGTH = 32;

/** One AssumeRole call of a chain: the role profile and what its keys say. */
export interface RoleStep {
  /** The role profile this step is configured in. */
  profile: string;
  /** `role_arn`. */
  roleArn: string;
  /** `role_session_name` when configured (else a name derived from the login session is sent). */
  roleSessionName?: string;
  /** `external_id`. */
  externalId?: string;
  /** `duration_seconds` (900–43200). */
  durationSeconds?: number;
  /** `mfa_serial`: a TOTP code is asked for and sent with it. */
  mfaSerial?: string;
  /** The profile's `region`, when set. */
  region?: string;
}

/** A role profile resolved down to its login profile. */
export interface RoleChain {
  /** The role profile asked for. */
  profile: string;
  /** The login profile at the root of the chain. */
  rootProfile: string;
  /** The root's `login_session`. */
  loginSession: string;
  /** The roles to assume, the first with the login session's credentials, the last being `profile`'s. */
  steps: RoleStep[];
}

/** True when the profile assumes a role (`role_arn` set): resolve it with {@link resolveRoleChain}. */
export function isRoleProfile(section: ProfileValues | undefined): boolean {
  return section?.role_arn !== undefined && section.role_arn !== "";
}

function malformed(profile: string, key: string, what: string, path: string): AwsLoginError {
  return new AwsLoginError(
    "CONFIG_MALFORMED",
    `Profile ${profile} has a ${key} that is not ${what}. Fix it in ${path}.`,
    { path },
  );
}

function stepOf(profile: string, section: ProfileValues, path: string): RoleStep {
  const roleArn = section.role_arn ?? "";
  if (!ROLE_ARN.test(roleArn))
    malformedThrow(profile, "role_arn", "a role ARN (arn:aws:iam::ACCOUNT:role/NAME)", path);
  const step: RoleStep = { profile, roleArn };
  const name = section.role_session_name;
  if (name !== undefined && name !== "") {
    if (!ROLE_SESSION_NAME_PATTERN.test(name))
      malformedThrow(profile, "role_session_name", "2-64 characters of A-Z a-z 0-9 + = , . @ _ -", path);
    step.roleSessionName = name;
  }
  const externalId = section.external_id;
  if (externalId !== undefined && externalId !== "") {
    if (!EXTERNAL_ID.test(externalId))
      malformedThrow(profile, "external_id", "2-1224 characters of A-Z a-z 0-9 + = , . @ : / _ -", path);
    step.externalId = externalId;
  }
  const duration = section.duration_seconds;
  if (duration !== undefined && duration !== "") {
    const seconds = /^\d{3,5}$/.test(duration) ? Number(duration) : Number.NaN;
    if (!(seconds >= 900 && seconds <= 43_200))
      malformedThrow(profile, "duration_seconds", "a whole number of seconds from 900 to 43200", path);
    step.durationSeconds = seconds;
  }
  const mfaSerial = section.mfa_serial;
  if (mfaSerial !== undefined && mfaSerial !== "") {
    if (!MFA_SERIAL.test(mfaSerial))
      malformedThrow(profile, "mfa_serial", "an MFA device ARN or serial number", path);
    step.mfaSerial = mfaSerial;
  }
  const region = section.region;
  if (region !== undefined && region !== "" && isCredentialValue("region", region)) step.region = region;
  return step;
}

function malformedThrow(profile: string, key: string, what: string, path: string): never {
  throw malformed(profile, key, what, path);
}

/**
 * Follows `source_profile` from the role profile `profile` down to a login profile. Throws an AwsLoginError:
 * PROFILE_NOT_FOUND (no such profile), ROLE_SOURCE_MISSING (a `source_profile` names a profile that does not exist),
 * ROLE_CHAIN_CYCLE (the chain comes back to a profile), ROLE_CHAIN_NOT_LOGIN (the chain ends in a profile without
 * `login_session`, or at a `credential_source`: other tools resolve it), CONFIG_MALFORMED (a bad value). Each
 * message names the profiles.
 * @param lookup - the merged profile of that name (config file, overridden by the credentials file), or undefined
 */
export function resolveRoleChain(
  profile: string,
  lookup: (name: string) => ProfileValues | undefined,
  configPath: string,
): RoleChain {
  const visited: string[] = [];
  const steps: RoleStep[] = [];
  let name = profile;
  let section = lookup(name);
  if (section === undefined) {
    throw new AwsLoginError("PROFILE_NOT_FOUND", `Profile ${profile} is not in ${configPath}.`, {
      path: configPath,
    });
  }
  while (isRoleProfile(section)) {
    const current: ProfileValues = section!;
    visited.push(name);
    if (visited.length > MAX_CHAIN_LENGTH) {
      throw new AwsLoginError(
        "CONFIG_MALFORMED",
        `Profile ${profile}'s role chain is longer than ${MAX_CHAIN_LENGTH} roles. Fix it in ${configPath}.`,
        { path: configPath },
      );
    }
    steps.unshift(stepOf(name, current, configPath));
    const source = current.source_profile;
    if (source === undefined || source === "") {
      if (current.credential_source !== undefined && current.credential_source !== "") {
        throw new AwsLoginError(
          "ROLE_CHAIN_NOT_LOGIN",
          `Profile ${profile}'s role chain starts at profile ${name}'s credential_source, not at a login profile; another credential source resolves it.`,
          { path: configPath },
        );
      }
      // role_arn with a token file is web identity (AssumeRoleWithWebIdentity), which the SDKs resolve themselves.
      if (current.web_identity_token_file !== undefined && current.web_identity_token_file !== "") {
        throw new AwsLoginError(
          "ROLE_CHAIN_NOT_LOGIN",
          `Profile ${profile}'s role chain starts at profile ${name}'s web_identity_token_file, not at a login profile; another credential source resolves it.`,
          { path: configPath },
        );
      }
      throw malformed(name, "role_arn", "accompanied by a source_profile or credential_source", configPath);
    }
    // A profile that is its own source with static keys assumes the role with those keys (as botocore and the JS
    // SDK allow): a chain of another kind, not a loop.
    if (source === name && current.aws_access_key_id !== undefined && current.aws_access_key_id !== "") {
      throw new AwsLoginError(
        "ROLE_CHAIN_NOT_LOGIN",
        `Profile ${profile}'s role chain starts at profile ${name}'s own static keys, not at a login profile; another credential source resolves it.`,
        { path: configPath },
      );
    }
    if (visited.includes(source)) {
      throw new AwsLoginError(
        "ROLE_CHAIN_CYCLE",
        `Profiles ${[...visited, source].join(" → ")} form a cycle of source_profile. Fix it in ${configPath}.`,
        { path: configPath },
      );
    }
    const next = lookup(source);
    if (next === undefined) {
      throw new AwsLoginError(
        "ROLE_SOURCE_MISSING",
        `Profile ${name} names source_profile ${source}, which is not in ${configPath} nor in the credentials file. Add it, or fix source_profile.`,
        { path: configPath },
      );
    }
    name = source;
    section = next;
  }
  const loginSession = section!.login_session;
  if (steps.length === 0 || loginSession === undefined || loginSession === "") {
    throw new AwsLoginError(
      "ROLE_CHAIN_NOT_LOGIN",
      steps.length === 0
        ? `Profile ${profile} has no role_arn.`
        : `Profile ${profile}'s role chain ends at profile ${name}, which has no login_session; another credential source resolves it, or sign in with ${name}.`,
      { path: configPath, remedy: { kind: "sign-in", profile: name } },
    );
  }
  return { profile, rootProfile: name, loginSession, steps };
}

/**
 * The role session name sent when `role_session_name` is not configured: `awslogin-` and the last part of the login
 * session's ARN (the user or role session name), trimmed to what STS accepts; a person reading CloudTrail sees who.
 */
export function defaultRoleSessionName(loginSession: string): string {
  const tail = loginSession.split(/[/:]/).at(-1) ?? "";
  const name = `awslogin-${tail.replace(/[^\w+=,.@-]/g, "")}`.slice(0, 64);
  return ROLE_SESSION_NAME_PATTERN.test(name) && name !== "awslogin-" ? name : "awslogin-session";
}

/**
 * The AWS CLI's assume-role cache key (botocore `AssumeRoleCredentialFetcher._create_cache_key`): the SHA-1 of the
 * AssumeRole arguments as Python's `json.dumps(args, sort_keys=True)` writes them, without `RoleSessionName` when it
 * was not configured. Our values are printable ASCII (checked by {@link resolveRoleChain}), where Python's and
 * JavaScript's JSON escaping agree. @see docs/protocol.md §17.5
 */
export function roleCacheKey(step: Omit<RoleStep, "profile" | "region">): string {
  const args: Array<[string, string | number]> = [];
  if (step.durationSeconds !== undefined) args.push(["DurationSeconds", step.durationSeconds]);
  if (step.externalId !== undefined) args.push(["ExternalId", step.externalId]);
  args.push(["RoleArn", step.roleArn]);
  if (step.roleSessionName !== undefined) args.push(["RoleSessionName", step.roleSessionName]);
  if (step.mfaSerial !== undefined) args.push(["SerialNumber", step.mfaSerial]);
  const json = `{${args.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(", ")}}`;
  return sha1Hex(json);
}

/** Temporary credentials of an assumed role. */
export interface RoleCredentials {
  /** The access key id (`ASIA…`). */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The session token. */
  sessionToken: string;
  /** When they stop working, in ms since the epoch. */
  expiresAt: number;
  /** The role's account, when known. */
  accountId?: string;
  /** `arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION`, when known. */
  assumedRoleArn?: string;
  /** `AROA…:SESSION`, when known. */
  assumedRoleId?: string;
}

/** The expiry formats found in the AWS CLI's cache: RFC 3339, and botocore's `%Y-%m-%dT%H:%M:%S%Z` (`…UTC`). */
function parseExpiration(text: unknown): number | undefined {
  if (typeof text !== "string" || text.length > 64) return undefined;
  const utc = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:UTC|GMT)$/.exec(text);
  return parseRfc3339(utc ? `${utc[1]}Z` : text);
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/**
 * The credentials of an assume-role cache file's text, or undefined when it is not one (wrong shape, a value of the
 * wrong form): a doubtful file is never served, the caller assumes the role again and replaces it.
 */
export function parseRoleCacheRecord(text: string): RoleCredentials | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const credentials = objectOf(objectOf(value)?.Credentials);
  if (!credentials) return undefined;
  const { AccessKeyId, SecretAccessKey, SessionToken, AccountId } = credentials;
  const expiresAt = parseExpiration(credentials.Expiration);
  if (
    !isCredentialValue("accessKeyId", AccessKeyId) ||
    !isCredentialValue("secretAccessKey", SecretAccessKey) ||
    !isCredentialValue("sessionToken", SessionToken) ||
    expiresAt === undefined ||
    (AccountId !== undefined && !isCredentialValue("accountId", AccountId))
  ) {
    return undefined;
  }
  const user = objectOf(objectOf(value)?.AssumedRoleUser);
  const arn = user?.Arn;
  const id = user?.AssumedRoleId;
  const accountFromArn = isCredentialValue("arn", arn)
    ? /^arn:[^:]+:sts::(\d{12}):/.exec(arn)?.[1]
    : undefined;
  const accountId = AccountId ?? accountFromArn;
  return {
    accessKeyId: AccessKeyId,
    secretAccessKey: SecretAccessKey,
    sessionToken: SessionToken,
    expiresAt,
    ...(accountId === undefined ? {} : { accountId }),
    ...(isCredentialValue("arn", arn) ? { assumedRoleArn: arn } : {}),
    ...(isCredentialValue("opaque", id) && id.length <= 256 ? { assumedRoleId: id } : {}),
  };
}

/** The cache file text the AWS CLI writes for an AssumeRole answer (and reads back): one JSON line, no secrets logged. */
export function serializeRoleCacheRecord(credentials: RoleCredentials): string {
  const expiration = new Date(credentials.expiresAt).toISOString().replace(/\.\d{3}Z$/, "Z");
  return JSON.stringify({
    Credentials: {
      AccessKeyId: credentials.accessKeyId,
      SecretAccessKey: credentials.secretAccessKey,
      SessionToken: credentials.sessionToken,
      Expiration: expiration,
      ...(credentials.accountId === undefined ? {} : { AccountId: credentials.accountId }),
    },
    ...(credentials.assumedRoleArn === undefined
      ? {}
      : {
          AssumedRoleUser: {
            Arn: credentials.assumedRoleArn,
            ...(credentials.assumedRoleId === undefined ? {} : { AssumedRoleId: credentials.assumedRoleId }),
          },
        }),
  });
}

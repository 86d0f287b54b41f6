/**
 * What `awslogin status` says about a profile's login session, judged from the config, the cache record and
 * the clock. Pure: the caller reads the files and passes the time in; judging never refreshes or writes.
 * @see docs/protocol.md §6 (cache), §7 (profiles), §8 (refresh: 5-minute threshold, 12-hour sessions)
 */
import type { ProfileValues } from "./config.js";
import type { AwsLoginError } from "./errors.js";
import { MAX_SESSION_MS, REFRESH_THRESHOLD_MS } from "./protocol.js";
import type { TokenCacheRecord } from "./token-cache.js";
import { accountIdFromArn, expiresAtMs } from "./token-facts.js";

/**
 * `valid`: credentials have more than 5 minutes left. `refresh-due`: 5 minutes or less, or ran out, while the
 * session lasts (the next use refreshes). `expired`: the session ended (past its 12 hours, or the service refused
 * the last refresh). `logged-out`: no login_session, or no cache file. `unreadable`: the cache file cannot be used.
 */
export type SessionState = "valid" | "refresh-due" | "expired" | "logged-out" | "unreadable";

/** One profile's session as `awslogin status --json` prints it. */
export interface SessionStatus {
  /** The profile's name. */
  profile: string;
  /** The profile's `login_session`; null when it has none. */
  loginSession: string | null;
  /** The account of the cached credentials; null without a readable cache record. */
  accountId: string | null;
  /** When the current credentials expire (ISO 8601). */
  expiresAt: string | null;
  /** `awslogin.sessionStartedAt` + 12 h, the most AWS allows; the principal's own limit may be shorter. */
  sessionExpiresAt?: string;
  /** The region a refresh goes to (the record's `signInRegion`, else the configured one); null when none is known. */
  region: string | null;
  /** The judgement: usable (`valid`, `refresh-due`) or not; see {@link SessionState}. */
  state: SessionState;
  /** Why the state is not `valid`, in words. */
  reason?: string;
  /** The session's cache file; null when the profile has no `login_session`. */
  cachePath: string | null;
}

/** What the caller read for one profile. */
export interface SessionStatusInput {
  profile: string;
  /** The profile's `login_session`; undefined when it has none. */
  loginSession: string | undefined;
  /** The profile exists in the config file. */
  profileExists: boolean;
  /** The profile's `region`. */
  profileRegion: string | undefined;
  cachePath: string | undefined;
  /** The cache record; undefined when the file does not exist. */
  record: TokenCacheRecord | undefined;
  /** Why the cache file could not be used, when it could not. */
  error?: AwsLoginError | undefined;
}

/** What a profile's config section says for its status: the part of {@link SessionStatusInput} before the cache. */
export function profileFacts(
  profile: string,
  section: ProfileValues | undefined,
): Pick<SessionStatusInput, "profile" | "loginSession" | "profileExists" | "profileRegion"> {
  return {
    profile,
    loginSession: section?.login_session || undefined,
    profileExists: section !== undefined,
    profileRegion: section?.region || undefined,
  };
}

/** The usable states: the credentials work now or the next use refreshes them. */
export function isUsableState(state: SessionState): boolean {
  return state === "valid" || state === "refresh-due";
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function timeOf(value: unknown): number | undefined {
  if (typeof value !== "string" || !ISO_TIME.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** `awslogin.refreshRefused` as recorded by the refresh driver, when it is well formed. */
function refusalOf(record: TokenCacheRecord): { code: string; at: string } | undefined {
  const marker: unknown = record.awslogin?.refreshRefused;
  if (typeof marker !== "object" || marker === null) return undefined;
  const { code, at } = marker as { code?: unknown; at?: unknown };
  return typeof code === "string" ? { code, at: typeof at === "string" ? at : "an unknown time" } : undefined;
}

function safeAccountId(arn: string | undefined): string | null {
  if (arn === undefined) return null;
  try {
    return accountIdFromArn(arn);
  } catch {
    return null;
  }
}

function minutes(ms: number): string {
  const total = Math.round(Math.abs(ms) / 60_000);
  if (total < 60) return `${total} min`;
  return `${Math.floor(total / 60)} h ${total % 60} min`;
}

/** Judges one profile's session at `now`; the keys come in the documented order. @see docs/protocol.md §6–§8 */
export function judgeSessionStatus(input: SessionStatusInput, now: number): SessionStatus {
  const status = judge(input, now);
  return {
    profile: status.profile,
    loginSession: status.loginSession,
    accountId: status.accountId,
    expiresAt: status.expiresAt,
    ...(status.sessionExpiresAt === undefined ? {} : { sessionExpiresAt: status.sessionExpiresAt }),
    region: status.region,
    state: status.state,
    ...(status.reason === undefined ? {} : { reason: status.reason }),
    cachePath: status.cachePath,
  };
}

function judge(input: SessionStatusInput, now: number): SessionStatus {
  const base = {
    profile: input.profile,
    loginSession: input.loginSession ?? null,
    accountId: safeAccountId(input.loginSession),
    expiresAt: null,
    region: input.profileRegion ?? null,
    cachePath: input.cachePath ?? null,
  };
  if (input.loginSession === undefined) {
    return {
      ...base,
      state: "logged-out",
      reason: input.profileExists
        ? `profile ${input.profile} has no login_session`
        : `profile ${input.profile} is not in the config file`,
    };
  }
  if (input.error !== undefined) return { ...base, state: "unreadable", reason: input.error.message };
  const record = input.record;
  if (record === undefined)
    return { ...base, state: "logged-out", reason: "the cached login token is gone (logged out)" };

  const expiresAt = expiresAtMs(record);
  const started = timeOf(record.awslogin?.sessionStartedAt);
  const sessionEnds = started === undefined ? undefined : started + MAX_SESSION_MS;
  const status: SessionStatus = {
    ...base,
    accountId: record.accessToken.accountId,
    expiresAt: new Date(expiresAt).toISOString(),
    ...(sessionEnds === undefined ? {} : { sessionExpiresAt: new Date(sessionEnds).toISOString() }),
    region: record.signInRegion || input.profileRegion || null,
    state: "valid",
  };
  const refused = refusalOf(record);
  if (refused !== undefined) {
    return {
      ...status,
      state: "expired",
      reason: `the service refused the last refresh (${refused.code}) at ${refused.at}`,
    };
  }
  if (sessionEnds !== undefined && now >= sessionEnds) {
    return {
      ...status,
      state: "expired",
      reason: `the session reached its 12-hour maximum ${minutes(now - sessionEnds)} ago`,
    };
  }
  const left = expiresAt - now;
  if (left <= 0)
    return {
      ...status,
      state: "refresh-due",
      reason: `credentials ran out ${minutes(left)} ago; the next use refreshes them`,
    };
  if (left <= REFRESH_THRESHOLD_MS) {
    return {
      ...status,
      state: "refresh-due",
      reason: `credentials expire in ${minutes(left)}; the next use refreshes them`,
    };
  }
  return status;
}

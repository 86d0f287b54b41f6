/**
 * The refresh state machine: decides, from the cached token, the clock and the service's answers,
 * whether to serve the cached credentials, refresh them under the session's inter-process lock, or stop.
 * Pure: (state, event, now) → (next state, effects).
 * @see docs/protocol.md §8 (refresh semantics), §4.4 (errors)
 */
import { AwsLoginError } from "../errors.js";
import { REFRESH_THRESHOLD_MS } from "../protocol.js";

/** What the machine needs to know of a cached token (kept abstract so the machine stays pure). */
export interface RefreshableToken {
  /** When the cached credentials stop working, in ms since the epoch. */
  expiresAt: number;
}

export type RefreshState<T extends RefreshableToken> =
  | { name: "start" }
  | { name: "locking"; token: T }
  | { name: "rereading"; token: T }
  | { name: "refreshing"; token: T }
  | { name: "writing"; token: T; refreshed: T }
  | { name: "done"; token: T; refreshed: boolean; warning?: AwsLoginError }
  | { name: "failed"; error: AwsLoginError };

export type RefreshEvent<T extends RefreshableToken> =
  | { type: "loaded"; token: T | undefined }
  | { type: "locked" }
  | { type: "lock-failed"; error: AwsLoginError }
  /** Another process holds the lock (it is refreshing) while the cached credentials are still valid. */
  | { type: "lock-busy" }
  /** While this process waited for the lock, the holder wrote credentials that are no longer due. */
  | { type: "refreshed-meanwhile"; token: T }
  | { type: "reread"; token: T | undefined }
  | { type: "refreshed"; token: T }
  | { type: "refresh-failed"; error: AwsLoginError }
  | { type: "written" }
  | { type: "write-failed"; error: AwsLoginError };

export type RefreshEffect<T extends RefreshableToken> =
  | { type: "lock" }
  | { type: "read" }
  | { type: "refresh"; token: T }
  | { type: "write"; token: T }
  | { type: "unlock" };

export interface RefreshTransition<T extends RefreshableToken> {
  state: RefreshState<T>;
  effects: RefreshEffect<T>[];
}

/** When a cached token counts as due for refresh. */
export interface RefreshPolicy {
  /** Refresh once this little time is left (default 5 minutes). */
  thresholdMs?: number;
  /** Refresh whatever the expiry (`ignoreCache`, `--force-refresh`). */
  force?: boolean;
  /** The profile, for messages. */
  profile?: string;
}

/** Errors after which only a new login helps. */
const SESSION_ENDING = new Set(["TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED", "INSUFFICIENT_PERMISSIONS"]);

/** True when the cached credentials must be refreshed now. @see docs/protocol.md §8 (5-minute threshold) */
export function isRefreshDue(token: RefreshableToken, now: number, policy: RefreshPolicy = {}): boolean {
  return policy.force === true || token.expiresAt - now <= (policy.thresholdMs ?? REFRESH_THRESHOLD_MS);
}

function missingSessionError(profile: string | undefined): AwsLoginError {
  return new AwsLoginError(
    "CACHE_MISSING",
    `There are no cached login credentials for ${profile === undefined ? "this session" : `profile ${profile}`}. Sign in to get them.`,
    { remedy: { kind: "sign-in", profile } },
  );
}

function done<T extends RefreshableToken>(
  token: T,
  refreshed: boolean,
  effects: RefreshEffect<T>[],
  warning?: AwsLoginError,
): RefreshTransition<T> {
  return {
    state:
      warning === undefined
        ? { name: "done", token, refreshed }
        : { name: "done", token, refreshed, warning },
    effects,
  };
}

/** Advance the refresh machine by one event. */
export function transitionRefresh<T extends RefreshableToken>(
  state: RefreshState<T>,
  event: RefreshEvent<T>,
  now: number,
  policy: RefreshPolicy = {},
): RefreshTransition<T> {
  switch (state.name) {
    case "start":
      if (event.type !== "loaded") break;
      if (event.token === undefined)
        return { state: { name: "failed", error: missingSessionError(policy.profile) }, effects: [] };
      if (!isRefreshDue(event.token, now, policy)) return done(event.token, false, []);
      return { state: { name: "locking", token: event.token }, effects: [{ type: "lock" }] };

    case "locking":
      if (event.type === "locked")
        return { state: { name: "rereading", token: state.token }, effects: [{ type: "read" }] };
      if (event.type === "lock-failed") return serveOrFail(state.token, event.error, now, []);
      // Credentials that still work are served at once: the holder's refresh is for whoever comes next.
      if (event.type === "lock-busy" && state.token.expiresAt > now) return done(state.token, false, []);
      // The winner's credentials, read without the lock (writes are atomic): no need to queue for it.
      if (event.type === "refreshed-meanwhile") return done(event.token, false, []);
      break;

    case "rereading": {
      // The file went bad while this process waited: nothing to refresh from.
      if (event.type === "refresh-failed")
        return { state: { name: "failed", error: event.error }, effects: [{ type: "unlock" }] };
      if (event.type !== "reread") break;
      if (event.token === undefined) {
        return {
          state: { name: "failed", error: missingSessionError(policy.profile) },
          effects: [{ type: "unlock" }],
        };
      }
      // Another process may have refreshed while this one waited for the lock: decide again.
      const forced = policy.force === true && event.token.expiresAt === state.token.expiresAt;
      if (!forced && !isRefreshDue(event.token, now, { ...policy, force: false })) {
        return done(event.token, false, [{ type: "unlock" }]);
      }
      return {
        state: { name: "refreshing", token: event.token },
        effects: [{ type: "refresh", token: event.token }],
      };
    }

    case "refreshing":
      if (event.type === "refreshed") {
        return {
          state: { name: "writing", token: state.token, refreshed: event.token },
          effects: [{ type: "write", token: event.token }],
        };
      }
      if (event.type === "refresh-failed") {
        if (SESSION_ENDING.has(event.error.code)) {
          return { state: { name: "failed", error: event.error }, effects: [{ type: "unlock" }] };
        }
        return serveOrFail(state.token, event.error, now, [{ type: "unlock" }]);
      }
      break;

    case "writing":
      if (event.type === "written") return done(state.refreshed, true, [{ type: "unlock" }]);
      // The service already rotated the refresh token: hand out the new credentials, and say the cache is stale.
      if (event.type === "write-failed")
        return done(state.refreshed, true, [{ type: "unlock" }], event.error);
      break;

    default:
      break;
  }
  return { state, effects: [] };
}

/** A transient failure: keep serving credentials that still work, with a warning; else fail. */
function serveOrFail<T extends RefreshableToken>(
  token: T,
  error: AwsLoginError,
  now: number,
  effects: RefreshEffect<T>[],
): RefreshTransition<T> {
  if (token.expiresAt > now) return done(token, false, effects, error);
  return { state: { name: "failed", error }, effects };
}

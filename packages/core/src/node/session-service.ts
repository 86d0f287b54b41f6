/**
 * A profile's session at the Sign-In service, on Node: revoke it (under the session's lock: refresh if due, revoke,
 * delete the cache file) and ask whether it is still active. Used by `awslogin logout --revoke` and
 * `awslogin status --check`. @see docs/protocol.md §16.2, §16.3, §16.5
 */
import { unlink } from "node:fs/promises";
import { AwsLoginError, hasErrorCode } from "../errors.js";
import type { LockSession, Transport } from "../ports.js";
import { getFreshToken, type RefreshOptions } from "../refresh.js";
import {
  introspectToken,
  revokeRefreshToken,
  type SessionServiceCall,
  sessionServiceEndpoint,
  type TokenIntrospection,
} from "../session-service.js";
import type { TokenCacheRecord } from "../token-cache.js";
import { expiresAtMs } from "../token-facts.js";
import { removeTempFiles } from "./atomic-write.js";
import { errnoCode } from "./errno.js";
import { sessionLock, sessionTryLock } from "./lock.js";
import {
  type ProfileSession,
  type ResolveProfileOptions,
  resolveProfileSession,
} from "./profile-credentials.js";
import { systemClock, systemRandom } from "./system.js";
import { assertTrustedCacheDirectory } from "./token-store.js";
import { createHttpTransport } from "./transport.js";

/** How long a revoke waits for a refresh in progress before giving up (nothing changed). */
const LOCK_WAIT_MS = 10_000;
/** Credentials with less than this left are refreshed before they sign a revoke. */
const SIGNING_MARGIN_MS = 60_000;
/** Credentials with less than this left are not used to sign at all. */
const MIN_SIGNING_VALIDITY_MS = 10_000;

/** Options of {@link revokeProfileSession} and {@link checkProfileSession}. */
export interface SessionServiceOptions extends ResolveProfileOptions {
  /** The caller's region: the last resort for the region (resolve.ts). */
  region?: string;
  /** Explicit Sign-In endpoint; wins over everything (resolve.ts). */
  endpointUrl?: string;
  /** The HTTP transport; default undici with the profile's CA bundle. */
  transport?: Transport;
  /** Told about transient problems that did not stop the call (an insecure endpoint allowed by the opt-in). */
  onWarning?: (warning: AwsLoginError) => void;
  /** Cancels the lock wait and the requests. */
  signal?: AbortSignal;
}

/** What {@link revokeProfileSession} did. */
export interface RevokeSessionResult {
  /** The profile, as resolved. */
  profile: string;
  /** The session's cache file. */
  cachePath: string;
  /** The profile's `login_session` (what the AWS CLI's cache file is named after). */
  loginSession: string;
  /**
   * `revoked`: the service revoked the session and the cache file is deleted; `already-ended`: the service had already
   * ended the session (a refresh got TOKEN_EXPIRED), the cache file is deleted; `no-session`: there was no cache file.
   */
  outcome: "revoked" | "already-ended" | "no-session";
  /** Whether the credentials were refreshed first to sign the call. */
  refreshed: boolean;
  /**
   * Set when the session ended at the service (`revoked` or `already-ended`) but its cache file could not be deleted
   * (code `CACHE_WRITE_FAILED`, naming the file): the file holds only dead tokens and must be deleted by hand.
   */
  deleteFailure?: AwsLoginError;
}

function refreshSettings(
  session: ProfileSession,
  options: SessionServiceOptions,
): RefreshOptions["settings"] {
  return {
    ...session.settings,
    caller: { region: options.region },
    options: { ...session.settings.options, endpointUrl: options.endpointUrl },
  };
}

function signedCall(
  record: TokenCacheRecord,
  session: ProfileSession,
  options: SessionServiceOptions,
  transport: Transport,
): SessionServiceCall {
  const endpoint = sessionServiceEndpoint(record, { settings: refreshSettings(session, options) });
  const { accessKeyId, secretAccessKey, sessionToken } = record.accessToken;
  return {
    transport,
    clock: systemClock,
    endpoint,
    credentials: { accessKeyId, secretAccessKey, sessionToken },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
}

function transportFor(session: ProfileSession, options: SessionServiceOptions): Transport {
  return (
    options.transport ??
    createHttpTransport({
      env: options.env ?? process.env,
      ...(session.caBundle === undefined ? {} : { caBundle: session.caBundle }),
    })
  );
}

/**
 * Revokes a profile's session at the service, then deletes its cache file, all under the session's lock: no refresh of
 * another awslogin process can write a rotated token back afterwards. Credentials with less than a minute left are
 * refreshed first (the call must be signed). A refresh refused with TOKEN_EXPIRED is not taken at its word: a client
 * that takes no lock may have rotated the token away, so the file is read again, and while the old credentials still
 * sign, the old token is revoked (which ends the chain); only with neither is the session taken as already ended and
 * the file deleted. A failed revoke (NETWORK, TIMEOUT, SERVER_ERROR, THROTTLED, ACCESS_DENIED, …) or another failed
 * refresh rejects and deletes nothing. Credentials already handed out stay valid until they expire.
 * @see docs/protocol.md §16.2, §16.5
 */
export async function revokeProfileSession(
  options: SessionServiceOptions = {},
): Promise<RevokeSessionResult> {
  const session = await resolveProfileSession(options);
  const { store } = session;
  await assertTrustedCacheDirectory(store.directory);
  const cachePath = store.pathFor(session.loginSession);
  const transport = transportFor(session, options);
  const release = await sessionLock(store, { waitMs: LOCK_WAIT_MS })(session.loginSession, options.signal);
  const base = { profile: session.profile, cachePath, loginSession: session.loginSession };
  const revokeWith = async (record: TokenCacheRecord) =>
    revokeRefreshToken(signedCall(record, session, options, transport), record.refreshToken);
  try {
    // Two rounds at most: a client that takes no lock (the AWS CLI, the official SDK provider) may rotate the token
    // between our read and our refresh; the second round starts from what it wrote.
    for (let round = 0; ; round += 1) {
      const before = await store.read(session.loginSession);
      if (before === undefined) return { ...base, outcome: "no-session", refreshed: false };
      // We hold the lock: the refresh driver runs under it instead of taking it again.
      const held: LockSession = async () => async () => undefined;
      let fresh: Awaited<ReturnType<typeof getFreshToken>>;
      try {
        fresh = await getFreshToken(
          { clock: systemClock, random: systemRandom, transport, store, lock: held },
          {
            loginSession: session.loginSession,
            profile: session.profile,
            settings: refreshSettings(session, options),
            // Only what signing needs: a refresh rotates the token, and every rotation is a race with lock-free clients.
            thresholdMs: SIGNING_MARGIN_MS,
            ...(options.signal === undefined ? {} : { signal: options.signal }),
            ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
          },
        );
      } catch (error) {
        if (!hasErrorCode(error, "TOKEN_EXPIRED")) throw error;
        const after = await store.read(session.loginSession).catch(() => undefined);
        if (round === 0 && after !== undefined && after.refreshToken !== before.refreshToken) continue;
        // Refused: either the session ended, or another client rotated our token away. While our credentials
        // still sign, revoking the old token ends the chain in both cases (revoke is idempotent).
        if (expiresAtMs(before) - systemClock.now() > MIN_SIGNING_VALIDITY_MS) {
          await revokeWith(before);
          return { ...base, outcome: "revoked", refreshed: false, ...(await deleteCacheFile(cachePath)) };
        }
        return { ...base, outcome: "already-ended", refreshed: false, ...(await deleteCacheFile(cachePath)) };
      }
      await revokeWith(fresh.record);
      return {
        ...base,
        outcome: "revoked",
        refreshed: fresh.refreshed,
        ...(await deleteCacheFile(cachePath)),
      };
    }
  } finally {
    await release();
  }
}

/**
 * Deletes an ended session's cache file and its temp files; the caller holds the session's lock. A failure is
 * returned, not thrown: the session is over at the service whatever happens to the file, and the caller must still
 * say so (and clean up what depends on the session).
 */
async function deleteCacheFile(path: string): Promise<{ deleteFailure?: AwsLoginError }> {
  try {
    await removeTempFiles(path, { all: true });
    await unlink(path);
    return {};
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return {};
    return {
      deleteFailure: new AwsLoginError(
        "CACHE_WRITE_FAILED",
        `The session has ended at the service, but its cache file ${path} could not be deleted (${errnoCode(error)}). Delete it by hand; its tokens no longer work.`,
        { path, cause: error },
      ),
    };
  }
}

/** What the service says about a profile's session ({@link checkProfileSession}). */
export interface SessionCheck {
  /** The profile, as resolved. */
  profile: string;
  /** The service's answer about the session's refresh token; `active: false` when it is revoked or ended. */
  introspection: TokenIntrospection;
  /**
   * Why the session is not active, in words, when it is not: the service said so, or a refresh to sign the call was
   * refused as expired.
   */
  reason?: string;
}

/**
 * Asks the service whether a profile's session is still active (introspection of its refresh token). Credentials
 * that are due are refreshed first, as any use would; a refresh refused with TOKEN_EXPIRED means the service already
 * ended the session (reported inactive, with the reason). Rejects with CACHE_MISSING when there is no session, and
 * with the errors of `introspectToken` (NETWORK, ACCESS_DENIED, BAD_RESPONSE, …).
 * @see docs/protocol.md §16.3, §16.5
 */
export async function checkProfileSession(options: SessionServiceOptions = {}): Promise<SessionCheck> {
  const session = await resolveProfileSession(options);
  const { store } = session;
  await assertTrustedCacheDirectory(store.directory);
  const transport = transportFor(session, options);
  let record: TokenCacheRecord;
  try {
    const fresh = await getFreshToken(
      {
        clock: systemClock,
        random: systemRandom,
        transport,
        store,
        lock: sessionLock(store),
        tryLock: sessionTryLock(store),
      },
      {
        loginSession: session.loginSession,
        profile: session.profile,
        settings: refreshSettings(session, options),
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
      },
    );
    record = fresh.record;
  } catch (error) {
    if (!hasErrorCode(error, "TOKEN_EXPIRED")) throw error;
    return {
      profile: session.profile,
      introspection: { active: false },
      reason: "The sign-in service refused to refresh the session: it was revoked or has ended.",
    };
  }
  const introspection = await introspectToken(
    signedCall(record, session, options, transport),
    record.refreshToken,
    "refresh_token",
  );
  return {
    profile: session.profile,
    introspection,
    ...(introspection.active
      ? {}
      : { reason: "The sign-in service reports the session inactive: it was revoked or has ended." }),
  };
}

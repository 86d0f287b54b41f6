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
  /**
   * `revoked`: the service revoked the session and the cache file is deleted; `already-ended`: the service had already
   * ended the session (a refresh got TOKEN_EXPIRED), the cache file is deleted; `no-session`: there was no cache file.
   */
  outcome: "revoked" | "already-ended" | "no-session";
  /** Whether the credentials were refreshed first to sign the call. */
  refreshed: boolean;
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
 * another awslogin process can write a rotated token back afterwards. Credentials that are due are refreshed first
 * (the call must be signed by valid credentials). A failed revoke (NETWORK, TIMEOUT, SERVER_ERROR, THROTTLED,
 * ACCESS_DENIED, …) or a failed refresh other than TOKEN_EXPIRED rejects and changes nothing on disk beyond what a
 * refresh writes. Credentials already handed out stay valid until they expire.
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
  const base = { profile: session.profile, cachePath };
  try {
    if ((await store.read(session.loginSession)) === undefined) {
      return { ...base, outcome: "no-session", refreshed: false };
    }
    // We hold the lock: the refresh driver runs under it instead of taking it again.
    const held: LockSession = async () => async () => undefined;
    let record: TokenCacheRecord;
    let refreshed: boolean;
    try {
      const fresh = await getFreshToken(
        { clock: systemClock, random: systemRandom, transport, store, lock: held },
        {
          loginSession: session.loginSession,
          profile: session.profile,
          settings: refreshSettings(session, options),
          ...(options.signal === undefined ? {} : { signal: options.signal }),
          ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        },
      );
      record = fresh.record;
      refreshed = fresh.refreshed;
    } catch (error) {
      if (!hasErrorCode(error, "TOKEN_EXPIRED")) throw error;
      await deleteCacheFile(cachePath);
      return { ...base, outcome: "already-ended", refreshed: false };
    }
    await revokeRefreshToken(signedCall(record, session, options, transport), record.refreshToken);
    await deleteCacheFile(cachePath);
    return { ...base, outcome: "revoked", refreshed };
  } finally {
    await release();
  }
}

/** Deletes a cache file and its temp files; the caller holds the session's lock. */
async function deleteCacheFile(path: string): Promise<void> {
  try {
    await removeTempFiles(path, { all: true });
    await unlink(path);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw new AwsLoginError(
      "CACHE_WRITE_FAILED",
      `The session was revoked, but its cache file ${path} could not be deleted (${errnoCode(error)}). Delete it by hand; it no longer works.`,
      { path, cause: error },
    );
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

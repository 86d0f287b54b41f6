/**
 * The refresh driver: serves cached credentials while they have more than 5 minutes left; when they are
 * due, takes the session's inter-process lock, re-reads the cache, refreshes with the stored DPoP key only
 * if still due, writes atomically and releases. Processes that waited get the winner's credentials.
 * @see docs/protocol.md §4.1 (refresh grant), §8, §15 (signInRegion)
 */
import { importDpopKeyPem } from "./dpop.js";
import {
  insecureEndpointWarning,
  resolveSignInEndpoint,
  type SignInEndpoint,
  type SignInEndpointEnv,
} from "./endpoint.js";
import { AwsLoginError, type AwsLoginErrorCode } from "./errors.js";
import {
  isRefreshDue,
  type RefreshEffect,
  type RefreshEvent,
  type RefreshPolicy,
  type RefreshState,
  type RefreshTransition,
  transitionRefresh,
} from "./machines/refresh.js";
import type { Clock, LockSession, Random, TokenStore, Transport } from "./ports.js";
import { type LoginSettingsInput, recordedSettingsOf, resolveEndpointUrl, resolveRegion } from "./resolve.js";
import { refreshTokenRequest } from "./token.js";
import { applyRefreshedToken, expiresAtMs, type TokenCacheRecord } from "./token-cache.js";
import { requestToken } from "./token-client.js";

/**
 * Cached credentials with at least this long left are served at once when another process holds the lock (it is
 * refreshing them); with less, the call waits for that refresh's result.
 */
export const SERVE_WHILE_LOCKED_MS = 30_000;

/** How often a process waiting for the lock looks whether the holder has written new credentials. */
const LOCK_WATCH_INTERVAL_MS = 25;

/** The promise's value, or undefined when `ms` of the clock pass first. */
async function raceSleep<T>(clock: Clock, promise: Promise<T>, ms: number): Promise<T | undefined> {
  const done = new AbortController();
  try {
    return await Promise.race([
      promise,
      clock.sleep(ms, done.signal).then(
        () => undefined,
        () => undefined,
      ),
    ]);
  } finally {
    done.abort();
  }
}

/** A lock older than this is stale whatever its holder: the lock's backstop (node/lock.ts), also judged by doctor. */
export const LOCK_STALE_MS = 90_000;

/** The longest one refresh may take; below the lock's 90 s staleness backstop. */
export const REFRESH_DEADLINE_MS = 60_000;

/** The ports {@link getFreshToken} runs through (`@awslogin/core/node` has an implementation of each). */
export interface RefreshDeps {
  /** Decides whether the cached token is due, and dates DPoP proofs. */
  clock: Clock;
  /** DPoP `jti` and retry jitter. */
  random: Random;
  /** The refresh request (`CreateOAuth2Token` with the refresh token). */
  transport: Transport;
  /** Where the session's record is read, re-read under the lock, and written back. */
  store: TokenStore;
  /** The session's inter-process lock, held from the re-read to the write (`sessionLock` in `@awslogin/core/node`). */
  lock: LockSession;
  /**
   * The session's lock only if nobody holds it (undefined when a live process does). With it, a call whose cached
   * credentials are due but still valid serves them at once instead of waiting behind another process's refresh.
   */
  tryLock?: (loginSession: string) => Promise<(() => Promise<void>) | undefined>;
}

/** Which session {@link getFreshToken} serves, where a refresh goes, and how long it may take. */
export interface RefreshOptions extends RefreshPolicy {
  /** The profile's `login_session`, the key of its cache file. */
  loginSession: string;
  /** Region to refresh in when the cache does not record one (the profile's, then the caller's). */
  region?: string;
  /** `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL` and the insecure-http opt-in, read by the caller. */
  env?: SignInEndpointEnv;
  /** An explicit endpoint (the provider's `clientConfig.endpoint`); wins over everything. */
  endpointUrl?: string;
  /**
   * Everything else that decides the region and the endpoint (resolve.ts): the whole environment, the shared files,
   * the profile, the caller's client. `region` and `endpointUrl` above count as its explicit options, and `env`
   * is used when this has none.
   */
  settings?: Omit<LoginSettingsInput, "recorded">;
  /**
   * The longest the token request may take, retries included (default 60 000 ms); past it the
   * refresh ends with TIMEOUT and the lock is released. Keep it below the lock's staleness backstop (90 s).
   */
  deadlineMs?: number;
  /** Cancels the wait for the lock and the refresh request; the lock is released. */
  signal?: AbortSignal;
  /**
   * Told, before each refresh request, about a risk the caller must show its user: an endpoint that is plain http
   * beyond loopback, allowed by the opt-in (INSECURE_ENDPOINT as a warning).
   */
  onWarning?: (warning: AwsLoginError) => void;
}

/** What {@link getFreshToken} served. */
export interface FreshToken {
  /** The cache record with credentials that have more than the threshold left (or were just refreshed). */
  record: TokenCacheRecord;
  /** This call refreshed the token (false: served from the cache, possibly refreshed by another process). */
  refreshed: boolean;
  /** A transient problem that did not stop this call (stale cache after a failed write, a 5xx with valid credentials). */
  warning?: AwsLoginError;
}

interface Token {
  record: TokenCacheRecord;
  expiresAt: number;
}

function toToken(record: TokenCacheRecord | undefined): Token | undefined {
  return record === undefined ? undefined : { record, expiresAt: expiresAtMs(record) };
}

/**
 * Where a refresh goes, as resolve.ts decides for this record ({@link resolveEndpointUrl}, {@link resolveRegion}):
 * an explicit endpoint, `AWS_ENDPOINT_URL_SIGNIN`, `AWS_ENDPOINT_URL` (only for records awslogin did not write),
 * the profile's `services` Sign-In endpoint, the endpoint recorded at login, the profile's `endpoint_url` (again
 * only for records awslogin did not write), else the partition endpoint of the session's region (`signInRegion`,
 * then the configured one). This is the one answer to "which Sign-In origin does this session talk to": every
 * call a session makes to Sign-In (refresh, and any later signed call) takes its origin from here.
 * Errors name the setting the endpoint came from; plain http beyond loopback is refused without the opt-in.
 * @see docs/protocol.md §1, §15, §16.1
 */
export function refreshTokenUrl(
  record: TokenCacheRecord,
  options: Pick<RefreshOptions, "region" | "env" | "endpointUrl" | "settings">,
): string {
  return refreshEndpoint(record, options).tokenUrl;
}

/** {@link refreshTokenUrl} with where the endpoint came from and whether it is insecure. */
export function refreshEndpoint(
  record: TokenCacheRecord,
  options: Pick<RefreshOptions, "region" | "env" | "endpointUrl" | "settings">,
): SignInEndpoint {
  const env = options.settings?.env ?? { ...options.env };
  const input: LoginSettingsInput = {
    ...options.settings,
    env,
    options: {
      ...options.settings?.options,
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.endpointUrl === undefined ? {} : { endpointUrl: options.endpointUrl }),
    },
    recorded: recordedSettingsOf(record),
  };
  const region = resolveRegion(input);
  const override = resolveEndpointUrl(input);
  if (region === undefined && override === undefined) {
    throw new AwsLoginError(
      "NO_REGION",
      "The cached session records no region and none is configured. Set region in the profile or AWS_REGION.",
    );
  }
  // Without a region the override names the endpoint; the region only has to be a valid name.
  return resolveSignInEndpoint({
    region: region?.value ?? "us-east-1",
    ...(override === undefined ? {} : { endpointUrl: override.value, endpointSource: override.source }),
    env: { AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: env.AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT },
  });
}

/**
 * Credentials for a login session, refreshed when due, one refresh at a time across processes: a fresh record is
 * served; a due one is refreshed under the session's lock after a re-read (another process may have refreshed it).
 * Rejects with an AwsLoginError: CACHE_MISSING or CACHE_MALFORMED (sign in again), TOKEN_EXPIRED or
 * USER_CREDENTIALS_CHANGED (the service ended the session; recorded in the cache), NETWORK, TIMEOUT, THROTTLED or
 * SERVER_ERROR when no valid credentials remain to serve, LOCK_TIMEOUT or LOCK_BROKEN, NO_REGION (nothing names
 * the region to refresh in), INSECURE_ENDPOINT.
 * @see docs/protocol.md §8
 */
export async function getFreshToken(deps: RefreshDeps, options: RefreshOptions): Promise<FreshToken> {
  const deadlineMs = options.deadlineMs ?? REFRESH_DEADLINE_MS;
  // A refresh that could outlast the lock's staleness backstop would let a waiter in beside a live holder.
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0 || deadlineMs >= LOCK_STALE_MS) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `deadlineMs must be more than 0 and less than ${LOCK_STALE_MS} ms (the lock's staleness limit); got ${String(options.deadlineMs)}.`,
    );
  }
  const policy: RefreshPolicy = {
    ...(options.thresholdMs === undefined ? {} : { thresholdMs: options.thresholdMs }),
    ...(options.force === undefined ? {} : { force: options.force }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
  };
  let state: RefreshState<Token> = { name: "start" };
  let release: (() => Promise<void>) | undefined;
  const queue: RefreshEvent<Token>[] = [
    { type: "loaded", token: toToken(await deps.store.read(options.loginSession)) },
  ];

  try {
    while (queue.length > 0) {
      const event = queue.shift()!;
      const next: RefreshTransition<Token> = transitionRefresh(state, event, deps.clock.now(), policy);
      state = next.state;
      for (const effect of next.effects) {
        const produced = await run(effect);
        if (produced !== undefined) queue.push(produced);
      }
    }
  } finally {
    if (state.name !== "done" && state.name !== "failed") await release?.();
  }
  if (state.name === "failed") throw state.error;
  if (state.name !== "done") {
    throw new AwsLoginError("BAD_RESPONSE", "The refresh stopped half-way. Try again.");
  }
  return {
    record: state.token.record,
    refreshed: state.refreshed,
    ...(state.warning === undefined ? {} : { warning: state.warning }),
  };

  async function run(effect: RefreshEffect<Token>): Promise<RefreshEvent<Token> | undefined> {
    switch (effect.type) {
      case "lock": {
        if (state.name !== "locking") return undefined;
        if (deps.tryLock !== undefined && policy.force !== true && servable(state.token)) {
          const granted = await deps.tryLock(options.loginSession).catch(() => undefined);
          if (granted === undefined) return { type: "lock-busy" };
          release = granted;
          return { type: "locked" };
        }
        return lockOrTakeWinner(state.token);
      }
      case "read":
        try {
          // Under the lock: a rotated token a dead writer left in its temp file is brought back before deciding.
          await deps.store.adoptPending?.(options.loginSession).catch(() => false);
          return { type: "reread", token: toToken(await deps.store.read(options.loginSession)) };
        } catch (error) {
          // Someone else broke the file while we waited: nothing to refresh from.
          return { type: "refresh-failed", error: asError(error) };
        }
      case "refresh": {
        // The whole refresh ends well before the lock's staleness backstop, so no waiter takes over a live lock.
        const deadline = new AbortController();
        const refreshDone = new AbortController();
        deps.clock.sleep(deadlineMs, refreshDone.signal).then(
          () =>
            deadline.abort(
              new AwsLoginError(
                "TIMEOUT",
                `The sign-in service did not complete the refresh within ${deadlineMs / 1000} s. Check your network and try again.`,
                { retryable: true },
              ),
            ),
          () => undefined, // the refresh ended first
        );
        const signal =
          options.signal === undefined ? deadline.signal : AbortSignal.any([options.signal, deadline.signal]);
        try {
          const record = effect.token.record;
          const endpoint = refreshEndpoint(record, options);
          if (endpoint.insecureHttp === true) {
            options.onWarning?.(new AwsLoginError("INSECURE_ENDPOINT", insecureEndpointWarning(endpoint)));
          }
          const response = await requestToken({
            transport: deps.transport,
            tokenUrl: endpoint.tokenUrl,
            body: refreshTokenRequest({ clientId: record.clientId, refreshToken: record.refreshToken }),
            dpopKey: importDpopKeyPem(record.dpopKey),
            clock: deps.clock,
            random: deps.random,
            grant: "refresh_token",
            ...(options.profile === undefined ? {} : { profile: options.profile }),
            signal,
          });
          return {
            type: "refreshed",
            token: toToken(withoutRefusal(applyRefreshedToken(record, response, deps.clock.now())))!,
          };
        } catch (error) {
          const failure = asError(error);
          if (REFUSALS_TO_RECORD.has(failure.code)) await recordRefusal(effect.token.record, failure);
          return { type: "refresh-failed", error: failure };
        } finally {
          refreshDone.abort();
        }
      }
      case "write":
        try {
          await deps.store.write(options.loginSession, effect.token.record);
          return { type: "written" };
        } catch (error) {
          return { type: "write-failed", error: asError(error) };
        }
      case "unlock":
        await release?.();
        release = undefined;
        return undefined;
    }
  }

  /**
   * Waits for the session's lock while watching the cache file: when the holder writes credentials that are no
   * longer due (writes are atomic renames, so a read without the lock sees a whole file), this process takes them
   * at once instead of queueing behind every other waiter for a lock it no longer needs.
   */
  async function lockOrTakeWinner(waiting: Token): Promise<RefreshEvent<Token>> {
    const stopWaiting = new AbortController();
    const signal =
      options.signal === undefined
        ? stopWaiting.signal
        : AbortSignal.any([options.signal, stopWaiting.signal]);
    const locking = deps.lock(options.loginSession, signal).then(
      (granted): RefreshEvent<Token> => {
        release = granted;
        return { type: "locked" };
      },
      (error: unknown): RefreshEvent<Token> => ({ type: "lock-failed", error: asError(error) }),
    );
    for (;;) {
      const outcome = await raceSleep(deps.clock, locking, LOCK_WATCH_INTERVAL_MS);
      if (outcome !== undefined) return outcome;
      const winner = await readWinner(waiting);
      if (winner !== undefined) {
        stopWaiting.abort();
        if ((await locking).type === "locked") {
          await release?.();
          release = undefined;
        }
        return { type: "refreshed-meanwhile", token: winner };
      }
    }
  }

  /** Still valid for long enough to be worth serving rather than waiting for a refresh in progress. */
  function servable(token: Token): boolean {
    return token.expiresAt - deps.clock.now() >= SERVE_WHILE_LOCKED_MS;
  }

  /** The cached token when another process has refreshed it since `waiting` was read and it is not due. */
  async function readWinner(waiting: Token): Promise<Token | undefined> {
    try {
      const token = toToken(await deps.store.read(options.loginSession));
      if (token === undefined || token.expiresAt === waiting.expiresAt) return undefined;
      return isRefreshDue(token, deps.clock.now(), { ...policy, force: false }) ? undefined : token;
    } catch {
      return undefined; // the lock holder decides what a bad file means
    }
  }

  /**
   * Leaves `awslogin.refreshRefused` in the cache record (atomically, under the lock this driver holds, every
   * other key kept) so that `awslogin status` can tell an ended session from credentials that are merely due.
   */
  async function recordRefusal(record: TokenCacheRecord, failure: AwsLoginError): Promise<void> {
    const refusal: RefreshRefusal = { code: failure.code, at: new Date(deps.clock.now()).toISOString() };
    try {
      await deps.store.write(options.loginSession, {
        ...record,
        awslogin: { ...record.awslogin, refreshRefused: refusal },
      });
    } catch {
      // The refusal itself is what the caller needs to hear; a marker that could not be written is only a hint lost.
    }
  }
}

/** The service's answers after which only a new login helps, recorded in the cache. @see docs/protocol.md §4.4 */
const REFUSALS_TO_RECORD = new Set<AwsLoginErrorCode>(["TOKEN_EXPIRED", "USER_CREDENTIALS_CHANGED"]);

/** `awslogin.refreshRefused` of a cache record: the service refused a refresh of this session. */
export interface RefreshRefusal {
  code: AwsLoginErrorCode;
  /** ISO 8601 time of the refusal. */
  at: string;
}

/** A record without a refusal marker (a refresh succeeded after all). */
function withoutRefusal(record: TokenCacheRecord): TokenCacheRecord {
  if (record.awslogin === undefined || !Object.hasOwn(record.awslogin, "refreshRefused")) return record;
  const { refreshRefused: _dropped, ...awslogin } = record.awslogin;
  return { ...record, awslogin };
}

function asError(error: unknown): AwsLoginError {
  if (AwsLoginError.isInstance(error)) return error;
  return new AwsLoginError("BAD_RESPONSE", "The refresh failed unexpectedly. Try again.", { cause: error });
}

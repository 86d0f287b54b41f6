/**
 * What `awslogin serve` hands out, per profile: the last credentials it loaded, refreshed in the background before
 * they are due, so that a request is answered from memory and never waits on the network while credentials are
 * held. Free of Node I/O and of core: the source is a function, time and timers come in as options.
 */

/** Credentials as the endpoint serves them. */
export interface ServedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** Milliseconds since the epoch. */
  expiration: number;
  accountId?: string | undefined;
  /** The profile's region, when one is configured (`exec --serve` passes it on; never served). */
  region?: string | undefined;
}

/**
 * Profile → fresh credentials (refreshed under the inter-process lock when due, or taken from the cache file).
 * The one seam of the endpoint: any kind of profile whose credentials a function can load plugs in here.
 */
export type CredentialSource = (profile: string) => Promise<ServedCredentials>;

/** Timers as the cache uses them; the defaults are Node's, unref'd so that they never keep a process alive. */
export interface CacheTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

/** Options of {@link createCredentialCache}. */
export interface CredentialCacheOptions {
  source: CredentialSource;
  now?: () => number;
  timers?: CacheTimers;
  /**
   * A background refresh starts when this much or less is left. Core refreshes a record when 5 minutes or less
   * are left: one second past that, the source's call is a real refresh (or finds the one another process made).
   */
  refreshAheadMs?: number;
  /** Below this much left, held credentials are not served: the request waits for the source. */
  minimumLeftMs?: number;
  /** A failure is answered again for this long before the source is asked again (a new sign-in heals after it). */
  failureRetryMs?: number;
  /** After a failed background refresh, the next try comes this much later. */
  backgroundRetryMs?: number;
  /** Told about each failed load (to log it); the error is also what the next requests get. */
  onError?: (profile: string, error: unknown) => void;
}

/** Held credentials per profile, and the single-flight load behind them. */
export interface CredentialCache {
  /** Credentials with more than `minimumLeftMs` left, or the source's error. */
  get(profile: string): Promise<ServedCredentials>;
  /** Starts a load now (at start-up), so that the first request finds credentials held. */
  prime(profile: string): void;
  /** Stops every timer; loads in flight end on their own. */
  close(): void;
}

export const CACHE_DEFAULTS = {
  refreshAheadMs: 5 * 60_000 - 1_000,
  minimumLeftMs: 60_000,
  failureRetryMs: 1_000,
  backgroundRetryMs: 15_000,
} as const;

const MIN_BACKGROUND_GAP_MS = 5_000;

const nodeTimers: CacheTimers = {
  set: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clear: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface Entry {
  current?: ServedCredentials;
  inflight?: Promise<ServedCredentials>;
  failure?: { error: unknown; at: number };
  timer?: unknown;
}

/** The per-profile cache of {@link CredentialCacheOptions.source}. */
export function createCredentialCache(options: CredentialCacheOptions): CredentialCache {
  const now = options.now ?? Date.now;
  const timers = options.timers ?? nodeTimers;
  const refreshAheadMs = options.refreshAheadMs ?? CACHE_DEFAULTS.refreshAheadMs;
  const minimumLeftMs = options.minimumLeftMs ?? CACHE_DEFAULTS.minimumLeftMs;
  const failureRetryMs = options.failureRetryMs ?? CACHE_DEFAULTS.failureRetryMs;
  const backgroundRetryMs = options.backgroundRetryMs ?? CACHE_DEFAULTS.backgroundRetryMs;
  const entries = new Map<string, Entry>();
  let closed = false;

  function entryOf(profile: string): Entry {
    let entry = entries.get(profile);
    if (entry === undefined) {
      entry = {};
      entries.set(profile, entry);
    }
    return entry;
  }

  function schedule(profile: string, entry: Entry, delayMs: number): void {
    if (closed) return;
    if (entry.timer !== undefined) timers.clear(entry.timer);
    entry.timer = timers.set(
      () => {
        entry.timer = undefined;
        load(profile).catch(() => {
          // Recorded in entry.failure and told to onError by load; tried again later.
        });
      },
      Math.max(0, delayMs),
    );
  }

  /** One load per profile at a time: every caller during it shares its outcome. */
  function load(profile: string): Promise<ServedCredentials> {
    const entry = entryOf(profile);
    if (entry.inflight !== undefined) return entry.inflight;
    const inflight = options.source(profile).then(
      (credentials) => {
        entry.current = credentials;
        entry.failure = undefined;
        // Credentials that are due already (a short lifetime) are refreshed at most this often, never in a loop.
        schedule(
          profile,
          entry,
          Math.max(credentials.expiration - refreshAheadMs - now(), MIN_BACKGROUND_GAP_MS),
        );
        return credentials;
      },
      (error: unknown) => {
        entry.failure = { error, at: now() };
        options.onError?.(profile, error);
        // Held credentials that still have time left are worth another background try before they run out.
        if (entry.current !== undefined && entry.current.expiration - now() > minimumLeftMs) {
          schedule(profile, entry, backgroundRetryMs);
        }
        throw error;
      },
    );
    entry.inflight = inflight;
    const clear = () => {
      if (entry.inflight === inflight) entry.inflight = undefined;
    };
    inflight.then(clear, clear);
    return inflight;
  }

  return {
    async get(profile) {
      const entry = entryOf(profile);
      const held = entry.current;
      if (held !== undefined) {
        const left = held.expiration - now();
        if (left > minimumLeftMs) {
          // Due but still good: served at once, the refresh runs behind it (unless one failed a moment ago).
          const recentFailure = entry.failure !== undefined && now() - entry.failure.at < failureRetryMs;
          if (left <= refreshAheadMs && !recentFailure) {
            load(profile).catch(() => {
              // Recorded and told by load.
            });
          }
          return held;
        }
      }
      if (entry.failure !== undefined && now() - entry.failure.at < failureRetryMs) {
        throw entry.failure.error;
      }
      return load(profile);
    },
    prime(profile) {
      load(profile).catch(() => {
        // Recorded and told by load; the first request asks again.
      });
    },
    close() {
      closed = true;
      for (const entry of entries.values()) {
        if (entry.timer !== undefined) timers.clear(entry.timer);
        entry.timer = undefined;
      }
    },
  };
}

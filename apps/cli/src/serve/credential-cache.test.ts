import { describe, expect, it } from "vitest";
import {
  type CacheTimers,
  type CredentialSource,
  createCredentialCache,
  type ServedCredentials,
} from "./credential-cache.js";

/** Time that moves only when the test says, and the timers set on it. */
function fakeTime(start = 1_000_000) {
  let now = start;
  const pending = new Map<number, { at: number; fn: () => void }>();
  let next = 0;
  const timers: CacheTimers = {
    set: (fn, ms) => {
      const id = ++next;
      pending.set(id, { at: now + ms, fn });
      return id;
    },
    clear: (handle) => {
      pending.delete(handle as number);
    },
  };
  return {
    now: () => now,
    timers,
    pendingCount: () => pending.size,
    /** Moves time forward, running each timer that comes due. */
    advance(ms: number) {
      now += ms;
      for (const [id, timer] of [...pending]) {
        if (timer.at <= now) {
          pending.delete(id);
          timer.fn();
        }
      }
    },
  };
}

const MINUTE = 60_000;

/** A source whose answers the test releases one by one. */
function controlledSource() {
  const calls: Array<{ profile: string; resolve(c: ServedCredentials): void; reject(e: unknown): void }> = [];
  const source: CredentialSource = (profile) =>
    new Promise((resolve, reject) => {
      calls.push({ profile, resolve, reject });
    });
  return { source, calls };
}

function creds(id: string, expiration: number): ServedCredentials {
  return {
    accessKeyId: id,
    secretAccessKey: "secret",
    sessionToken: "token",
    expiration,
    accountId: "111122223333",
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe("createCredentialCache", () => {
  it("loads once for every request that comes while a load is in flight", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const cache = createCredentialCache({ source, now: time.now, timers: time.timers });
    const answers = Promise.all(Array.from({ length: 50 }, () => cache.get("dev")));
    await flush();
    expect(calls).toHaveLength(1);
    calls[0]!.resolve(creds("A", time.now() + 15 * MINUTE));
    expect((await answers).map((c) => c.accessKeyId)).toEqual(Array(50).fill("A"));
    // Held: the next request does not ask the source.
    await cache.get("dev");
    expect(calls).toHaveLength(1);
  });

  it("refreshes in the background once the credentials are due, while requests are served the held ones", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const cache = createCredentialCache({ source, now: time.now, timers: time.timers });
    cache.prime("dev");
    calls[0]!.resolve(creds("A", time.now() + 15 * MINUTE));
    await flush();
    // Not due yet: no call.
    time.advance(9 * MINUTE);
    expect(calls).toHaveLength(1);
    // 5 minutes (less a second) before the expiry, the timer asks the source without any request.
    time.advance(MINUTE + 2_000);
    expect(calls).toHaveLength(2);
    // While that refresh runs, a request gets the held credentials at once.
    expect((await cache.get("dev")).accessKeyId).toBe("A");
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(creds("B", time.now() + 15 * MINUTE));
    await flush();
    expect((await cache.get("dev")).accessKeyId).toBe("B");
    cache.close();
    expect(time.pendingCount()).toBe(0);
  });

  it("a failure is answered for a moment, then the source is asked again: a new sign-in heals it", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const errors: unknown[] = [];
    const cache = createCredentialCache({
      source,
      now: time.now,
      timers: time.timers,
      onError: (_profile, error) => errors.push(error),
    });
    const first = cache.get("dev");
    await flush();
    const refused = Object.assign(new Error("session ended"), { code: "TOKEN_EXPIRED" });
    calls[0]!.reject(refused);
    await expect(first).rejects.toBe(refused);
    expect(errors).toEqual([refused]);
    // Within the retry gap, the same answer without a call.
    await expect(cache.get("dev")).rejects.toBe(refused);
    expect(calls).toHaveLength(1);
    time.advance(1_000);
    const healed = cache.get("dev");
    await flush();
    expect(calls).toHaveLength(2);
    calls[1]!.resolve(creds("C", time.now() + 15 * MINUTE));
    expect((await healed).accessKeyId).toBe("C");
  });

  it("held credentials too close to their expiry are not served: the request waits for the source", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const cache = createCredentialCache({ source, now: time.now, timers: time.timers, failureRetryMs: 0 });
    cache.prime("dev");
    calls[0]!.resolve(creds("A", time.now() + 15 * MINUTE));
    await flush();
    // The background refresh fails, and its retries too.
    time.advance(10 * MINUTE + 2_000);
    calls[1]!.reject(new Error("network"));
    await flush();
    expect((await cache.get("dev")).accessKeyId).toBe("A");
    time.advance(4 * MINUTE);
    for (const call of calls.slice(2)) call.reject(new Error("network"));
    await flush();
    // Less than a minute left: a request waits for a load instead.
    const waiting = cache.get("dev");
    await flush();
    const last = calls.at(-1)!;
    last.resolve(creds("D", time.now() + 15 * MINUTE));
    expect((await waiting).accessKeyId).toBe("D");
  });

  it("credentials that are due when they arrive are refreshed every few seconds, not in a loop", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const cache = createCredentialCache({ source, now: time.now, timers: time.timers });
    cache.prime("dev");
    calls[0]!.resolve(creds("A", time.now() + 2 * MINUTE));
    await flush();
    expect(calls).toHaveLength(1);
    time.advance(4_999);
    expect(calls).toHaveLength(1);
    time.advance(1);
    expect(calls).toHaveLength(2);
    cache.close();
  });

  it("keeps profiles apart", async () => {
    const time = fakeTime();
    const { source, calls } = controlledSource();
    const cache = createCredentialCache({ source, now: time.now, timers: time.timers });
    const dev = cache.get("dev");
    const prod = cache.get("prod");
    await flush();
    expect(calls.map((c) => c.profile)).toEqual(["dev", "prod"]);
    calls[0]!.resolve(creds("DEV", time.now() + 15 * MINUTE));
    calls[1]!.resolve(creds("PROD", time.now() + 15 * MINUTE));
    expect([(await dev).accessKeyId, (await prod).accessKeyId]).toEqual(["DEV", "PROD"]);
    cache.close();
  });
});

import { describe, expect, it } from "vitest";
import { exportDpopKeyPem, generateDpopKey } from "./dpop.js";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest, HttpResponse, TokenStore } from "./ports.js";
import { getFreshToken, REFRESH_DEADLINE_MS, type RefreshDeps, refreshTokenUrl } from "./refresh.js";
import { createFakeClock, type FakeClock } from "./testing/fake-clock.js";
import { seededRandom } from "./testing/seeded-random.js";
import type { TokenCacheRecord } from "./token-cache.js";

const SESSION = "arn:aws:sts::012345678901:assumed-role/Admin/admin";
const NOW = Date.UTC(2025, 10, 19, 12, 0, 0);

function cachedRecord(extra: Partial<TokenCacheRecord> = {}): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId: "ASIAOLD",
      secretAccessKey: "old-secret",
      sessionToken: "old-session",
      accountId: "012345678901",
      expiresAt: "2025-11-19T11:59:00Z",
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "refresh-1",
    idToken: "h.p.s",
    dpopKey: exportDpopKeyPem(generateDpopKey(seededRandom("refresh.test"))),
    signInRegion: "us-east-1",
    awslogin: { sessionStartedAt: "2025-11-19T08:00:00.000Z", endpoint: "http://127.0.0.1:9" },
    foreignKey: { kept: true },
    ...extra,
  };
}

interface Harness {
  deps: RefreshDeps;
  clock: FakeClock;
  stored(): TokenCacheRecord | undefined;
  /** Whether the lock was held at each write. */
  writesUnderLock: boolean[];
  requests: HttpRequest[];
}

function harness(
  initial: TokenCacheRecord,
  answer: (request: HttpRequest, signal: AbortSignal | undefined) => HttpResponse | Promise<HttpResponse>,
): Harness {
  const clock = createFakeClock(NOW);
  let record: TokenCacheRecord | undefined = structuredClone(initial);
  let locked = false;
  const writesUnderLock: boolean[] = [];
  const requests: HttpRequest[] = [];
  const store: TokenStore = {
    directory: "/cache",
    pathFor: () => "/cache/x.json",
    read: async () => structuredClone(record),
    write: async (_session, next) => {
      writesUnderLock.push(locked);
      record = structuredClone(next);
    },
    remove: async () => false,
    list: async () => [],
  };
  return {
    deps: {
      clock,
      random: { bytes: (n) => new Uint8Array(n).fill(7) },
      transport: {
        send: async (request, options) => {
          requests.push(request);
          return answer(request, options?.signal);
        },
      },
      store,
      lock: async () => {
        locked = true;
        return async () => {
          locked = false;
        };
      },
    },
    clock,
    stored: () => record,
    writesUnderLock,
    requests,
  };
}

function refusal(error: string, status: number): () => HttpResponse {
  return () => ({
    status,
    headers: { "content-type": "application/json", "x-amzn-errortype": "AccessDeniedException" },
    body: JSON.stringify({ error, message: "refused" }),
  });
}

const success = (): HttpResponse => ({
  status: 200,
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    accessToken: { accessKeyId: "ASIANEW", secretAccessKey: "new-secret", sessionToken: "new-session" },
    tokenType: "aws_sigv4",
    expiresIn: 900,
    refreshToken: "refresh-2",
  }),
});

describe("getFreshToken records the service's refusal (awslogin.refreshRefused)", () => {
  it.each([
    ["TOKEN_EXPIRED", 401],
    ["USER_CREDENTIALS_CHANGED", 403],
  ])("%s: writes { code, at } under the lock, keeping every other key", async (code, status) => {
    const initial = cachedRecord();
    const h = harness(initial, refusal(code, status));
    await expect(
      h.clock.run(getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" })),
    ).rejects.toMatchObject({ code });
    expect(h.requests).toHaveLength(1);
    expect(h.writesUnderLock).toEqual([true]);
    const { awslogin, ...rest } = h.stored()!;
    const { awslogin: initialAwslogin, ...initialRest } = initial;
    expect(rest).toEqual(initialRest);
    expect(awslogin).toEqual({
      ...initialAwslogin,
      refreshRefused: { code, at: "2025-11-19T12:00:00.000Z" },
    });
  });

  it("writes nothing for other failures (INSUFFICIENT_PERMISSIONS, a 500)", async () => {
    for (const answer of [
      refusal("INSUFFICIENT_PERMISSIONS", 403),
      () => ({ status: 500, headers: {}, body: JSON.stringify({ error: "server_error", message: "x" }) }),
    ]) {
      const initial = cachedRecord();
      const h = harness(initial, answer);
      await expect(
        h.clock.run(getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" })),
      ).rejects.toBeInstanceOf(AwsLoginError);
      expect(h.writesUnderLock).toEqual([]);
      expect(h.stored()).toEqual(initial);
    }
  });

  it("a later successful refresh drops the marker and keeps the rest", async () => {
    const initial = cachedRecord({
      awslogin: {
        sessionStartedAt: "2025-11-19T08:00:00.000Z",
        refreshRefused: { code: "TOKEN_EXPIRED", at: "2025-11-19T11:00:00.000Z" },
      },
    });
    const h = harness(initial, success);
    const fresh = await getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" });
    expect(fresh.refreshed).toBe(true);
    expect(h.stored()?.awslogin).toEqual({ sessionStartedAt: "2025-11-19T08:00:00.000Z" });
    expect(h.stored()?.accessToken.accessKeyId).toBe("ASIANEW");
    expect(h.stored()?.foreignKey).toEqual({ kept: true });
  });
});

describe("getFreshToken past the 12-hour maximum (docs/protocol.md §8: the end comes from the service)", () => {
  const startedAt = new Date(NOW - 13 * 3_600_000).toISOString();
  const old = () =>
    cachedRecord({ awslogin: { sessionStartedAt: startedAt, endpoint: "http://127.0.0.1:9" } });

  it("a session started 13 h ago with due credentials still sends the refresh, and keeps its start", async () => {
    const h = harness(old(), success);
    const fresh = await getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" });
    expect(h.requests).toHaveLength(1);
    expect(h.requests[0]!.url).toBe("http://127.0.0.1:9/v1/token");
    expect(JSON.parse(h.requests[0]!.body!)).toMatchObject({
      grantType: "refresh_token",
      refreshToken: "refresh-1",
    });
    expect(fresh.refreshed).toBe(true);
    expect(h.stored()?.accessToken.accessKeyId).toBe("ASIANEW");
    expect(h.stored()?.awslogin?.sessionStartedAt).toBe(startedAt);
  });

  it("the service's TOKEN_EXPIRED is what ends it", async () => {
    const h = harness(old(), refusal("TOKEN_EXPIRED", 401));
    await expect(getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" })).rejects.toMatchObject(
      {
        code: "TOKEN_EXPIRED",
      },
    );
    expect(h.requests).toHaveLength(1);
  });
});

describe("refreshTokenUrl: where a refresh goes (docs/protocol.md §1, §15)", () => {
  const foreign = (): TokenCacheRecord => {
    const { awslogin: _ours, ...record } = cachedRecord({ signInRegion: "eu-west-1" });
    return record as TokenCacheRecord;
  };
  const ours = (endpoint?: string): TokenCacheRecord =>
    cachedRecord({
      signInRegion: "eu-west-1",
      awslogin: { sessionStartedAt: "2025-11-19T08:00:00.000Z", ...(endpoint ? { endpoint } : {}) },
    });

  it("goes to the session's region by default", () => {
    expect(refreshTokenUrl(ours(), {})).toBe("https://eu-west-1.signin.aws.amazon.com/v1/token");
  });
  it("goes to the endpoint recorded at login", () => {
    expect(refreshTokenUrl(ours("http://127.0.0.1:7000"), {})).toBe("http://127.0.0.1:7000/v1/token");
  });
  it("AWS_ENDPOINT_URL_SIGNIN wins over the recorded endpoint", () => {
    expect(
      refreshTokenUrl(ours("http://127.0.0.1:7000"), {
        env: { AWS_ENDPOINT_URL_SIGNIN: "http://127.0.0.1:8000" },
      }),
    ).toBe("http://127.0.0.1:8000/v1/token");
  });
  it("a global AWS_ENDPOINT_URL (LocalStack) does not redirect a session awslogin created", () => {
    expect(refreshTokenUrl(ours(), { env: { AWS_ENDPOINT_URL: "http://localhost:4566" } })).toBe(
      "https://eu-west-1.signin.aws.amazon.com/v1/token",
    );
  });
  it("a record the official tools wrote follows AWS_ENDPOINT_URL, as those tools do", () => {
    expect(refreshTokenUrl(foreign(), { env: { AWS_ENDPOINT_URL: "http://localhost:4566" } })).toBe(
      "http://localhost:4566/v1/token",
    );
  });
});

describe("getFreshToken: a process waiting for the lock takes the holder's new credentials as soon as they are written", () => {
  /** A lock held by another process: never granted until `grant()`, rejected when the waiter's signal aborts. */
  function heldLock() {
    let grant: (() => void) | undefined;
    const seen: { aborted: boolean; released: boolean } = { aborted: false, released: false };
    const lock: RefreshDeps["lock"] = (_session, signal) =>
      new Promise((resolve, reject) => {
        grant = () =>
          resolve(async () => {
            seen.released = true;
          });
        signal?.addEventListener("abort", () => {
          seen.aborted = true;
          reject(new AwsLoginError("LOCK_TIMEOUT", "Stopped waiting for another awslogin process."));
        });
      });
    return { lock, grant: () => grant?.(), seen };
  }

  const winner = (): TokenCacheRecord =>
    cachedRecord({
      accessToken: {
        ...cachedRecord().accessToken,
        accessKeyId: "ASIAWINNER",
        expiresAt: "2025-11-19T12:15:00Z",
      },
      refreshToken: "refresh-2",
    });

  it("serves the winner's credentials without the lock and without a token call, and stops waiting", async () => {
    const h = harness(cachedRecord(), success);
    const held = heldLock();
    const pending = getFreshToken(
      { ...h.deps, lock: held.lock },
      { loginSession: SESSION, region: "us-east-1" },
    );
    // It is watching the file (a sleep of the watch interval on the clock) and has not called the service.
    await h.clock.whenSleeping();
    await h.clock.advance(100);
    expect(h.requests).toHaveLength(0);
    // The holder writes (atomically) and has not released yet: the next look at the file takes its credentials.
    await h.deps.store.write(SESSION, winner());
    await h.clock.advance(25);
    const fresh = await pending;
    expect(fresh.refreshed).toBe(false);
    expect(fresh.record.accessToken.accessKeyId).toBe("ASIAWINNER");
    expect(h.requests).toHaveLength(0);
    expect(held.seen.aborted).toBe(true);
  });

  it("keeps waiting while the file still holds due credentials, then refreshes under the lock once granted", async () => {
    const h = harness(cachedRecord(), success);
    const held = heldLock();
    const pending = getFreshToken(
      { ...h.deps, lock: held.lock },
      { loginSession: SESSION, region: "us-east-1" },
    );
    // A minute of the clock: the file is looked at every 25 ms, nothing is sent while the lock is held.
    await h.clock.whenSleeping();
    await h.clock.advance(60_000);
    expect(h.requests).toHaveLength(0);
    expect(h.clock.sleeps.length).toBeGreaterThanOrEqual(60_000 / 25);
    expect(held.seen.aborted).toBe(false);
    held.grant();
    const fresh = await pending;
    expect(fresh.refreshed).toBe(true);
    expect(h.requests).toHaveLength(1);
    expect(held.seen).toEqual({ aborted: false, released: true });
  });

  it("with force, a rewrite that did not refresh (same expiry) is not taken: it waits for the lock", async () => {
    const h = harness(cachedRecord(), success);
    const held = heldLock();
    const pending = getFreshToken(
      { ...h.deps, lock: held.lock },
      { loginSession: SESSION, region: "us-east-1", force: true },
    );
    await h.deps.store.write(SESSION, { ...cachedRecord(), foreignKey: { rewritten: true } });
    await h.clock.whenSleeping();
    await h.clock.advance(1_000);
    expect(held.seen.aborted).toBe(false);
    expect(h.requests).toHaveLength(0);
    held.grant();
    expect((await pending).refreshed).toBe(true);
    expect(h.requests).toHaveLength(1);
  });
});

describe("getFreshToken: deadlineMs must stay below the lock's staleness limit", () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY, 90_000, 120_000])(
    "refuses %s",
    async (deadlineMs) => {
      const h = harness(cachedRecord(), success);
      await expect(
        getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1", deadlineMs }),
      ).rejects.toMatchObject({
        code: "INVALID_ARGUMENT",
        message: expect.stringContaining("less than 90000 ms"),
      });
      expect(h.requests).toHaveLength(0);
    },
  );
});

describe("getFreshToken: the refresh deadline runs on the clock", () => {
  /** A token endpoint that never answers: the request ends only when its signal aborts. */
  const hanging = (_request: HttpRequest, signal: AbortSignal | undefined) =>
    new Promise<HttpResponse>((_resolve, reject) => {
      signal?.addEventListener("abort", () => reject(signal.reason));
    });

  it("a token call still pending at deadlineMs ends with TIMEOUT, not a moment earlier, and the lock is released", async () => {
    const h = harness(cachedRecord(), hanging);
    let released = 0;
    const deps: RefreshDeps = {
      ...h.deps,
      lock: async () => async () => {
        released++;
      },
    };
    const pending = getFreshToken(deps, { loginSession: SESSION, region: "us-east-1", deadlineMs: 5_000 });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await h.clock.whenSleeping();
    expect(h.requests).toHaveLength(1);
    await h.clock.advance(4_999);
    expect(settled).toBe(false);
    await h.clock.advance(1);
    await expect(pending).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
    expect(released).toBe(1);
    expect(h.clock.pending()).toBe(0);
  });

  it("the default deadline is REFRESH_DEADLINE_MS; a refresh that answers in time leaves no sleep behind", async () => {
    const h = harness(cachedRecord(), hanging);
    const pending = getFreshToken(h.deps, { loginSession: SESSION, region: "us-east-1" });
    await h.clock.whenSleeping();
    expect(h.clock.pending()).toBe(1);
    expect(h.clock.sleeps.at(-1)).toBe(REFRESH_DEADLINE_MS);
    await h.clock.advance(REFRESH_DEADLINE_MS - 1);
    expect(h.requests).toHaveLength(1);
    expect(h.clock.pending()).toBe(1);
    const timedOut = expect(pending).rejects.toMatchObject({ code: "TIMEOUT" });
    await h.clock.advance(1);
    await timedOut;

    const quick = harness(cachedRecord(), success);
    await expect(
      getFreshToken(quick.deps, { loginSession: SESSION, region: "us-east-1" }),
    ).resolves.toMatchObject({
      refreshed: true,
    });
    expect(quick.clock.sleeps).toContain(REFRESH_DEADLINE_MS);
    expect(quick.clock.pending()).toBe(0);
  });
});

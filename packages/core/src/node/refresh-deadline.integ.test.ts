/**
 * The refresh deadline over real I/O: the file token store, the session lock and the undici transport against a
 * 127.0.0.1 server that accepts the token request and never answers. The deadline, not the transport's response
 * timeout, ends the refresh, so the lock is released well before its 90 s staleness backstop.
 */

import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exportDpopKeyPem, generateDpopKey } from "../dpop.js";
import { CLIENT_ID } from "../protocol.js";
import { getFreshToken, REFRESH_DEADLINE_MS, type RefreshDeps } from "../refresh.js";
import { createFakeClock } from "../testing/fake-clock.js";
import { formatExpiresAt, type TokenCacheRecord } from "../token-cache.js";
import { sessionLock } from "./lock.js";
import { systemRandom } from "./system.js";
import { createFileTokenStore } from "./token-store.js";
import { createHttpTransport } from "./transport.js";

const SESSION = "arn:aws:sts::111122223333:assumed-role/Admin/deadline";
// The deadline's length on the fake clock (and in its message); the request lands first however busy the machine.
const DEADLINE_MS = 1500;

let dir: string;
let server: Server | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-deadline-"));
});

afterEach(async () => {
  if (server !== undefined) {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
    server = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A server that reads each request and never answers it; counts what it received. */
async function silentServer(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req) => {
    req.resume();
    req.on("end", () => {
      requests += 1;
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests };
}

function record(endpoint: string, expiresInMs: number): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId: "ASIAOLD",
      secretAccessKey: "old-secret",
      sessionToken: "old-session",
      accountId: "111122223333",
      expiresAt: formatExpiresAt(Date.now() + expiresInMs),
    },
    tokenType: "aws_sigv4",
    clientId: CLIENT_ID.sameDevice,
    refreshToken: "refresh-1",
    idToken: "h.p.s",
    dpopKey: exportDpopKeyPem(generateDpopKey(systemRandom)),
    signInRegion: "us-east-1",
    awslogin: { sessionStartedAt: new Date().toISOString(), endpoint },
  };
}

async function setUp(expiresInMs: number) {
  const { url, requests } = await silentServer();
  const store = createFileTokenStore({ directory: join(dir, "cache") });
  await store.write(SESSION, record(url, expiresInMs));
  const cachePath = store.pathFor(SESSION);
  const deps = {
    // The deadline ends when the test moves this clock: after the request has reached the server, however slowly.
    clock: createFakeClock(Date.now()),
    random: systemRandom,
    // A response timeout far beyond the deadline: only the deadline can end the wait.
    transport: createHttpTransport({ responseTimeoutMs: 30_000 }),
    store,
    lock: sessionLock(store, { waitMs: 100 }),
  } satisfies RefreshDeps;
  return { deps, store, cachePath, before: readFileSync(cachePath, "utf8"), requests };
}

describe("getFreshToken: the refresh deadline (REFRESH_DEADLINE_MS, below the lock's 90 s backstop)", () => {
  it("defaults to 60 s", () => {
    expect(REFRESH_DEADLINE_MS).toBe(60_000);
  });

  it("a service that never answers: expired credentials fail with TIMEOUT at the deadline, the lock released", async () => {
    const { deps, cachePath, before, requests } = await setUp(-60_000);
    const failing = getFreshToken(deps, { loginSession: SESSION, profile: "dev", deadlineMs: DEADLINE_MS });
    const timedOut = expect(failing).rejects.toMatchObject({
      code: "TIMEOUT",
      retryable: true,
      message: expect.stringContaining("within 1.5 s"),
    });
    await expect.poll(requests, { timeout: 15_000 }).toBe(1);
    // The transport would wait 30 s; until the deadline's time has passed the refresh is still waiting.
    await deps.clock.advance(DEADLINE_MS - 1);
    expect(existsSync(`${cachePath}.lock`)).toBe(true);
    await deps.clock.advance(1);
    await timedOut;
    await expect(failing).rejects.toThrow("Check your network and try again.");
    // The deadline covers the retries too: the one hanging attempt was the only one.
    expect(requests()).toBe(1);
    expect(readFileSync(cachePath, "utf8")).toBe(before);
    expect(existsSync(`${cachePath}.lock`)).toBe(false);
    expect(readdirSync(join(dir, "cache")).filter((name) => name.includes(".lock"))).toEqual([]);

    // Another refresh takes the lock at once (the lock waits at most 100 ms here) and meets the same deadline.
    const again = getFreshToken(deps, { loginSession: SESSION, deadlineMs: DEADLINE_MS });
    const againTimedOut = expect(again).rejects.toMatchObject({ code: "TIMEOUT" });
    await expect.poll(requests, { timeout: 15_000 }).toBe(2);
    await deps.clock.advance(DEADLINE_MS);
    await againTimedOut;
    expect(existsSync(`${cachePath}.lock`)).toBe(false);
  });

  it("a service that never answers: still-valid credentials are served with the TIMEOUT warning", async () => {
    const { deps, cachePath, before, requests } = await setUp(120_000);
    const serving = getFreshToken(deps, { loginSession: SESSION, deadlineMs: DEADLINE_MS });
    await expect.poll(requests, { timeout: 15_000 }).toBe(1);
    await deps.clock.advance(DEADLINE_MS);
    const fresh = await serving;
    expect(fresh.refreshed).toBe(false);
    expect(fresh.record.accessToken.accessKeyId).toBe("ASIAOLD");
    expect(fresh.warning?.code).toBe("TIMEOUT");
    expect(readFileSync(cachePath, "utf8")).toBe(before);
    expect(existsSync(`${cachePath}.lock`)).toBe(false);
    const release = await deps.lock(SESSION);
    await release();
  });
});

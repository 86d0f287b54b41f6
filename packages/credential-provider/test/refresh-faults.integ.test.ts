/**
 * The whole refresh path of core (loadProfileCredentials: config → file token store → session lock → undici
 * transport → the emulator's /v1/token) when the service is slow: the emulator's delay faults against a
 * client response timeout or refresh deadline that is shorter. Nothing stored may be lost and no lock may stay.
 * @see docs/protocol.md §8 (failure behaviour)
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { type AwsLoginError, parseTokenCache } from "@awslogin/core";
import {
  createFileTokenStore,
  createHttpTransport,
  type LoadCredentialsOptions,
  loadProfileCredentials,
  sessionLock,
} from "@awslogin/core/node";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox, setExpiresIn, signIn } from "./helpers.js";

/** Longer than any test here runs: a delayed call is never answered (closing the emulator drops it). */
const NEVER_MS = 30_000;
/** The client's response timeout in these tests. */
const RESPONSE_TIMEOUT_MS = 200;

let emulator: Emulator | undefined;
let sandbox: Sandbox;

beforeEach(() => {
  sandbox = createSandbox();
  // A dead local port as the last resort: a refresh that lost its endpoint fails here, never reaching AWS.
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
});

afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
  sandbox.cleanup();
});

/** An emulator and a signed-in profile `dev`. */
async function signedIn(options: Parameters<typeof startEmulator>[0] = {}): Promise<Emulator> {
  emulator = await startEmulator({ autoApprove: true, ...options });
  await signIn(emulator, sandbox, { profile: "dev" });
  return emulator;
}

const refreshes = () => emulator!.stats().tokenRequests.refresh_token;
const cacheFile = () => sandbox.cachePath(DEFAULT_IDENTITY);
const cacheText = () => readFileSync(cacheFile(), "utf8");
const lockFiles = () => readdirSync(sandbox.cacheDir).filter((name) => name.includes(".lock"));

/** loadProfileCredentials for `dev` with a short response timeout, collecting warnings. */
function load(options: Partial<LoadCredentialsOptions> = {}) {
  const warnings: AwsLoginError[] = [];
  const result = loadProfileCredentials({
    profile: "dev",
    transport: createHttpTransport({ responseTimeoutMs: RESPONSE_TIMEOUT_MS }),
    onWarning: (warning) => warnings.push(warning),
    ...options,
  });
  return { result, warnings };
}

/** The lock is free: it can be taken at once (no waiting allowed) and given back. */
async function expectLockFree(): Promise<void> {
  expect(existsSync(`${cacheFile()}.lock`)).toBe(false);
  expect(lockFiles()).toEqual([]);
  const release = await sessionLock(createFileTokenStore({ directory: sandbox.cacheDir }), { waitMs: 0 })(
    DEFAULT_IDENTITY,
  );
  await release();
  expect(lockFiles()).toEqual([]);
}

describe("a token service slower than the client's response timeout (emulator delayMs)", () => {
  it("credentials due but still valid: three attempts, then the cached credentials with a TIMEOUT warning", async () => {
    await signedIn({ expiresIn: 200 }); // due (under 5 minutes) but valid for 200 s
    const before = cacheText();
    const record = parseTokenCache(before, cacheFile());
    emulator!.injectFault({ count: 3, delayMs: NEVER_MS }); // every attempt of the token client's retries

    const { result, warnings } = load();
    const loaded = await result;
    expect(loaded.refreshed).toBe(false);
    expect(loaded.credentials.accessKeyId).toBe(record.accessToken.accessKeyId);
    expect(refreshes()).toBe(3);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.code).toBe("TIMEOUT");
    expect(warnings[0]!.message).toContain("UND_ERR_HEADERS_TIMEOUT");
    for (const secret of [
      record.refreshToken,
      record.accessToken.secretAccessKey,
      record.accessToken.sessionToken,
    ]) {
      expect(warnings[0]!.message).not.toContain(secret);
    }
    expect(cacheText()).toBe(before);
    await expectLockFree();
  });

  it("credentials already expired: fails with TIMEOUT saying what to do, the cache unchanged, the lock released", async () => {
    await signedIn();
    setExpiresIn(cacheFile(), -10);
    const before = cacheText();
    emulator!.injectFault({ count: 3, delayMs: NEVER_MS });

    const { result, warnings } = load();
    const failing = result;
    await expect(failing).rejects.toMatchObject({
      code: "TIMEOUT",
      retryable: true,
      message: expect.stringContaining(new URL(emulator!.url).host),
    });
    await expect(failing).rejects.toThrow("Check the Sign-In endpoint and your network, then try again.");
    expect(refreshes()).toBe(3);
    expect(warnings).toEqual([]);
    expect(cacheText()).toBe(before);
    await expectLockFree();
  });

  it.each([1, 2])(
    "the delay on %i of the 3 attempts: a retry succeeds and the cache is rotated",
    async (count) => {
      await signedIn();
      setExpiresIn(cacheFile(), -10);
      const record = parseTokenCache(cacheText(), cacheFile());
      emulator!.injectFault({ count, delayMs: NEVER_MS });

      const { result, warnings } = load();
      const loaded = await result;
      expect(loaded.refreshed).toBe(true);
      expect(refreshes()).toBe(count + 1);
      expect(warnings).toEqual([]);
      const after = parseTokenCache(cacheText(), cacheFile());
      expect(after.accessToken.accessKeyId).not.toBe(record.accessToken.accessKeyId);
      expect(after.refreshToken).not.toBe(record.refreshToken);
      expect(after.dpopKey).toBe(record.dpopKey);
      expect(Date.parse(after.accessToken.expiresAt)).toBeGreaterThan(Date.now());
      expect(loaded.credentials.accessKeyId).toBe(after.accessToken.accessKeyId);
      await expectLockFree();
    },
  );
});

describe("a token service that never answers within the refresh deadline (deadlineMs)", () => {
  it("ends the refresh with TIMEOUT at the deadline, although the response timeout is far longer", async () => {
    await signedIn();
    setExpiresIn(cacheFile(), -10);
    const before = cacheText();
    emulator!.injectFault({ count: 3, delayMs: NEVER_MS });

    const { result } = load({
      transport: createHttpTransport({ responseTimeoutMs: 30_000 }),
      deadlineMs: 300,
    });
    // The deadline's own words: the 30 s response timeout would have said something else (no wall-clock bound).
    await expect(result).rejects.toMatchObject({
      code: "TIMEOUT",
      message: expect.stringContaining("did not complete the refresh within 0.3 s"),
    });
    expect(refreshes()).toBe(1);
    expect(cacheText()).toBe(before);
    await expectLockFree();
  });
});

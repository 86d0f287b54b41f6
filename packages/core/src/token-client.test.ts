import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { generateDpopKey } from "./dpop.js";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest, HttpResponse, Random, Transport } from "./ports.js";
import { CLIENT_ID } from "./protocol.js";
import { createFakeClock, type FakeClock } from "./testing/fake-clock.js";
import { refreshTokenRequest } from "./token.js";
import { requestToken } from "./token-client.js";

const TOKEN_URL = "https://us-east-1.signin.aws.amazon.com/v1/token";
const OK_BODY = JSON.stringify({
  accessToken: { accessKeyId: "ASIA1", secretAccessKey: "s", sessionToken: "t" },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "rt2",
});
const ok = (): HttpResponse => ({ status: 200, headers: {}, body: OK_BODY });
const err = (
  status: number,
  error: string,
  type: string,
  headers: Record<string, string> = {},
): HttpResponse => ({
  status,
  headers: { "x-amzn-errortype": type, ...headers },
  body: JSON.stringify({ error, message: "m" }),
});

type Step = HttpResponse | AwsLoginError | Error;

/** A transport that answers from a script and records what it was sent. */
function scripted(steps: Step[]): Transport & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    async send(request) {
      requests.push(request);
      const step = steps[Math.min(requests.length - 1, steps.length - 1)]!;
      if (step instanceof Error) throw step;
      return step;
    },
  };
}

/**
 * A fake clock whose `now()` also moves one second per read, so each attempt has its own iat; its sleeps end only
 * when the test's time passes them.
 */
function tickingClock(start = 1_760_000_000_000): FakeClock {
  const fake = createFakeClock(start);
  let reads = 0;
  return { ...fake, now: () => fake.now() + 1000 * reads++ };
}

const secure: Random = { bytes: (n) => randomBytes(n) };

/** Starts a request; `promise` settles with every back-off sleep run to its end on the fake clock. */
function start(steps: Step[], extra: Partial<Parameters<typeof requestToken>[0]> = {}) {
  const transport = scripted(steps);
  const clock = tickingClock();
  const key = generateDpopKey(secure);
  const request = requestToken({
    transport,
    tokenUrl: TOKEN_URL,
    body: refreshTokenRequest({ clientId: CLIENT_ID.sameDevice, refreshToken: "rt1" }),
    dpopKey: key,
    clock,
    random: secure,
    grant: "refresh_token",
    ...extra,
  });
  return { transport, clock, key, request, sleeps: clock.sleeps };
}

async function run(steps: Step[], extra: Partial<Parameters<typeof requestToken>[0]> = {}) {
  const started = start(steps, extra);
  return { ...started, promise: started.clock.run(started.request) };
}

describe("requestToken", () => {
  it("POSTs the JSON body with content-type, accept and a DPoP proof jose verifies (htu = tokenUrl)", async () => {
    const { transport, promise, key } = await run([ok()]);
    const response = await promise;
    expect(response.refreshToken).toBe("rt2");
    expect(transport.requests).toHaveLength(1);
    const request = transport.requests[0]!;
    expect(request.method).toBe("POST");
    expect(request.url).toBe(TOKEN_URL);
    expect(request.body).toBe(
      '{"clientId":"arn:aws:signin:::devtools/same-device","refreshToken":"rt1","grantType":"refresh_token"}',
    );
    expect(request.headers["content-type"]).toBe("application/json");
    expect(request.headers.accept).toBe("application/json");
    const proof = request.headers.dpop!;
    const header = decodeProtectedHeader(proof);
    expect(header.jwk).toEqual(key.publicJwk);
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk!, "ES256"), { typ: "dpop+jwt" });
    expect(payload).toMatchObject({ htm: "POST", htu: TOKEN_URL, iat: 1_760_000_000 });
    expect(payload.jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("aws-c-auth vector: two 500s then success is 3 attempts, each with a fresh proof (new jti, current iat)", async () => {
    const { transport, promise, sleeps } = await run([
      err(500, "server_error", "InternalServerException"),
      err(500, "server_error", "InternalServerException"),
      ok(),
    ]);
    await promise;
    expect(transport.requests).toHaveLength(3);
    expect(sleeps).toHaveLength(2);
    const claims = transport.requests.map(
      (r) =>
        JSON.parse(Buffer.from(r.headers.dpop!.split(".")[1]!, "base64url").toString()) as {
          jti: string;
          iat: number;
        },
    );
    expect(new Set(claims.map((c) => c.jti)).size).toBe(3);
    expect(claims.map((c) => c.iat)).toEqual([1_760_000_000, 1_760_000_001, 1_760_000_002]);
  });

  it("gives up after maxAttempts and throws the last retryable error", async () => {
    const { transport, promise, sleeps } = await run([err(429, "INVALID_REQUEST", "TooManyRequestsError")], {
      maxAttempts: 4,
    });
    await expect(promise).rejects.toMatchObject({ code: "THROTTLED", retryable: true });
    expect(transport.requests).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
  });

  it("retries NETWORK and TIMEOUT from the transport", async () => {
    const { transport, promise } = await run([
      new AwsLoginError("NETWORK", "down", { retryable: true }),
      new AwsLoginError("TIMEOUT", "slow", { retryable: true }),
      ok(),
    ]);
    await expect(promise).resolves.toMatchObject({ expiresIn: 900 });
    expect(transport.requests).toHaveLength(3);
  });

  it.each([
    ["TOKEN_EXPIRED", err(401, "TOKEN_EXPIRED", "AccessDeniedException")],
    ["INVALID_REQUEST", err(400, "INVALID_REQUEST", "ValidationException")],
    ["INSUFFICIENT_PERMISSIONS", err(403, "INSUFFICIENT_PERMISSIONS", "AccessDeniedException")],
    ["BAD_RESPONSE", { status: 200, headers: {}, body: "{}" }],
  ] as const)("stops at once on %s", async (code, response) => {
    const { transport, promise, sleeps } = await run([response, ok()]);
    await expect(promise).rejects.toMatchObject({ code });
    expect(transport.requests).toHaveLength(1);
    expect(sleeps).toHaveLength(0);
  });

  it("does not retry a NETWORK error that says retrying cannot help (TLS)", async () => {
    const { transport, promise } = await run([
      new AwsLoginError("NETWORK", "certificate", { retryable: false }),
      ok(),
    ]);
    await expect(promise).rejects.toMatchObject({ code: "NETWORK" });
    expect(transport.requests).toHaveLength(1);
  });

  it("does not retry unexpected transport errors", async () => {
    const { transport, promise } = await run([new TypeError("bug"), ok()]);
    await expect(promise).rejects.toThrow(TypeError);
    expect(transport.requests).toHaveLength(1);
  });

  it("passes the profile into the error's sign-in remedy", async () => {
    const { promise } = await run([err(401, "TOKEN_EXPIRED", "AccessDeniedException")], { profile: "work" });
    await expect(promise).rejects.toMatchObject({ remedy: { kind: "sign-in", profile: "work" } });
  });

  it("full jitter: delay = floor(random · min(max, base·2^(n−1)))", async () => {
    // 0x80000000 / 2^32 = 0.5 each time
    const half: Random = { bytes: (n) => (n === 4 ? Uint8Array.of(0x80, 0, 0, 0) : randomBytes(n)) };
    const { promise, sleeps } = await run(
      [err(503, "", ""), err(503, "", ""), err(503, "", ""), err(503, "", ""), ok()],
      {
        random: half,
        maxAttempts: 5,
        baseDelayMs: 100,
        maxDelayMs: 350,
      },
    );
    await promise;
    expect(sleeps).toEqual([50, 100, 175, 175]);
  });

  it("jitter is bounded by [0, cap) for the extreme random values", async () => {
    for (const byte of [0x00, 0xff]) {
      const fixed: Random = { bytes: (n) => (n === 4 ? new Uint8Array(4).fill(byte) : randomBytes(n)) };
      const { promise, sleeps } = await run([err(500, "", ""), err(500, "", ""), ok()], { random: fixed });
      await promise;
      if (byte === 0) expect(sleeps).toEqual([0, 0]);
      else expect(sleeps).toEqual([199, 399]);
    }
  });

  it("honours a numeric retry-after, capped at maxDelayMs; ignores an HTTP-date", async () => {
    const { promise, sleeps } = await run(
      [
        err(429, "INVALID_REQUEST", "TooManyRequestsError", { "retry-after": "1" }),
        err(429, "INVALID_REQUEST", "TooManyRequestsError", { "retry-after": "60" }),
        err(429, "INVALID_REQUEST", "TooManyRequestsError", {
          "retry-after": "Wed, 21 Oct 2015 07:28:00 GMT",
        }),
        ok(),
      ],
      { maxAttempts: 4, random: { bytes: (n) => new Uint8Array(n) } },
    );
    await promise;
    expect(sleeps).toEqual([1000, 2000, 0]);
  });

  it("maxAttempts 1 means no retry", async () => {
    const { transport, promise } = await run([err(500, "server_error", "InternalServerException"), ok()], {
      maxAttempts: 1,
    });
    await expect(promise).rejects.toMatchObject({ code: "SERVER_ERROR" });
    expect(transport.requests).toHaveLength(1);
  });

  it("an abort during the back-off stops before the next attempt and surfaces its AwsLoginError reason", async () => {
    const controller = new AbortController();
    const reason = new AwsLoginError("LOGIN_TIMEOUT", "took too long");
    const { transport, clock, request } = start([err(500, "", ""), ok()], { signal: controller.signal });
    await clock.whenSleeping();
    controller.abort(reason);
    await expect(request).rejects.toBe(reason);
    expect(transport.requests).toHaveLength(1);
  });

  it("the back-off waits on the clock and an abort cuts it short: LOGIN_CANCELLED, no time passed, no sleep left", async () => {
    const controller = new AbortController();
    const { transport, clock, request } = start([err(500, "", ""), ok()], {
      signal: controller.signal,
      baseDelayMs: 60_000,
      maxDelayMs: 60_000,
      random: { bytes: (n) => new Uint8Array(n).fill(0xff) },
    });
    await clock.whenSleeping();
    expect(clock.sleeps).toEqual([59_999]);
    await clock.advance(59_998);
    expect(transport.requests).toHaveLength(1);
    controller.abort();
    await expect(request).rejects.toMatchObject({ code: "LOGIN_CANCELLED" });
    expect(clock.pending()).toBe(0);
    expect(transport.requests).toHaveLength(1);
  });

  it("the next attempt goes out exactly when the back-off ends", async () => {
    const { transport, clock, request } = start([err(500, "", ""), ok()], {
      random: { bytes: (n) => (n === 4 ? Uint8Array.of(0x80, 0, 0, 0) : randomBytes(n)) },
    });
    await clock.whenSleeping();
    expect(clock.sleeps).toEqual([100]);
    await clock.advance(99);
    expect(transport.requests).toHaveLength(1);
    await clock.advance(1);
    await expect(request).resolves.toMatchObject({ refreshToken: "rt2" });
    expect(transport.requests).toHaveLength(2);
  });
});

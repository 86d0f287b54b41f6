import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { Agent, type Dispatcher } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { generateDpopKey, jwkThumbprint } from "../dpop.js";
import { AwsLoginError } from "../errors.js";
import { CLIENT_ID } from "../protocol.js";
import { createFakeClock } from "../testing/fake-clock.js";
import { refreshTokenRequest } from "../token.js";
import { requestToken } from "../token-client.js";
import { systemClock, systemRandom } from "./system.js";
import { createHttpTransport } from "./transport.js";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Handler = (req: IncomingMessage, res: ServerResponse, index: number) => void;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  }
});

/** A real HTTP server on 127.0.0.1, answering the n-th request with `handler(…, n)`. */
async function serve(handler: Handler): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({
        method: req.method!,
        url: req.url!,
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(req, res, received.length - 1);
    });
  });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received };
}

const TOKEN_BODY = JSON.stringify({
  accessToken: { accessKeyId: "ASIAINTEG", secretAccessKey: "s", sessionToken: "t" },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "rt-new",
});

function json(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

describe("createHttpTransport against a real server", () => {
  it("sends method, lower-cased headers, user-agent and body; returns status, lower-cased headers, body", async () => {
    const { url, received } = await serve((_req, res) => {
      res.setHeader("X-Amzn-RequestId", "req-1");
      res.setHeader("Set-Cookie", ["a=1", "b=2"]);
      json(res, 200, '{"ok":true}');
    });
    const transport = createHttpTransport({ userAgent: "awslogin/0.1.0 md/awslogin" });
    const response = await transport.send({
      method: "POST",
      url: `${url}/v1/token`,
      headers: { "Content-Type": "application/json", DPoP: "proof" },
      body: '{"x":1}',
    });
    expect(response).toEqual({
      status: 200,
      headers: expect.objectContaining({ "x-amzn-requestid": "req-1", "set-cookie": "a=1, b=2" }),
      body: '{"ok":true}',
    });
    expect(received[0]).toMatchObject({
      method: "POST",
      url: "/v1/token",
      body: '{"x":1}',
      headers: expect.objectContaining({
        "content-type": "application/json",
        dpop: "proof",
        "user-agent": "awslogin/0.1.0 md/awslogin",
      }),
    });
  });

  it("returns error statuses as responses, not exceptions", async () => {
    const { url } = await serve((_req, res) =>
      json(res, 401, '{"error":"TOKEN_EXPIRED"}', { "X-Amzn-ErrorType": "AccessDeniedException" }),
    );
    const response = await createHttpTransport().send({ method: "POST", url, headers: {}, body: "{}" });
    expect(response.status).toBe(401);
    expect(response.headers["x-amzn-errortype"]).toBe("AccessDeniedException");
  });

  it("a closed port is NETWORK (retryable), naming the host", async () => {
    const { url } = await serve(() => {});
    const server = servers.pop()!;
    server.close();
    await once(server, "close");
    const failing = createHttpTransport().send({ method: "POST", url: `${url}/v1/token`, headers: {} });
    await expect(failing).rejects.toMatchObject({
      code: "NETWORK",
      retryable: true,
      message: expect.stringContaining(new URL(url).host),
    });
    await expect(failing).rejects.toThrow("ECONNREFUSED");
  });

  it("a socket destroyed before answering is NETWORK", async () => {
    const { url } = await serve((req) => req.socket.destroy());
    const failing = createHttpTransport().send({ method: "POST", url, headers: {}, body: "secret-body" });
    await expect(failing).rejects.toMatchObject({ code: "NETWORK", retryable: true });
    await expect(failing).rejects.toMatchObject({ message: expect.not.stringContaining("secret-body") });
  });

  it("a slow answer is TIMEOUT (headers)", async () => {
    const { url } = await serve((_req, res) => {
      setTimeout(() => json(res, 200, "{}"), 2_000).unref();
    });
    // Without the response timeout the 200 would arrive and the call resolve: no wall-clock bound needed.
    await expect(
      createHttpTransport({ responseTimeoutMs: 150 }).send({ method: "POST", url, headers: {} }),
    ).rejects.toMatchObject({ code: "TIMEOUT", retryable: true });
  });

  it("a body that stalls is TIMEOUT (body)", async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"partial":');
    });
    await expect(
      createHttpTransport({ responseTimeoutMs: 150 }).send({ method: "POST", url, headers: {} }),
    ).rejects.toMatchObject({ code: "TIMEOUT", message: expect.stringContaining("UND_ERR_BODY_TIMEOUT") });
  });

  it("sends through an injected undici dispatcher (an Agent composed with an interceptor)", async () => {
    const { url, received } = await serve((_req, res) => json(res, 200, '{"ok":true}'));
    const seen: { origin: string; path: string; method: string }[] = [];
    const agent = new Agent();
    const recording: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
      seen.push({ origin: String(options.origin), path: options.path, method: options.method });
      // Proof that the interceptor's version of the request is the one sent.
      const headers = { ...(options.headers as Record<string, string>), "x-intercepted": "yes" };
      return dispatch({ ...options, headers }, handler);
    };
    try {
      const transport = createHttpTransport({ dispatcher: agent.compose(recording) });
      const first = await transport.send({ method: "POST", url: `${url}/v1/token`, headers: {}, body: "{}" });
      const second = await transport.send({ method: "GET", url: `${url}/health`, headers: {} });
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(seen).toEqual([
        { origin: url, path: "/v1/token", method: "POST" },
        { origin: url, path: "/health", method: "GET" },
      ]);
      expect(received.map((r) => r.headers["x-intercepted"])).toEqual(["yes", "yes"]);
    } finally {
      await agent.close();
    }
  });

  it("an abort signal cancels the request", async () => {
    const { url } = await serve(() => {});
    const controller = new AbortController();
    const pending = createHttpTransport().send(
      { method: "POST", url, headers: {} },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 30);
    await expect(pending).rejects.toMatchObject({ code: "LOGIN_CANCELLED" });
  });
});

describe("requestToken over the real transport", () => {
  const body = refreshTokenRequest({ clientId: CLIENT_ID.sameDevice, refreshToken: "rt-old" });

  /** A token request over the real transport; its back-off sleeps end at once on a fake clock started now. */
  async function exchange(url: string) {
    const key = generateDpopKey(systemRandom);
    const clock = createFakeClock(Date.now());
    const result = clock.run(
      requestToken({
        transport: createHttpTransport({ responseTimeoutMs: 2_000 }),
        tokenUrl: `${url}/v1/token`,
        body,
        dpopKey: key,
        clock,
        random: systemRandom,
        grant: "refresh_token",
      }),
    );
    return { key, result, clock };
  }

  async function verifiedClaims(received: Received) {
    const proof = received.headers.dpop as string;
    const header = decodeProtectedHeader(proof);
    const { payload } = await jwtVerify(proof, await importJWK(header.jwk!, "ES256"), { typ: "dpop+jwt" });
    return { payload, jwk: header.jwk! };
  }

  it("the server receives a DPoP proof jose verifies, with htu equal to the URL and the key's thumbprint", async () => {
    const { url, received } = await serve((_req, res) => json(res, 200, TOKEN_BODY));
    const { key, result, clock } = await exchange(url);
    await expect(result).resolves.toMatchObject({ refreshToken: "rt-new", expiresIn: 900 });
    expect(received).toHaveLength(1);
    expect(JSON.parse(received[0]!.body)).toEqual(body);
    const { payload, jwk } = await verifiedClaims(received[0]!);
    expect(payload.htu).toBe(`${url}/v1/token`);
    expect(payload.htm).toBe("POST");
    expect(payload.iat).toBe(Math.floor(clock.now() / 1000));
    expect(jwkThumbprint({ kty: "EC", crv: "P-256", x: jwk.x!, y: jwk.y! })).toBe(
      jwkThumbprint(key.publicJwk),
    );
  });

  it("500 then 200: two attempts, each with its own verified proof", async () => {
    const { url, received } = await serve((_req, res, n) =>
      n === 0
        ? json(res, 500, '{"error":"server_error","message":"boom"}', {
            "x-amzn-errortype": "InternalServerException",
          })
        : json(res, 200, TOKEN_BODY),
    );
    const { result } = await exchange(url);
    await expect(result).resolves.toMatchObject({ refreshToken: "rt-new" });
    expect(received).toHaveLength(2);
    const [first, second] = await Promise.all(received.map(verifiedClaims));
    expect(first!.payload.jti).not.toBe(second!.payload.jti);
    expect(second!.payload.htu).toBe(`${url}/v1/token`);
  });

  it("429 with retry-after: 1 waits 1000 ms, then succeeds", async () => {
    const { url, received } = await serve((_req, res, n) =>
      n === 0
        ? json(res, 429, '{"error":"INVALID_REQUEST","message":"slow down"}', {
            "x-amzn-errortype": "TooManyRequestsError",
            "retry-after": "1",
          })
        : json(res, 200, TOKEN_BODY),
    );
    const { result, clock } = await exchange(url);
    await result;
    expect(clock.sleeps).toEqual([1000]);
    expect(received).toHaveLength(2);
  });

  it("a destroyed socket is retried, then succeeds", async () => {
    const { url, received } = await serve((req, res, n) =>
      n === 0 ? req.socket.destroy() : json(res, 200, TOKEN_BODY),
    );
    const { result } = await exchange(url);
    await expect(result).resolves.toMatchObject({ refreshToken: "rt-new" });
    expect(received).toHaveLength(2);
  });

  it("always 500: three attempts, then SERVER_ERROR with status 500", async () => {
    const { url, received } = await serve((_req, res) => json(res, 500, "oops"));
    const { result } = await exchange(url);
    await expect(result).rejects.toMatchObject({ code: "SERVER_ERROR", status: 500, retryable: true });
    expect(received).toHaveLength(3);
  });

  it("TOKEN_EXPIRED is not retried", async () => {
    const { url, received } = await serve((_req, res) =>
      json(res, 401, '{"error":"TOKEN_EXPIRED","message":"The refresh token has expired."}', {
        "x-amzn-errortype": "AccessDeniedException",
      }),
    );
    const { result } = await exchange(url);
    await expect(result).rejects.toMatchObject({ code: "TOKEN_EXPIRED" });
    expect(received).toHaveLength(1);
  });
});

describe("system ports", () => {
  it("systemClock reads the wall clock; systemRandom returns fresh bytes of the asked length", () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    const a = systemRandom.bytes(32);
    const b = systemRandom.bytes(32);
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });
});

describe("systemClock.sleep", () => {
  it("resolves once its time has passed (a timer never fires early)", async () => {
    const before = Date.now();
    await expect(systemClock.sleep(30)).resolves.toBeUndefined();
    expect(Date.now() - before).toBeGreaterThanOrEqual(29);
  });

  it("rejects with the signal's reason at once when the signal has already aborted", async () => {
    const reason = new AwsLoginError("LOGIN_CANCELLED", "stop");
    await expect(systemClock.sleep(60_000, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it("an abort during a long sleep rejects it with the reason (it would outlast the test's timeout)", async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    const reason = new AwsLoginError("TIMEOUT", "deadline");
    setImmediate(() => controller.abort(reason));
    await expect(sleeping).rejects.toBe(reason);
  });
});

/**
 * Attacks on `awslogin serve`'s endpoint from other local processes and from web pages: every request below is
 * one a tool would never send, and none may get credentials.
 * @see docs/protocol.md §17.2
 */
import { connect, type Socket } from "node:net";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandbox, type Sandbox } from "./helpers.js";
import { eventually, type RawAnswer, type RunningServe, rawRequest, startServe } from "./serve-helpers.js";
import { cachePathOf, loginProfile, readRecord } from "./session-helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;
let serve: RunningServe;
let secret: string;

beforeAll(async () => {
  emulator = await startEmulator({ autoApprove: true });
  sandbox = createSandbox();
  await loginProfile(sandbox, emulator, "dev");
  await loginProfile(sandbox, emulator, "prod");
  secret = readRecord(cachePathOf(sandbox, DEFAULT_IDENTITY)).accessToken.secretAccessKey;
  serve = await startServe(["--profile", "dev"], sandbox.env);
});

afterAll(async () => {
  await serve?.stop();
  await emulator?.close();
  sandbox?.cleanup();
});

function host(): string {
  return `127.0.0.1:${serve.port}`;
}

function get(headers: Record<string, string>, path = "/profiles/dev", method = "GET"): Promise<RawAnswer> {
  return rawRequest(serve.port, path, { method, headers });
}

/** A refusal: the status, a JSON code, no credentials, the token not echoed. */
function expectRefused(answer: RawAnswer, status: number, code?: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body).not.toContain(secret);
  expect(answer.body).not.toContain("SecretAccessKey");
  expect(answer.body).not.toContain(serve.token);
  if (code !== undefined) expect(JSON.parse(answer.body)).toMatchObject({ Code: code });
}

describe("awslogin serve: who gets credentials", () => {
  it("the right request does (the baseline of every refusal below)", async () => {
    const answer = await get({ host: host(), authorization: serve.token });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ SecretAccessKey: secret });
  });

  it("no token: 401", async () => {
    expectRefused(await get({ host: host() }), 401, "MissingAuthorization");
    expectRefused(await get({ host: host(), authorization: "" }), 401, "MissingAuthorization");
  });

  it("a wrong token: 403, whatever its length or how much of it is right", async () => {
    const token = serve.token;
    const last = token.at(-1) === "A" ? "B" : "A";
    for (const wrong of [
      `${token.slice(0, -1)}${last}`,
      token.slice(0, -1),
      `${token}x`,
      `Bearer ${token}`,
      token.toLowerCase() === token ? token.toUpperCase() : token.toLowerCase(),
      "x".repeat(4000),
    ]) {
      expectRefused(await get({ host: host(), authorization: wrong }), 403, "InvalidToken");
    }
  });

  it("a Host that is not 127.0.0.1:PORT (DNS rebinding): 403, even with the token", async () => {
    for (const name of [
      `rebind.invalid:${serve.port}`,
      `localhost:${serve.port}`,
      "127.0.0.1",
      `127.0.0.1:${serve.port + 1}`,
      `127.0.0.1:${serve.port}.rebind.invalid`,
      `[::1]:${serve.port}`,
    ]) {
      expectRefused(await get({ host: name, authorization: serve.token }), 403, "HostRefused");
    }
    // No Host at all: Node itself refuses an HTTP/1.1 request without one.
    expectRefused(await get({ authorization: serve.token }), 400);
  });

  it("a browser's request (Origin or Sec-Fetch-* headers): 403, even with the token", async () => {
    const browserHeaders: Array<Record<string, string>> = [
      { origin: "http://attacker.invalid" },
      { origin: "null" },
      { origin: `http://${host()}` },
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-mode": "no-cors" },
    ];
    for (const extra of browserHeaders) {
      expectRefused(await get({ host: host(), authorization: serve.token, ...extra }), 403, "BrowserRefused");
    }
  });

  it("methods other than GET (a CORS preflight included): 405 with Allow: GET", async () => {
    for (const method of ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"]) {
      const answer = await get({ host: host(), authorization: serve.token }, "/profiles/dev", method);
      expectRefused(answer, 405, "MethodNotAllowed");
      expect(answer.headers.allow).toBe("GET");
    }
    const head = await get({ host: host(), authorization: serve.token }, "/profiles/dev", "HEAD");
    expect(head.status).toBe(405);
  });

  it("a request with a body: 413; a URL over 1024 characters: 414; headers over 8 KiB: 431", async () => {
    const withBody = await rawRequest(serve.port, "/profiles/dev", {
      headers: { host: host(), authorization: serve.token, "content-length": "5" },
      body: "hello",
    });
    expectRefused(withBody, 413, "BodyNotAccepted");
    const chunked = await rawRequest(serve.port, "/profiles/dev", {
      headers: { host: host(), authorization: serve.token, "transfer-encoding": "chunked" },
      body: "hello",
    });
    expectRefused(chunked, 413, "BodyNotAccepted");
    expectRefused(
      await get({ host: host(), authorization: serve.token }, `/profiles/dev?${"a".repeat(1100)}`),
      414,
      "UriTooLong",
    );
    expectRefused(await get({ host: host(), authorization: serve.token, "x-pad": "a".repeat(9000) }), 431);
  });

  it("a profile the endpoint was not started with is not found, even one that is signed in", async () => {
    for (const path of ["/profiles/prod", "/profiles/dev%00", "/profiles/..%2Fprod", "/profiles/DEV"]) {
      expectRefused(await get({ host: host(), authorization: serve.token }, path), 404, "NotFound");
    }
  });

  it("a connection that never finishes its headers is closed (slowloris)", async () => {
    const socket = connect(serve.port, "127.0.0.1");
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    // Read what comes (Node answers 408), so that the server's end of the connection is seen.
    socket.resume();
    socket.write(`GET /profiles/dev HTTP/1.1\r\nHost: ${host()}\r\n`);
    // headersTimeout is 5 s, checked every second: closed well within the bound.
    await eventually(() => (socket.destroyed ? true : undefined), "the slow connection to be closed", 20_000);
    await closed;
  });

  it("a flood of idle connections cannot lock the tools out: the oldest idle ones are closed", async () => {
    const sockets: Socket[] = [];
    try {
      for (let i = 0; i < 1100; i++) {
        const socket = connect(serve.port, "127.0.0.1");
        socket.on("error", () => {
          // closed by the server: expected for the oldest ones
        });
        sockets.push(socket);
      }
      await Promise.all(
        sockets.map(
          (socket) =>
            new Promise<void>((resolve) => {
              if (socket.readyState === "open") resolve();
              socket.once("connect", () => resolve());
              socket.once("close", () => resolve());
            }),
        ),
      );
      const answer = await get({ host: host(), authorization: serve.token });
      expect(answer.status).toBe(200);
      await eventually(
        () => (sockets.filter((socket) => socket.destroyed).length >= 70 ? true : undefined),
        "the oldest idle connections to be closed",
      );
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });

  it("the server still serves after all of the above, and never logged a secret", async () => {
    const answer = await get({ host: host(), authorization: serve.token });
    expect(answer.status).toBe(200);
    expect(serve.cli.stderr()).not.toContain(secret);
    expect(serve.cli.stderr()).not.toContain(serve.token);
  });
});

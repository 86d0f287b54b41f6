/**
 * The transport against hostile or unusual networks, over real sockets on 127.0.0.1: an endpoint that streams
 * without end (issue 7 §4), a private CA (AWS_CA_BUNDLE / ca_bundle) and a forward proxy (HTTPS_PROXY,
 * HTTP_PROXY, NO_PROXY) (issue 7 §7).
 */
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  createTestCertificateAuthority,
  startTestProxy,
  type TestCertificateAuthority,
  type TestProxy,
} from "../../../../scripts/network-fixtures.mjs";
import { generateDpopKey } from "../dpop.js";
import { CLIENT_ID } from "../protocol.js";
import { createFakeClock } from "../testing/fake-clock.js";
import { refreshTokenRequest } from "../token.js";
import { requestToken } from "../token-client.js";
import { systemRandom } from "./system.js";
import { createHttpTransport, MAX_RESPONSE_BODY_BYTES, resolveCaBundle } from "./transport.js";

const TOKEN_BODY = JSON.stringify({
  accessToken: { accessKeyId: "ASIAINTEG", secretAccessKey: "s", sessionToken: "t" },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "rt-new",
});

const servers: Server[] = [];
let proxy: TestProxy | undefined;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "awslogin-transport-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  }
});

async function listen(server: Server, scheme: "http" | "https"): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Polls `condition` every 10 ms for up to 10 s. */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

/** A token request whose back-off sleeps end at once (a fake clock started now). */
function tokenRequest(url: string, transport = createHttpTransport()) {
  const clock = createFakeClock(Date.now());
  return clock.run(
    requestToken({
      transport,
      tokenUrl: `${url}/v1/token`,
      body: refreshTokenRequest({ clientId: CLIENT_ID.sameDevice, refreshToken: "rt" }),
      dpopKey: generateDpopKey(systemRandom),
      clock,
      random: systemRandom,
      grant: "refresh_token",
    }),
  );
}

describe("response bodies are capped (issue 7 §4)", () => {
  it("an endpoint streaming without end gets a retryable BAD_RESPONSE and its connection closed", async () => {
    let written = 0;
    let closed = false;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const url = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" });
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) written += chunk.length;
          if (!res.destroyed) res.once("drain", pump);
        };
        res.on("close", () => {
          closed = true;
        });
        pump();
      }),
      "http",
    );
    const failing = tokenRequest(url);
    await expect(failing).rejects.toMatchObject({ message: expect.stringContaining("larger than 64 KiB") });
    await expect(failing).rejects.toMatchObject({ code: "BAD_RESPONSE", retryable: true });
    // The client hung up instead of reading on: the server could only fill the socket buffers.
    await until(() => closed);
    expect(written).toBeLessThan(32 * 1024 * 1024);
  });

  it("a declared content-length over the cap is refused before the body is read", async () => {
    const url = await listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json", "content-length": String(1 << 30) });
        res.write("{");
      }),
      "http",
    );
    await expect(
      createHttpTransport().send({ method: "POST", url: `${url}/v1/token`, headers: {} }),
    ).rejects.toMatchObject({ code: "BAD_RESPONSE", retryable: true });
  });

  it("a body of exactly the cap is still read", async () => {
    const body = "x".repeat(MAX_RESPONSE_BODY_BYTES);
    const url = await listen(
      createServer((req, res) => {
        req.resume();
        res.end(body);
      }),
      "http",
    );
    const response = await createHttpTransport().send({ method: "GET", url, headers: {} });
    expect(response.body.length).toBe(MAX_RESPONSE_BODY_BYTES);
  });
});

describe("AWS_CA_BUNDLE and ca_bundle (issue 7 §7)", () => {
  let ca: TestCertificateAuthority;
  beforeAll(() => {
    ca = createTestCertificateAuthority();
  });
  afterAll(() => ca.dispose());

  async function httpsTokenServer(): Promise<{ url: string; requests: () => number }> {
    let requests = 0;
    const url = await listen(
      createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
        requests += 1;
        req.resume();
        res.writeHead(200, { "content-type": "application/json" }).end(TOKEN_BODY);
      }),
      "https",
    );
    return { url, requests: () => requests };
  }

  it("without the CA: a typed TLS error, not retried", async () => {
    const { url } = await httpsTokenServer();
    const failing = tokenRequest(url);
    await expect(failing).rejects.toMatchObject({ message: expect.stringContaining("TLS") });
    await expect(failing).rejects.toMatchObject({ code: "NETWORK", retryable: false });
  });

  it("with the CA bundle from AWS_CA_BUNDLE: the token request succeeds", async () => {
    const { url, requests } = await httpsTokenServer();
    const caBundle = resolveCaBundle({ AWS_CA_BUNDLE: ca.caPath }, { name: "dev", caBundle: undefined });
    expect(caBundle).toEqual({ path: ca.caPath, source: "AWS_CA_BUNDLE" });
    const answer = await tokenRequest(url, createHttpTransport({ caBundle: caBundle! }));
    expect(answer.refreshToken).toBe("rt-new");
    expect(requests()).toBe(1);
  });

  it("with the profile's ca_bundle: the token request succeeds, and AWS_CA_BUNDLE wins over it", async () => {
    const { url } = await httpsTokenServer();
    const fromProfile = resolveCaBundle({}, { name: "dev", caBundle: ca.caPath });
    expect(fromProfile).toEqual({ path: ca.caPath, source: "ca_bundle of profile dev" });
    expect((await tokenRequest(url, createHttpTransport({ caBundle: fromProfile! }))).refreshToken).toBe(
      "rt-new",
    );
    expect(resolveCaBundle({ AWS_CA_BUNDLE: "/env.pem" }, { name: "dev", caBundle: ca.caPath })?.path).toBe(
      "/env.pem",
    );
  });

  it.each([
    ["a missing file", () => join(dir, "missing.pem"), "could not be read (ENOENT)"],
    [
      "a file without certificates",
      () => {
        writeFileSync(join(dir, "empty.pem"), "not a certificate\n");
        return join(dir, "empty.pem");
      },
      "holds no PEM certificate",
    ],
    [
      "a broken certificate",
      () => {
        writeFileSync(
          join(dir, "broken.pem"),
          "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        );
        return join(dir, "broken.pem");
      },
      "cannot be parsed",
    ],
  ])("%s: CA_BUNDLE_INVALID naming the setting and the fix, nothing sent", async (_name, path, detail) => {
    const { url, requests } = await httpsTokenServer();
    const caBundle = { path: path(), source: "AWS_CA_BUNDLE" };
    const failing = tokenRequest(url, createHttpTransport({ caBundle }));
    await expect(failing).rejects.toMatchObject({
      code: "CA_BUNDLE_INVALID",
      message: expect.stringContaining(detail),
    });
    await expect(failing).rejects.toThrow("Point AWS_CA_BUNDLE at a readable PEM file");
    expect(requests()).toBe(0);
  });
});

describe("HTTPS_PROXY, HTTP_PROXY and NO_PROXY (issue 7 §7)", () => {
  let ca: TestCertificateAuthority;
  beforeAll(() => {
    ca = createTestCertificateAuthority();
  });
  afterAll(() => ca.dispose());

  async function tokenServer(): Promise<string> {
    return listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" }).end(TOKEN_BODY);
      }),
      "http",
    );
  }

  it.each(["HTTP_PROXY", "http_proxy"])("%s: an http request goes through the proxy", async (name) => {
    proxy = await startTestProxy();
    const url = await tokenServer();
    const answer = await tokenRequest(url, createHttpTransport({ env: { [name]: proxy.url } }));
    expect(answer.refreshToken).toBe("rt-new");
    expect(proxy.log).toEqual([{ method: "POST", target: `${url}/v1/token` }]);
  });

  it.each(["HTTPS_PROXY", "https_proxy"])(
    "%s: an https request is tunnelled (CONNECT) and still checks the endpoint's certificate",
    async (name) => {
      proxy = await startTestProxy();
      const url = await listen(
        createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
          req.resume();
          res.writeHead(200, { "content-type": "application/json" }).end(TOKEN_BODY);
        }),
        "https",
      );
      const env = { [name]: proxy.url };
      const caBundle = { path: ca.caPath, source: "AWS_CA_BUNDLE" };
      expect((await tokenRequest(url, createHttpTransport({ env, caBundle }))).refreshToken).toBe("rt-new");
      expect(proxy.log).toEqual([{ method: "CONNECT", target: url.replace("https://", "") }]);
      // Through the tunnel too, a certificate no trusted CA signed is refused.
      await expect(tokenRequest(url, createHttpTransport({ env }))).rejects.toMatchObject({
        code: "NETWORK",
        retryable: false,
      });
    },
  );

  it.each([
    ["the host", "127.0.0.1"],
    ["the host and port", (url: string) => url.replace("http://", "")],
    ["lower-case no_proxy", "127.0.0.1"],
  ] as const)("NO_PROXY naming %s: the request goes direct", async (name, entry) => {
    proxy = await startTestProxy();
    const url = await tokenServer();
    const value = typeof entry === "function" ? entry(url) : entry;
    const noProxy = name.startsWith("lower") ? { no_proxy: value } : { NO_PROXY: value };
    const transport = createHttpTransport({ env: { HTTP_PROXY: proxy.url, ...noProxy } });
    expect((await tokenRequest(url, transport)).refreshToken).toBe("rt-new");
    expect(proxy.log).toEqual([]);
  });

  it("no proxy variable: the request goes direct", async () => {
    proxy = await startTestProxy();
    const url = await tokenServer();
    expect((await tokenRequest(url, createHttpTransport({ env: {} }))).refreshToken).toBe("rt-new");
    expect(proxy.log).toEqual([]);
  });
});

/**
 * The shipped `awslogin-credential-process` binary (a real process, its refresh bundle) against hostile or unusual
 * networks, all on 127.0.0.1: a plain-http endpoint beyond loopback (issue 7 §2), an endpoint that streams without
 * end (§4), a private CA through AWS_CA_BUNDLE / ca_bundle and a forward proxy (§7). Whatever would leave the
 * machine is sent through a local logging proxy that forwards only to 127.0.0.1, so a wrong build cannot reach out.
 */
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { formatExpiresAt, parseTokenCache, serializeTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createTestCertificateAuthority,
  startTestProxy,
  type TestCertificateAuthority,
  type TestProxy,
} from "../../../scripts/network-fixtures.mjs";
import { createSandbox, runCredentialProcess, type Sandbox, signIn } from "./helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;
let proxy: TestProxy;
const servers: Server[] = [];
let ca: TestCertificateAuthority;

beforeAll(() => {
  ca = createTestCertificateAuthority();
});
afterAll(() => ca.dispose());

beforeEach(async () => {
  sandbox = createSandbox();
  emulator = await startEmulator({ autoApprove: true });
  proxy = await startTestProxy();
  await signIn(sandbox, emulator, "dev");
});

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
    await once(server, "close");
  }
  await proxy.close();
  await emulator.close();
  sandbox.cleanup();
});

const NEW_KEY = "ASIAHTTPSREFRESHED01";
const TOKEN_ANSWER = JSON.stringify({
  accessToken: {
    accessKeyId: NEW_KEY,
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: `IQoJb3JpZ2luX2VjE${"A".repeat(300)}`,
  },
  tokenType: "aws_sigv4",
  expiresIn: 900,
  refreshToken: "rotated-refresh-token",
});

async function listen(server: Server, scheme: "http" | "https"): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Points the session's recorded endpoint at `endpoint` and moves its expiry to `msFromNow`. */
function editSession(endpoint: string, msFromNow: number): void {
  const path = sandbox.cacheFile(DEFAULT_IDENTITY);
  const record = parseTokenCache(readFileSync(path, "utf8"), path);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msFromNow);
  record.awslogin = { ...record.awslogin, endpoint };
  writeFileSync(path, serializeTokenCache(record));
}

function cachedKey(): string {
  const path = sandbox.cacheFile(DEFAULT_IDENTITY);
  return parseTokenCache(readFileSync(path, "utf8"), path).accessToken.accessKeyId;
}

const EXPIRED = -60_000;
const DUE_BUT_VALID = 120_000;

/** An HTTPS token endpoint whose certificate only the test CA vouches for; counts TLS handshakes that failed. */
async function httpsTokenEndpoint(): Promise<{
  url: string;
  requests: () => number;
  refusedTls: () => number;
}> {
  let requests = 0;
  let refusedTls = 0;
  const server = createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
    requests += 1;
    req.resume();
    res.writeHead(200, { "content-type": "application/json" }).end(TOKEN_ANSWER);
  });
  server.on("tlsClientError", () => {
    refusedTls += 1;
  });
  const url = await listen(server, "https");
  return { url, requests: () => requests, refusedTls: () => refusedTls };
}

describe("plain http beyond loopback (issue 7 §2)", () => {
  it("a recorded http://signin.invalid is refused before anything is sent; exit 1 with INSECURE_ENDPOINT", async () => {
    editSession("http://signin.invalid", EXPIRED);
    const run = await runCredentialProcess(["--profile", "dev"], { ...sandbox.env, HTTP_PROXY: proxy.url });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("[INSECURE_ENDPOINT]");
    expect(run.stderr).toContain("recorded in the cache file at login");
    expect(proxy.log).toEqual([]);
  });

  it("with AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT=1 the refresh goes ahead, with a warning on stderr", async () => {
    editSession("http://signin.invalid", DUE_BUT_VALID);
    const env = { ...sandbox.env, HTTP_PROXY: proxy.url, AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: "1" };
    const run = await runCredentialProcess(["--profile", "dev"], env);
    // The proxy refuses anything but 127.0.0.1: the refresh fails and the still-valid credentials are served.
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /warning: the Sign-In endpoint "http:\/\/signin.invalid" .*plain http.*\[INSECURE_ENDPOINT\]/,
    );
    expect(proxy.log).toEqual([{ method: "POST", target: "http://signin.invalid/v1/token" }]);
  });
});

describe("response bodies are capped (issue 7 §4)", () => {
  async function endlessEndpoint(): Promise<string> {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    return listen(
      createServer((req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" });
        const pump = () => {
          while (!res.destroyed && res.write(chunk)) {}
          if (!res.destroyed) res.once("drain", pump);
        };
        pump();
      }),
      "http",
    );
  }

  // A 24 MB heap: a binary that read the endless body whole would die of a V8 fatal error instead of answering.
  const SMALL_HEAP = { NODE_OPTIONS: "--max-old-space-size=24" };

  it("an endless body with still-valid credentials: they are served, with a BAD_RESPONSE warning", async () => {
    editSession(await endlessEndpoint(), DUE_BUT_VALID);
    const before = cachedKey();
    const run = await runCredentialProcess(["--profile", "dev"], { ...sandbox.env, ...SMALL_HEAP });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ AccessKeyId: before });
    expect(run.stderr).toContain("larger than 64 KiB");
    expect(run.stderr).toContain("[BAD_RESPONSE]");
  });

  it("an endless body with expired credentials: exit 1 with BAD_RESPONSE, the process intact", async () => {
    editSession(await endlessEndpoint(), EXPIRED);
    const run = await runCredentialProcess(["--profile", "dev"], { ...sandbox.env, ...SMALL_HEAP });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[BAD_RESPONSE]");
  });
});

describe("AWS_CA_BUNDLE, ca_bundle and proxies in the binary's refresh (issue 7 §7)", () => {
  it("without the CA: a TLS error, typed and not retried", async () => {
    const endpoint = await httpsTokenEndpoint();
    editSession(endpoint.url, EXPIRED);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("TLS connection");
    expect(run.stderr).toContain("[NETWORK]");
    expect(endpoint.requests()).toBe(0);
    expect(endpoint.refusedTls()).toBe(1);
  });

  it("with AWS_CA_BUNDLE: the refresh succeeds", async () => {
    const endpoint = await httpsTokenEndpoint();
    editSession(endpoint.url, EXPIRED);
    const run = await runCredentialProcess(["--profile", "dev"], {
      ...sandbox.env,
      AWS_CA_BUNDLE: ca.caPath,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ AccessKeyId: NEW_KEY });
    expect(cachedKey()).toBe(NEW_KEY);
  });

  it("with the profile's ca_bundle: the refresh succeeds", async () => {
    const endpoint = await httpsTokenEndpoint();
    editSession(endpoint.url, EXPIRED);
    sandbox.writeConfig(`${readFileSync(sandbox.configPath, "utf8")}ca_bundle = ${ca.caPath}\n`);
    const run = await runCredentialProcess(["--profile", "dev"], sandbox.env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ AccessKeyId: NEW_KEY });
  });

  it("an unreadable AWS_CA_BUNDLE: CA_BUNDLE_INVALID with the fix, nothing sent", async () => {
    const endpoint = await httpsTokenEndpoint();
    editSession(endpoint.url, EXPIRED);
    const missing = `${sandbox.dir}/no-such-ca.pem`;
    const run = await runCredentialProcess(["--profile", "dev"], { ...sandbox.env, AWS_CA_BUNDLE: missing });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("[CA_BUNDLE_INVALID]");
    expect(run.stderr).toContain("Point AWS_CA_BUNDLE at a readable PEM file");
    expect(endpoint.requests() + endpoint.refusedTls()).toBe(0);
  });

  it("HTTPS_PROXY: the refresh is tunnelled through the proxy (CONNECT) and succeeds", async () => {
    const endpoint = await httpsTokenEndpoint();
    editSession(endpoint.url, EXPIRED);
    const env = { ...sandbox.env, AWS_CA_BUNDLE: ca.caPath, HTTPS_PROXY: proxy.url };
    const run = await runCredentialProcess(["--profile", "dev"], env);
    expect(run.code, run.stderr).toBe(0);
    expect(proxy.log).toEqual([{ method: "CONNECT", target: endpoint.url.replace("https://", "") }]);
  });

  it("HTTP_PROXY: a refresh against the emulator goes through the proxy; NO_PROXY=127.0.0.1 sends it direct", async () => {
    editSession(emulator.url, EXPIRED);
    const proxied = await runCredentialProcess(["--profile", "dev"], {
      ...sandbox.env,
      http_proxy: proxy.url,
    });
    expect(proxied.code, proxied.stderr).toBe(0);
    expect(proxy.log).toEqual([{ method: "POST", target: `${emulator.url}/v1/token` }]);

    editSession(emulator.url, EXPIRED);
    const direct = await runCredentialProcess(["--profile", "dev"], {
      ...sandbox.env,
      HTTP_PROXY: proxy.url,
      NO_PROXY: "localhost,127.0.0.1",
    });
    expect(direct.code, direct.stderr).toBe(0);
    expect(proxy.log).toHaveLength(1);
    expect(emulator.stats().tokenRequests.refresh_token).toBe(2);
  });
});

/**
 * `fromLoginCredentials` against hostile or unusual networks, all on 127.0.0.1: a plain-http endpoint beyond
 * loopback (issue 7 §2, warned through the logger), an endpoint that streams without end (§4), a private CA and a
 * forward proxy (§7). Whatever would leave the machine goes to a local logging proxy that forwards only to 127.0.0.1.
 */
import { once } from "node:events";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { formatExpiresAt, parseTokenCache } from "@awslogin/core";
import { DEFAULT_IDENTITY, type Emulator, startEmulator } from "@awslogin/emulator";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  createTestCertificateAuthority,
  startTestProxy,
  type TestCertificateAuthority,
  type TestProxy,
} from "../../../scripts/network-fixtures.mjs";
import { fromLoginCredentials } from "../src/index.js";
import { createSandbox, recordingLogger, type Sandbox, signIn } from "./helpers.js";

let emulator: Emulator;
let sandbox: Sandbox;
let proxy: TestProxy;
let ca: TestCertificateAuthority;
const servers: Server[] = [];

beforeAll(() => {
  ca = createTestCertificateAuthority();
});
afterAll(() => ca.dispose());

beforeEach(async () => {
  sandbox = createSandbox();
  sandbox.activate({ AWS_ENDPOINT_URL: "http://127.0.0.1:9" });
  emulator = await startEmulator({ autoApprove: true });
  proxy = await startTestProxy();
  await signIn(emulator, sandbox, { profile: "dev" });
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

const NEW_KEY = "ASIAPROVIDERHTTPS001";

async function listen(server: Server, scheme: "http" | "https"): Promise<string> {
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function editSession(endpoint: string, msFromNow: number): void {
  const path = sandbox.cachePath(DEFAULT_IDENTITY);
  const record = parseTokenCache(readFileSync(path, "utf8"), path);
  record.accessToken.expiresAt = formatExpiresAt(Date.now() + msFromNow);
  record.awslogin = { ...record.awslogin, endpoint };
  writeFileSync(path, JSON.stringify(record));
}

const EXPIRED = -60_000;
const DUE_BUT_VALID = 120_000;

async function httpsTokenEndpoint(): Promise<string> {
  return listen(
    createHttpsServer({ key: ca.key, cert: ca.cert }, (req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({
          accessToken: {
            accessKeyId: NEW_KEY,
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            sessionToken: `IQoJb3JpZ2luX2VjE${"A".repeat(300)}`,
          },
          tokenType: "aws_sigv4",
          expiresIn: 900,
          refreshToken: "rotated-refresh-token",
        }),
      );
    }),
    "https",
  );
}

describe("plain http beyond loopback through the provider (issue 7 §2)", () => {
  it("is refused before anything is sent", async () => {
    process.env.HTTP_PROXY = proxy.url;
    editSession("http://signin.invalid", EXPIRED);
    await expect(fromLoginCredentials({ profile: "dev" })()).rejects.toMatchObject({
      code: "INSECURE_ENDPOINT",
      tryNextLink: false,
    });
    expect(proxy.log).toEqual([]);
  });

  it("with the opt-in, the refresh goes ahead and is warned about through logger.warn", async () => {
    Object.assign(process.env, { HTTP_PROXY: proxy.url, AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: "1" });
    editSession("http://signin.invalid", DUE_BUT_VALID);
    const { logger, warnings } = recordingLogger();
    await fromLoginCredentials({ profile: "dev", logger })();
    expect(
      warnings.some((w) => /"http:\/\/signin\.invalid".*plain http.*\[INSECURE_ENDPOINT\]/.test(w)),
    ).toBe(true);
    expect(proxy.log).toEqual([{ method: "POST", target: "http://signin.invalid/v1/token" }]);
  });
});

describe("response bodies are capped in the provider (issue 7 §4)", () => {
  it("an endless body with still-valid credentials: they are served, with a BAD_RESPONSE warning", async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const url = await listen(
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
    editSession(url, DUE_BUT_VALID);
    const before = parseTokenCache(readFileSync(sandbox.cachePath(DEFAULT_IDENTITY), "utf8"), "cache")
      .accessToken.accessKeyId;
    const { logger, warnings } = recordingLogger();
    const identity = await fromLoginCredentials({ profile: "dev", logger })();
    expect(identity.accessKeyId).toBe(before);
    expect(warnings.some((w) => w.includes("larger than 64 KiB") && w.includes("[BAD_RESPONSE]"))).toBe(true);
  });
});

describe("AWS_CA_BUNDLE, ca_bundle and HTTPS_PROXY in the provider (issue 7 §7)", () => {
  it("without the CA the refresh fails with a TLS NETWORK error; AWS_CA_BUNDLE makes it work", async () => {
    editSession(await httpsTokenEndpoint(), EXPIRED);
    await expect(fromLoginCredentials({ profile: "dev" })()).rejects.toMatchObject({
      code: "NETWORK",
      message: expect.stringContaining("TLS"),
    });
    process.env.AWS_CA_BUNDLE = ca.caPath;
    expect((await fromLoginCredentials({ profile: "dev" })()).accessKeyId).toBe(NEW_KEY);
  });

  it("the profile's ca_bundle works, through HTTPS_PROXY (CONNECT)", async () => {
    const url = await httpsTokenEndpoint();
    editSession(url, EXPIRED);
    writeFileSync(
      sandbox.configPath,
      `${readFileSync(sandbox.configPath, "utf8")}ca_bundle = ${ca.caPath}\n`,
    );
    process.env.HTTPS_PROXY = proxy.url;
    expect((await fromLoginCredentials({ profile: "dev" })()).accessKeyId).toBe(NEW_KEY);
    expect(proxy.log).toEqual([{ method: "CONNECT", target: url.replace("https://", "") }]);
  });
});

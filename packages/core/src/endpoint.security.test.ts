/**
 * Issue 7 §2 (no tokens in clear) and §6 (endpoint URLs in errors): plain http only to loopback unless opted in,
 * the refusal before any request, redacted URLs and the real source of a bad value. The refused host is always
 * `signin.invalid` (never resolves); the transports here are in-memory and record what would have been sent.
 */
import { describe, expect, it } from "vitest";
import { parseConfigFile } from "./config.js";
import { exportDpopKeyPem, generateDpopKey } from "./dpop.js";
import {
  ALLOW_INSECURE_HTTP_ENV,
  isLoopbackHost,
  redactUrl,
  resolveSignInEndpoint,
  signInEndpointEnv,
} from "./endpoint.js";
import { AwsLoginError } from "./errors.js";
import type { HttpRequest } from "./ports.js";
import { getFreshToken, type RefreshDeps, refreshTokenUrl } from "./refresh.js";
import { createFakeClock } from "./testing/fake-clock.js";
import { seededRandom } from "./testing/seeded-random.js";
import type { TokenCacheRecord } from "./token-cache.js";

const NOW = Date.UTC(2025, 10, 19, 12, 0, 0);
const SECRET = "planted-secret-value";
/** An error whose message does not repeat the planted secret. */
const withoutSecret = expect.objectContaining({ message: expect.not.stringContaining(SECRET) });

describe("plain http only to loopback (issue 7 §2)", () => {
  it.each([
    ["--endpoint-url", { endpointUrl: "http://signin.invalid" }],
    ["AWS_ENDPOINT_URL_SIGNIN", { env: { AWS_ENDPOINT_URL_SIGNIN: "http://signin.invalid/" } }],
    ["AWS_ENDPOINT_URL", { env: { AWS_ENDPOINT_URL: "http://signin.invalid:8080" } }],
  ])("refuses http://signin.invalid from %s with INSECURE_ENDPOINT naming it", (where, args) => {
    const resolve = () => resolveSignInEndpoint({ region: "us-east-1", ...args });
    expect(resolve).toThrow(expect.objectContaining({ code: "INSECURE_ENDPOINT" }));
    expect(resolve).toThrow(`(${where})`);
    expect(resolve).toThrow(ALLOW_INSECURE_HTTP_ENV);
    expect(resolve).toThrow("https://");
  });

  it.each([
    "http://127.0.0.1:9000",
    "http://127.255.0.7",
    "http://0x7f.1:80", // the URL parser spells it 127.0.0.1
    "http://localhost:4566",
    "http://LOCALHOST",
    "http://[::1]:4000",
    "https://signin.invalid",
  ])("allows %s without any opt-in and without a warning", (endpointUrl) => {
    const endpoint = resolveSignInEndpoint({ region: "us-east-1", endpointUrl });
    expect(endpoint.insecureHttp).toBeUndefined();
  });

  it.each([
    "http://127.0.0.1.signin.invalid",
    "http://localhost.signin.invalid",
    "http://signin.invalid#@127.0.0.1",
  ])("refuses the loopback look-alike %s", (endpointUrl) => {
    expect(() => resolveSignInEndpoint({ region: "us-east-1", endpointUrl })).toThrow(AwsLoginError);
  });

  it("isLoopbackHost takes only 127.0.0.0/8, ::1 and localhost", () => {
    expect(["127.0.0.1", "127.9.9.9", "[::1]", "localhost"].every(isLoopbackHost)).toBe(true);
    expect(
      ["128.0.0.1", "signin.invalid", "localhost.invalid", "[::2]", "1127.0.0.1"].some(isLoopbackHost),
    ).toBe(false);
  });

  it.each([
    ["the environment (1)", { env: { [ALLOW_INSECURE_HTTP_ENV]: "1" } }],
    ["the environment (true)", { env: { [ALLOW_INSECURE_HTTP_ENV]: "TRUE" } }],
    ["the login flag", { allowInsecureHttp: true }],
  ])("the opt-in through %s allows it and marks it for a warning", (_how, args) => {
    const endpoint = resolveSignInEndpoint({
      region: "us-east-1",
      endpointUrl: "http://signin.invalid",
      ...args,
    });
    expect(endpoint).toMatchObject({ tokenUrl: "http://signin.invalid/v1/token", insecureHttp: true });
  });

  it("an opt-in of 0 or empty is no opt-in", () => {
    for (const value of ["0", "", "no"]) {
      const env = { [ALLOW_INSECURE_HTTP_ENV]: value };
      expect(() =>
        resolveSignInEndpoint({ region: "us-east-1", endpointUrl: "http://signin.invalid", env }),
      ).toThrow(/INSECURE|plain http/);
    }
  });

  it("signInEndpointEnv carries the opt-in with the endpoint variables", () => {
    expect(signInEndpointEnv({ [ALLOW_INSECURE_HTTP_ENV]: "1", OTHER: "x" })).toEqual({
      AWS_ENDPOINT_URL_SIGNIN: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT: "1",
    });
  });
});

function record(endpoint: string | undefined, expiresAt: string): TokenCacheRecord {
  return {
    accessToken: {
      accessKeyId: "ASIAOLD",
      secretAccessKey: "old-secret",
      sessionToken: "old-session",
      accountId: "012345678901",
      expiresAt,
    },
    tokenType: "aws_sigv4",
    clientId: "arn:aws:signin:::devtools/same-device",
    refreshToken: "refresh-1",
    idToken: "h.p.s",
    dpopKey: exportDpopKeyPem(generateDpopKey(seededRandom("endpoint.security"))),
    signInRegion: "us-east-1",
    awslogin: {
      sessionStartedAt: "2025-11-19T08:00:00.000Z",
      ...(endpoint === undefined ? {} : { endpoint }),
    },
  };
}

function deps(initial: TokenCacheRecord): { deps: RefreshDeps; requests: HttpRequest[] } {
  let stored = structuredClone(initial);
  const requests: HttpRequest[] = [];
  return {
    requests,
    deps: {
      clock: createFakeClock(NOW),
      random: { bytes: (n) => new Uint8Array(n).fill(7) },
      transport: {
        send: async (request) => {
          requests.push(request);
          return {
            status: 200,
            headers: { "content-type": "application/json" },
            body: JSON.stringify({
              accessToken: {
                accessKeyId: "ASIANEW",
                secretAccessKey: "new-secret",
                sessionToken: "new-session",
              },
              tokenType: "aws_sigv4",
              expiresIn: 900,
              refreshToken: "refresh-2",
            }),
          };
        },
      },
      store: {
        directory: "/cache",
        pathFor: () => "/cache/x.json",
        read: async () => structuredClone(stored),
        write: async (_session, next) => {
          stored = structuredClone(next);
        },
        remove: async () => false,
        list: async () => [],
      },
      lock: async () => async () => undefined,
    },
  };
}

const EXPIRED = "2025-11-19T11:00:00Z";
const DUE_BUT_VALID = "2025-11-19T12:02:00Z";

describe("a recorded http endpoint beyond loopback at refresh time (issue 7 §2)", () => {
  it("is refused before any request; expired credentials end in INSECURE_ENDPOINT", async () => {
    const { deps: d, requests } = deps(record("http://signin.invalid", EXPIRED));
    const error = await getFreshToken(d, { loginSession: "s" }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "INSECURE_ENDPOINT" });
    expect((error as Error).message).toContain("recorded in the cache file at login");
    expect((error as Error).message).toContain("Sign in again with an https:// endpoint");
    expect(error).toMatchObject({ remedy: { kind: "sign-in" } });
    expect(requests).toEqual([]);
  });

  it("still-valid credentials are served, with the refusal as the warning, and nothing is sent", async () => {
    const { deps: d, requests } = deps(record("http://signin.invalid", DUE_BUT_VALID));
    const fresh = await getFreshToken(d, { loginSession: "s" });
    expect(fresh.record.accessToken.accessKeyId).toBe("ASIAOLD");
    expect(fresh.warning?.code).toBe("INSECURE_ENDPOINT");
    expect(requests).toEqual([]);
  });

  it("with the opt-in, every refresh goes ahead and warns", async () => {
    const { deps: d, requests } = deps(record("http://signin.invalid", EXPIRED));
    const warnings: AwsLoginError[] = [];
    const env = { [ALLOW_INSECURE_HTTP_ENV]: "1" };
    for (let i = 0; i < 2; i++) {
      await getFreshToken(d, { loginSession: "s", env, force: true, onWarning: (w) => warnings.push(w) });
    }
    expect(requests.map((r) => r.url)).toEqual([
      "http://signin.invalid/v1/token",
      "http://signin.invalid/v1/token",
    ]);
    expect(warnings.map((w) => w.code)).toEqual(["INSECURE_ENDPOINT", "INSECURE_ENDPOINT"]);
    expect(warnings[0]?.message).toContain("plain http");
  });

  it("a recorded loopback endpoint refreshes without a warning", async () => {
    const { deps: d, requests } = deps(record("http://127.0.0.1:9", EXPIRED));
    const warnings: AwsLoginError[] = [];
    await getFreshToken(d, { loginSession: "s", onWarning: (w) => warnings.push(w) });
    expect(requests).toHaveLength(1);
    expect(warnings).toEqual([]);
  });
});

describe("endpoint URLs in errors are redacted and name their real source (issue 7 §6)", () => {
  const planted = [
    `https://signin.invalid/?token=${SECRET}`,
    `https://signin.invalid/#${SECRET}`,
    `https://user:${SECRET}@signin.invalid/`,
    `not a url ?token=${SECRET}`,
    `ftp://signin.invalid/?token=${SECRET}`,
  ];

  it.each(planted)("never prints the secret of %s", (value) => {
    for (const args of [
      { endpointUrl: value },
      { env: { AWS_ENDPOINT_URL_SIGNIN: value } },
      { env: { AWS_ENDPOINT_URL: value } },
    ]) {
      expect(() => resolveSignInEndpoint({ region: "us-east-1", ...args })).toThrow(withoutSecret);
    }
    expect(() => refreshTokenUrl(record(value, EXPIRED), {})).toThrow(withoutSecret);
  });

  it("redactUrl keeps scheme, host, port and path only", () => {
    expect(redactUrl(`https://u:p@signin.invalid:8443/a/b?token=${SECRET}#frag`)).toBe(
      '"https://signin.invalid:8443/a/b"',
    );
    expect(redactUrl("nope")).toBe('"nope"');
    expect(redactUrl(`x@y?${SECRET}`)).not.toContain("x@y");
  });

  it("a bad recorded endpoint is CACHE_MALFORMED (exit 1), blaming the cache file, not --endpoint-url", () => {
    const resolve = () => refreshTokenUrl(record(`https://signin.invalid/?token=${SECRET}`, EXPIRED), {});
    expect(resolve).toThrow(
      expect.objectContaining({
        code: "CACHE_MALFORMED",
        message: expect.stringContaining("recorded in the cache file at login"),
      }),
    );
    expect(resolve).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("--endpoint-url") }),
    );
  });

  it.each([
    ["AWS_ENDPOINT_URL_SIGNIN", { env: { AWS_ENDPOINT_URL_SIGNIN: "nope" } }, "INVALID_ARGUMENT"],
    ["clientConfig.endpoint", { endpointUrl: "nope" }, "INVALID_ARGUMENT"],
  ] as const)("a bad %s at refresh time is blamed on it", (where, options, code) => {
    const resolve = () => refreshTokenUrl(record(undefined, EXPIRED), options);
    expect(resolve).toThrow(expect.objectContaining({ code, message: expect.stringContaining(where) }));
    expect(resolve).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("--endpoint-url") }),
    );
  });

  it("a bad AWS_ENDPOINT_URL for a record of the official tools is blamed on AWS_ENDPOINT_URL", () => {
    const { awslogin: _ours, ...foreign } = record(undefined, EXPIRED);
    expect(() =>
      refreshTokenUrl(foreign as TokenCacheRecord, { env: { AWS_ENDPOINT_URL: "http://signin.invalid" } }),
    ).toThrow(
      expect.objectContaining({
        code: "INSECURE_ENDPOINT",
        message: expect.stringContaining("(AWS_ENDPOINT_URL)"),
      }),
    );
  });
});

describe("an endpoint from the config file's services section (issue 9 §1)", () => {
  /** A record as the AWS CLI writes it: no awslogin object, so the configured endpoints all apply. */
  const officialRecord = (): TokenCacheRecord => {
    const { awslogin: _, ...rest } = record(undefined, "2025-11-19T12:30:00Z");
    return rest;
  };
  /** The refresh target a record of the official tools gets with this config file. */
  const refreshTarget = (configText: string, env: Record<string, string> = {}) =>
    refreshTokenUrl(officialRecord(), {
      settings: { options: { profile: "dev" }, env, config: parseConfigFile(configText) },
    });
  const services = (url: string) =>
    `[profile dev]\nregion = us-east-1\nservices = local\n[services local]\nsignin =\n  endpoint_url = ${url}\n`;

  it("sends the refresh to the services section's endpoint", () => {
    expect(refreshTarget(services("http://127.0.0.1:4566"))).toBe("http://127.0.0.1:4566/v1/token");
  });

  it("refuses plain http beyond loopback from it, naming the setting", () => {
    const run = () => refreshTarget(services("http://signin.invalid"));
    expect(run).toThrow(expect.objectContaining({ code: "INSECURE_ENDPOINT" }));
    expect(run).toThrow("services section");
  });

  it.each([
    ["user info", `https://user:${SECRET}@signin.invalid`],
    ["a query", `https://signin.invalid/?token=${SECRET}`],
    ["no URL at all", "not a url"],
    ["more than 2048 characters", `https://signin.invalid/${SECRET}${"a".repeat(2100)}`],
  ])("refuses one with %s as CONFIG_MALFORMED, without echoing it", (_, url) => {
    const run = () => refreshTarget(services(url));
    expect(run).toThrow(expect.objectContaining({ code: "CONFIG_MALFORMED" }));
    expect(run).toThrow(withoutSecret);
    expect(run).toThrow("config file");
  });

  it("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS sends the refresh to the public endpoint instead", () => {
    expect(
      refreshTarget(services("http://127.0.0.1:4566"), { AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }),
    ).toBe("https://us-east-1.signin.aws.amazon.com/v1/token");
  });
});

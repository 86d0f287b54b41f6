import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_PATTERNS, type CredentialKind } from "./credential-format.js";
import {
  applyRefreshedToken,
  createTokenCacheRecord,
  expiresAtMs,
  formatExpiresAt,
  idTokenOf,
  isLoginTokenShaped,
  loginCacheKey,
  parseTokenCache,
  resolveLoginCacheDirectory,
  serializeTokenCache,
  type TokenCacheRecord,
} from "./token-cache.js";

const PATH = "/home/u/.aws/login/cache/x.json";
const PEM = "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIHjt7c+VnkIkN6RW7QgZ\n-----END EC PRIVATE KEY-----\n";

/** A file as `aws login` writes it (docs/protocol.md §6). */
const CLI_FILE =
  '{"accessToken": {"accessKeyId": "ASIAEXAMPLE", "secretAccessKey": "secret/key+1", "sessionToken": "session-token", ' +
  '"accountId": "012345678901", "expiresAt": "2025-09-01T18:39:33Z"}, "tokenType": "aws_sigv4", ' +
  '"clientId": "arn:aws:signin:::devtools/same-device", "refreshToken": "refresh-token", "idToken": "h.p.s", ' +
  '"dpopKey": "-----BEGIN EC PRIVATE KEY-----\\nMHcCAQEEIHjt7c+VnkIkN6RW7QgZ\\n-----END EC PRIVATE KEY-----\\n"}';

function cliRecord(): Record<string, unknown> {
  return JSON.parse(CLI_FILE) as Record<string, unknown>;
}

describe("loginCacheKey (docs/protocol.md §12.1)", () => {
  it.each([
    [
      "arn:aws:iam::0123456789012:user/Admin",
      "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726",
    ],
    [
      "arn:aws:iam::000000000000:user/PowerUser",
      "d19c78f768c6a12874de5f41d7f22cbb834ba205704102da0db20d8496efecb5",
    ],
    [
      "arn:aws:sts::012345678910:assumed-role/Admin/admin",
      "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255",
    ],
    [
      "arn:aws:sts::012345678901:assumed-role/Login/foo",
      "dc20b77cf4a41221fdcca546aac37c90023c4604971fcdd6df3ed8cec002a312",
    ],
  ])("%s", (session, key) => {
    expect(loginCacheKey(session)).toBe(key);
  });

  it("does not trim, as the CLI (unlike Rust/Go) does not", () => {
    expect(loginCacheKey(" arn:aws:iam::0123456789012:user/Admin ")).toBe(
      "3af6ad76990258ff875a5192b4f1c4521702f5e769e08a8d2122ca994b02b9a2",
    );
  });
});

describe("resolveLoginCacheDirectory (docs/protocol.md §6)", () => {
  const homeDir = "/home/u";
  it("defaults to ~/.aws/login/cache", () => {
    expect(resolveLoginCacheDirectory({ env: {}, homeDir })).toBe("/home/u/.aws/login/cache");
    expect(resolveLoginCacheDirectory({ env: { AWS_LOGIN_CACHE_DIRECTORY: "" }, homeDir })).toBe(
      "/home/u/.aws/login/cache",
    );
  });
  it("expands a leading ~ like expanduser", () => {
    const resolve = (dir: string) =>
      resolveLoginCacheDirectory({ env: { AWS_LOGIN_CACHE_DIRECTORY: dir }, homeDir });
    expect(resolve("~/c")).toBe("/home/u/c");
    expect(resolve("~")).toBe("/home/u");
    expect(resolve("~other/c")).toBe("~other/c");
    expect(resolve("/abs/~/c")).toBe("/abs/~/c");
    expect(resolveLoginCacheDirectory({ env: { AWS_LOGIN_CACHE_DIRECTORY: "~/c" }, homeDir: "/" })).toBe(
      "/c",
    );
  });
  it("expands $NAME and braced names like expandvars, leaving unset ones as written", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal ${VAR} is the input under test
    const env = { AWS_LOGIN_CACHE_DIRECTORY: "$BASE/${SUB}/$UNSET/${}/$", BASE: "/data", SUB: "login" };
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the unexpanded ${} stays as written
    expect(resolveLoginCacheDirectory({ env, homeDir })).toBe("/data/login/$UNSET/${}/$");
    expect(
      resolveLoginCacheDirectory({ env: { AWS_LOGIN_CACHE_DIRECTORY: "$H/x", H: "~/tokens" }, homeDir }),
    ).toBe("/home/u/tokens/x");
  });
});

describe("parseTokenCache", () => {
  it("reads the AWS CLI's file", () => {
    const record = parseTokenCache(CLI_FILE, PATH);
    expect(record.accessToken.accountId).toBe("012345678901");
    expect(record.clientId).toBe("arn:aws:signin:::devtools/same-device");
    expect(idTokenOf(record)).toBe("h.p.s");
    expect(expiresAtMs(record)).toBe(Date.UTC(2025, 8, 1, 18, 39, 33));
  });

  it("reads a file written by the JS SDK (2-space indent, .000Z, signInRegion)", () => {
    const text = JSON.stringify(
      {
        ...cliRecord(),
        accessToken: { ...(cliRecord().accessToken as object), expiresAt: "2025-11-19T00:15:00.000Z" },
        signInRegion: "eu-west-1",
      },
      null,
      2,
    );
    const record = parseTokenCache(text, PATH);
    expect(expiresAtMs(record)).toBe(Date.UTC(2025, 10, 19, 0, 15, 0));
    expect(record.signInRegion).toBe("eu-west-1");
  });

  it("reads a file written by the Go/Java SDKs (identityToken, RFC3339Nano)", () => {
    const text = JSON.stringify({
      accessToken: {
        accessKeyId: "ASIA",
        secretAccessKey: "s",
        sessionToken: "t",
        accountId: "012345678901",
        expiresAt: "2025-11-19T00:15:00.123456789Z",
      },
      tokenType: "aws_sigv4",
      clientId: "arn:aws:signin:::devtools/same-device",
      refreshToken: "r",
      identityToken: "i.d.t",
      dpopKey: PEM,
    });
    const record = parseTokenCache(text, PATH);
    expect(idTokenOf(record)).toBe("i.d.t");
    expect(expiresAtMs(record)).toBe(Date.UTC(2025, 10, 19, 0, 15, 0, 123));
  });

  it.each([
    ["2025-11-19T00:15:00Z", Date.UTC(2025, 10, 19, 0, 15)],
    ["2025-11-19T00:15:00.000Z", Date.UTC(2025, 10, 19, 0, 15)],
    ["2025-11-19T00:15:00+00:00", Date.UTC(2025, 10, 19, 0, 15)],
    ["2025-11-19T01:15:00+01:00", Date.UTC(2025, 10, 19, 0, 15)],
    ["2025-11-18T19:45:00.5-04:30", Date.UTC(2025, 10, 19, 0, 15, 0, 500)],
    ["2025-11-19t00:15:00z", Date.UTC(2025, 10, 19, 0, 15)],
    ["2024-02-29T00:00:00Z", Date.UTC(2024, 1, 29)],
    ["0050-01-01T00:00:00Z", new Date("0050-01-01T00:00:00.000Z").getTime()],
  ])("accepts RFC 3339 expiresAt %s", (expiresAt, ms) => {
    const text = JSON.stringify({
      ...cliRecord(),
      accessToken: { ...(cliRecord().accessToken as object), expiresAt },
    });
    expect(expiresAtMs(parseTokenCache(text, PATH))).toBe(ms);
  });

  it.each([
    "2025-11-19",
    "2025-11-19T00:15:00",
    "2025-02-30T00:00:00Z",
    "2025-13-01T00:00:00Z",
    "2025-11-19T24:00:00Z",
    "2025-11-19T00:15:00+0100",
    "1763511300",
    "tomorrow",
  ])("rejects expiresAt %s", (expiresAt) => {
    const text = JSON.stringify({
      ...cliRecord(),
      accessToken: { ...(cliRecord().accessToken as object), expiresAt },
    });
    expect(() => parseTokenCache(text, PATH)).toThrow(
      expect.objectContaining({
        code: "CACHE_MALFORMED",
        message: expect.stringContaining("accessToken.expiresAt is not an RFC 3339 timestamp"),
      }),
    );
  });

  it.each([
    ["accessToken", []],
    ["accessKeyId", ["accessToken"]],
    ["secretAccessKey", ["accessToken"]],
    ["sessionToken", ["accessToken"]],
    ["accountId", ["accessToken"]],
    ["expiresAt", ["accessToken"]],
    ["clientId", []],
    ["refreshToken", []],
    ["dpopKey", []],
  ])("a file without %s is CACHE_MALFORMED naming it (docs/protocol.md §12.2 c–f)", (field, parent) => {
    const json = cliRecord();
    const holder = (parent.length === 0 ? json : json.accessToken) as Record<string, unknown>;
    delete holder[field];
    const call = () => parseTokenCache(JSON.stringify(json), PATH);
    expect(call).toThrow(
      expect.objectContaining({ code: "CACHE_MALFORMED", path: PATH, remedy: { kind: "sign-in" } }),
    );
    expect(call).toThrow(PATH);
    expect(call).toThrow(`lacks ${[...parent, field].join(".")}`);
    expect(call).toThrow("Sign in again.");
    for (const secret of ["secret/key+1", "session-token", "refresh-token", "MHcCAQEE"]) {
      expect(call).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
    }
  });

  it("names every missing field at once", () => {
    expect(() => parseTokenCache('{"accessToken": {"accessKeyId": "A"}, "clientId": "c"}', PATH)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(
          "lacks accessToken.secretAccessKey, accessToken.sessionToken, accessToken.accountId, accessToken.expiresAt, refreshToken, dpopKey",
        ),
      }),
    );
  });

  it("reports wrong types and empty values without their values", () => {
    const json = { ...cliRecord(), refreshToken: "", dpopKey: 42, accessToken: "secret/key+1" };
    const call = () => parseTokenCache(JSON.stringify(json), PATH);
    expect(call).toThrow(
      expect.objectContaining({
        code: "CACHE_MALFORMED",
        message: expect.stringContaining("accessToken is not an object"),
      }),
    );
    expect(call).toThrow("refreshToken is empty");
    expect(call).toThrow("dpopKey is not a string");
    expect(call).toThrow(expect.objectContaining({ message: expect.not.stringContaining("secret/key+1") }));
  });

  it.each([
    ["truncated JSON", CLI_FILE.slice(0, 120), "is not valid JSON"],
    ["an empty file", "", "is empty"],
    ["a JSON array", "[]", "does not hold a JSON object"],
    ["JSON null", "null", "does not hold a JSON object"],
  ])("%s is CACHE_MALFORMED", (_name, text, problem) => {
    const call = () => parseTokenCache(text, PATH);
    expect(call).toThrow(
      expect.objectContaining({ code: "CACHE_MALFORMED", message: expect.stringContaining(problem) }),
    );
    expect(call).toThrow(expect.objectContaining({ message: expect.not.stringContaining("ASIAEXAMPLE") }));
  });

  it("keeps unknown keys at the top level and inside accessToken, in file order", () => {
    const json = {
      zeta: { nested: [1, { deep: true }] },
      ...cliRecord(),
      accessToken: { foreign: "x", ...(cliRecord().accessToken as object) },
      awslogin: { sessionStartedAt: "2025-11-19T00:00:00.000Z", future: 1 },
    };
    const record = parseTokenCache(JSON.stringify(json), PATH);
    expect(record.zeta).toEqual({ nested: [1, { deep: true }] });
    expect(record.accessToken.foreign).toBe("x");
    expect(record.awslogin?.future).toBe(1);
    expect(Object.keys(record)[0]).toBe("zeta");
  });

  it("tolerates null for optional fields some writers may emit", () => {
    const record = parseTokenCache(
      JSON.stringify({ ...cliRecord(), idToken: null, identityToken: "x.y.z" }),
      PATH,
    );
    expect(idTokenOf(record)).toBe("x.y.z");
  });
});

describe("formatExpiresAt", () => {
  it("writes seconds precision with Z, truncating the fraction like the CLI", () => {
    expect(formatExpiresAt(Date.UTC(2025, 10, 19, 0, 15, 0, 999))).toBe("2025-11-19T00:15:00Z");
    expect(formatExpiresAt(Date.UTC(2025, 0, 2, 3, 4, 5))).toBe("2025-01-02T03:04:05Z");
  });
  it("rejects a non-finite time", () => {
    expect(() => formatExpiresAt(Number.NaN)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("serializeTokenCache", () => {
  it("writes the AWS CLI's bytes for the CLI's file", () => {
    expect(serializeTokenCache(parseTokenCache(CLI_FILE, PATH))).toBe(CLI_FILE);
  });

  it("matches Python json.dumps byte for byte: key order, separators, ensure_ascii escaping", () => {
    const record = {
      signInRegion: "us-west-2",
      dpopKey: "K\n",
      identityToken: "i.d",
      refreshToken: 'r"\\/',
      clientId: "c",
      accessToken: {
        extra: [1, 2.5, 1e-5, -0.0001, 1.5e-7, true, null, {}, []],
        expiresAt: "2025-11-19T00:15:00Z",
        accountId: "012345678901",
        sessionToken: "é😀\u007f\u0001\t\b\f\r",
        secretAccessKey: "s",
        accessKeyId: "A",
      },
      tokenType: "aws_sigv4",
      awslogin: { sessionStartedAt: "2025-11-19T00:00:00.000Z", endpoint: "http://127.0.0.1:9000" },
    } as unknown as TokenCacheRecord;
    // Built by hand from Python 3's json.dumps rules.
    const expected =
      '{"accessToken": {"accessKeyId": "A", "secretAccessKey": "s", ' +
      '"sessionToken": "\\u00e9\\ud83d\\ude00\\u007f\\u0001\\t\\b\\f\\r", "accountId": "012345678901", ' +
      '"expiresAt": "2025-11-19T00:15:00Z", "extra": [1, 2.5, 1e-05, -0.0001, 1.5e-07, true, null, {}, []]}, ' +
      '"tokenType": "aws_sigv4", "clientId": "c", "refreshToken": "r\\"\\\\/", "idToken": "i.d", "dpopKey": "K\\n", ' +
      '"signInRegion": "us-west-2", "identityToken": "i.d", ' +
      '"awslogin": {"sessionStartedAt": "2025-11-19T00:00:00.000Z", "endpoint": "http://127.0.0.1:9000"}}';
    expect(serializeTokenCache(record)).toBe(expected);
  });

  it("writes idToken beside identityToken for a Go/Java file and keeps unknown keys", () => {
    const text = JSON.stringify({
      ...cliRecord(),
      idToken: undefined,
      identityToken: "i.d.t",
      vendor: { a: 1 },
      accessToken: { ...(cliRecord().accessToken as object), expiration: "x" },
    });
    const out = JSON.parse(serializeTokenCache(parseTokenCache(text, PATH))) as Record<string, unknown>;
    expect(out.idToken).toBe("i.d.t");
    expect(out.identityToken).toBe("i.d.t");
    expect(out.vendor).toEqual({ a: 1 });
    expect((out.accessToken as Record<string, unknown>).expiration).toBe("x");
    expect(Object.keys(out)).toEqual([
      "accessToken",
      "tokenType",
      "clientId",
      "refreshToken",
      "idToken",
      "dpopKey",
      "identityToken",
      "vendor",
    ]);
  });

  it("re-writes a JS SDK file in the CLI's single-line form with the same content", () => {
    const pretty = JSON.stringify({ ...cliRecord(), signInRegion: "eu-west-1" }, null, 2);
    const text = serializeTokenCache(parseTokenCache(pretty, PATH));
    expect(text).not.toContain("\n");
    expect(JSON.parse(text)).toEqual(JSON.parse(pretty));
  });
});

describe("createTokenCacheRecord (docs/protocol.md §12.3)", () => {
  const tokenResponse = {
    accessToken: { accessKeyId: "access_key", secretAccessKey: "secret_key", sessionToken: "session_token" },
    tokenType: "aws_sigv4",
    idToken: "h.p.s",
    refreshToken: "refresh_token",
    expiresIn: 3600,
  };
  const now = Date.UTC(2025, 8, 1, 17, 39, 33);

  it("builds what aws login writes, plus awslogin's metadata", () => {
    const record = createTokenCacheRecord({
      tokenResponse,
      loginSession: "arn:aws:sts::012345678901:assumed-role/Admin/admin",
      accountId: "012345678901",
      clientId: "arn:aws:signin:::devtools/same-device",
      dpopKeyPem: PEM,
      now,
      signInRegion: "us-east-1",
      endpoint: "http://127.0.0.1:9000",
    });
    expect(record).toEqual({
      accessToken: {
        accessKeyId: "access_key",
        secretAccessKey: "secret_key",
        sessionToken: "session_token",
        accountId: "012345678901",
        expiresAt: "2025-09-01T18:39:33Z",
      },
      tokenType: "aws_sigv4",
      clientId: "arn:aws:signin:::devtools/same-device",
      refreshToken: "refresh_token",
      idToken: "h.p.s",
      dpopKey: PEM,
      signInRegion: "us-east-1",
      awslogin: { sessionStartedAt: "2025-09-01T17:39:33.000Z", endpoint: "http://127.0.0.1:9000" },
    });
    expect(parseTokenCache(serializeTokenCache(record), PATH)).toEqual(record);
  });

  it("leaves out what it was not given and does not copy unknown response keys", () => {
    const record = createTokenCacheRecord({
      tokenResponse: Object.assign({}, tokenResponse, {
        idToken: undefined,
        extra: "no",
        accessToken: Object.assign({ x: 1 }, tokenResponse.accessToken),
      }),
      loginSession: "arn:aws:iam::000000000000:user/PowerUser",
      accountId: "000000000000",
      clientId: "arn:aws:signin:::devtools/cross-device",
      dpopKeyPem: PEM,
      now,
    });
    expect(Object.keys(record)).toEqual([
      "accessToken",
      "tokenType",
      "clientId",
      "refreshToken",
      "dpopKey",
      "awslogin",
    ]);
    expect(Object.keys(record.accessToken)).toHaveLength(5);
    expect(record.awslogin).toEqual({ sessionStartedAt: "2025-09-01T17:39:33.000Z" });
  });

  it("rejects an empty login session", () => {
    expect(() =>
      createTokenCacheRecord({
        tokenResponse,
        loginSession: "",
        accountId: "1",
        clientId: "c",
        dpopKeyPem: PEM,
        now,
      }),
    ).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });
});

describe("applyRefreshedToken (docs/protocol.md §12.2 g)", () => {
  it("replaces credentials, expiry and refresh token; keeps everything else", () => {
    const before = parseTokenCache(
      JSON.stringify({
        accessToken: {
          accessKeyId: "ASIAOLD",
          secretAccessKey: "old",
          sessionToken: "old",
          accountId: "012345678901",
          expiresAt: "2025-11-18T23:00:00Z",
          foreign: "kept",
        },
        tokenType: "aws_sigv4",
        clientId: "arn:aws:signin:::devtools/same-device",
        refreshToken: "valid_refresh_token",
        idToken: "h.p.s",
        dpopKey: PEM,
        vendor: { a: [1] },
        signInRegion: "us-east-1",
      }),
      PATH,
    );
    const after = applyRefreshedToken(
      before,
      {
        accessToken: {
          accessKeyId: "NEWREFRESHEDKEY",
          secretAccessKey: "newRefreshedSecretKey",
          sessionToken: "newRefreshedSessionToken",
        },
        expiresIn: 900,
        refreshToken: "new_refresh_token",
      },
      Date.UTC(2025, 10, 19),
    );
    expect(after).toEqual({
      ...before,
      accessToken: {
        accessKeyId: "NEWREFRESHEDKEY",
        secretAccessKey: "newRefreshedSecretKey",
        sessionToken: "newRefreshedSessionToken",
        accountId: "012345678901",
        expiresAt: "2025-11-19T00:15:00Z",
        foreign: "kept",
      },
      refreshToken: "new_refresh_token",
    });
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(before.refreshToken).toBe("valid_refresh_token");
  });
});

describe("isLoginTokenShaped (docs/protocol.md §6, logout --all)", () => {
  it.each([
    [{ accessToken: { accessKeyId: "A" } }, true],
    [{ accessToken: { accessKeyId: null } }, true],
    [JSON.parse(CLI_FILE), true],
    [{ accessToken: "A" }, false],
    [{ accessToken: { secretAccessKey: "A" } }, false],
    [{ accessToken: ["accessKeyId"] }, false],
    [{ startUrl: "https://x", accessToken: "sso" }, false],
    [[], false],
    [null, false],
    ["accessToken", false],
  ])("%j → %s", (value, shaped) => {
    expect(isLoginTokenShaped(value)).toBe(shaped);
  });
});

describe("properties", () => {
  const known = new Set([
    "accessToken",
    "tokenType",
    "clientId",
    "refreshToken",
    "idToken",
    "identityToken",
    "dpopKey",
    "signInRegion",
    "awslogin",
    "accessKeyId",
    "secretAccessKey",
    "sessionToken",
    "accountId",
    "expiresAt",
    "__proto__",
  ]);
  const text = fc.string({ unit: "binary", maxLength: 12 });
  const key = fc.string({ unit: "binary", minLength: 1, maxLength: 8 }).filter((k) => !known.has(k));
  const json: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      text,
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      fc.dictionary(key, tie("value"), { maxKeys: 3 }),
    ),
  })).value;
  const nonEmpty = fc.string({ unit: "binary", minLength: 1, maxLength: 16 });
  // Values of each kind a valid file can hold (credential-format.ts); other values are refused on read.
  const ofKind = (kind: CredentialKind) => fc.stringMatching(CREDENTIAL_PATTERNS[kind], { size: "xsmall" });
  const emptyOr = (kind: CredentialKind) => fc.oneof(fc.constant(""), ofKind(kind));
  const timestamp = fc
    .integer({ min: Date.UTC(1970, 0, 1), max: Date.UTC(9999, 11, 31) })
    .map((ms) => formatExpiresAt(ms));
  const record = fc
    .record(
      {
        accessToken: fc
          .tuple(
            fc.record({
              accessKeyId: ofKind("accessKeyId"),
              secretAccessKey: ofKind("secretAccessKey"),
              sessionToken: ofKind("sessionToken"),
              accountId: ofKind("accountId"),
              expiresAt: timestamp,
            }),
            fc.dictionary(key, json, { maxKeys: 2 }),
          )
          .map(([members, extra]) => ({ ...members, ...extra })),
        tokenType: emptyOr("opaque"),
        clientId: ofKind("opaque"),
        refreshToken: ofKind("opaque"),
        idToken: emptyOr("opaque"),
        identityToken: emptyOr("opaque"),
        dpopKey: nonEmpty,
        signInRegion: emptyOr("region"),
        awslogin: fc.record({ endpoint: text, sessionStartedAt: timestamp }, { requiredKeys: [] }),
      },
      { requiredKeys: ["accessToken", "clientId", "refreshToken", "dpopKey"] },
    )
    .chain((base) => fc.dictionary(key, json, { maxKeys: 3 }).map((extra) => ({ ...extra, ...base })));

  it("parse ∘ serialize keeps every value, and serialize ∘ parse is the identity on written files", () => {
    fc.assert(
      fc.property(record, (generated) => {
        const written = serializeTokenCache(generated as TokenCacheRecord);
        const parsed = parseTokenCache(written, PATH);
        const expected: Record<string, unknown> = { ...generated };
        if (generated.idToken === undefined && generated.identityToken !== undefined) {
          expected.idToken = generated.identityToken;
        }
        expect(parsed).toEqual(expected);
        expect(serializeTokenCache(parsed)).toBe(written);
        expect(/^[\x20-\x7e]*$/.test(written)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("serialization is valid JSON that JSON.parse reads back to the same values", () => {
    fc.assert(
      fc.property(json, (value) => {
        const wrapped = { ...JSON.parse(CLI_FILE), extra: value } as TokenCacheRecord;
        expect(JSON.parse(serializeTokenCache(wrapped)).extra).toEqual(value);
      }),
    );
  });

  it("formatExpiresAt ∘ expiresAtMs truncates to the second", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: Date.UTC(9999, 11, 31) }), (ms) => {
        const expiresAt = formatExpiresAt(ms);
        const record = {
          ...JSON.parse(CLI_FILE),
          accessToken: { ...JSON.parse(CLI_FILE).accessToken, expiresAt },
        };
        expect(expiresAtMs(record as TokenCacheRecord)).toBe(Math.floor(ms / 1000) * 1000);
      }),
    );
  });
});

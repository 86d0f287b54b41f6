import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cacheKey, readCachedCredentials } from "./cached-credentials.js";
import { parseRfc3339 } from "./rfc3339.js";
import { expiresAtMs, loginCacheKey, parseTokenCache } from "./token-cache.js";

const VALID = {
  accessToken: {
    accessKeyId: "ASIAEXAMPLE",
    secretAccessKey: "secret",
    sessionToken: "token",
    accountId: "012345678901",
    expiresAt: "2025-11-19T00:15:00Z",
  },
  tokenType: "aws_sigv4",
  clientId: "arn:aws:signin:::devtools/same-device",
  refreshToken: "refresh",
  idToken: "a.b.c",
  dpopKey: "-----BEGIN EC PRIVATE KEY-----\nMHc=\n-----END EC PRIVATE KEY-----\n",
};

/** The oracle: core's zod schema. */
function coreAccepts(text: string): boolean {
  try {
    parseTokenCache(text, "cache.json");
    return true;
  } catch {
    return false;
  }
}

function withChange(path: string[], value: unknown): string {
  const copy = structuredClone(VALID) as Record<string, unknown>;
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
  const last = path.at(-1) as string;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return JSON.stringify(copy);
}

describe("readCachedCredentials agrees with core's parseTokenCache", () => {
  it("reads a valid record written by `aws login`", () => {
    const text = JSON.stringify(VALID, null, 0).replace(/,"/g, ', "').replace(/":/g, '": ');
    expect(readCachedCredentials(text)).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      secretAccessKey: "secret",
      sessionToken: "token",
      expiration: Date.UTC(2025, 10, 19, 0, 15, 0),
      accountId: VALID.accessToken.accountId,
    });
    expect(readCachedCredentials(text)?.expiration).toBe(expiresAtMs(parseTokenCache(text, "x")));
  });

  const cases: Array<[string, string]> = [
    ["not JSON", "{"],
    ["empty", ""],
    ["an array", "[]"],
    ["null", "null"],
    [
      "Java/Go identityToken instead of idToken",
      withChange(["idToken"], undefined).replace('"dpopKey"', '"identityToken": "x", "dpopKey"'),
    ],
    ["tokenType null", withChange(["tokenType"], null)],
    ["tokenType a number", withChange(["tokenType"], 1)],
    ["idToken an object", withChange(["idToken"], {})],
    ["signInRegion set", withChange(["signInRegion"], "eu-west-1")],
    ["signInRegion a number", withChange(["signInRegion"], 5)],
    [
      "awslogin metadata",
      withChange(["awslogin"], {
        endpoint: "http://127.0.0.1:1",
        sessionStartedAt: "2025-11-19T00:00:00.000Z",
      }),
    ],
    ["awslogin metadata, bad timestamp", withChange(["awslogin"], { sessionStartedAt: "yesterday" })],
    ["awslogin metadata, endpoint a number", withChange(["awslogin"], { endpoint: 1 })],
    ["awslogin an array", withChange(["awslogin"], [])],
    ["foreign keys", withChange(["somethingElse"], { a: 1 })],
    ["no accessToken", withChange(["accessToken"], undefined)],
    ["accessToken an array", withChange(["accessToken"], [])],
    ["empty accessKeyId", withChange(["accessToken", "accessKeyId"], "")],
    ["no sessionToken", withChange(["accessToken", "sessionToken"], undefined)],
    ["no accountId", withChange(["accessToken", "accountId"], undefined)],
    ["secretAccessKey a number", withChange(["accessToken", "secretAccessKey"], 1)],
    ["no clientId", withChange(["clientId"], undefined)],
    ["no refreshToken", withChange(["refreshToken"], undefined)],
    ["no dpopKey", withChange(["dpopKey"], undefined)],
    ["expiresAt with fraction", withChange(["accessToken", "expiresAt"], "2025-11-19T00:15:00.123Z")],
    ["expiresAt with offset", withChange(["accessToken", "expiresAt"], "2025-11-19T02:15:00+02:00")],
    ["expiresAt not RFC 3339", withChange(["accessToken", "expiresAt"], "2025-11-19 00:15")],
    ["expiresAt 31 April", withChange(["accessToken", "expiresAt"], "2025-04-31T00:00:00Z")],
    ["expiresAt a number", withChange(["accessToken", "expiresAt"], 1763511300)],
  ];
  for (const [name, text] of cases) {
    it(name, () => {
      const hot = readCachedCredentials(text);
      expect(hot !== undefined).toBe(coreAccepts(text));
      if (hot !== undefined) expect(hot.expiration).toBe(expiresAtMs(parseTokenCache(text, "x")));
    });
  }

  it("on generated records (property)", () => {
    const anyValue = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.constant(""),
      fc.string(),
      fc.integer(),
      fc.constant({}),
      fc.constant([]),
      fc.constantFrom("2025-11-19T00:15:00Z", "2025-11-19T00:15:00.5+01:30", "2025-13-01T00:00:00Z", "x"),
      // Values of each credential kind, and values with what a shell or a terminal gives a meaning to.
      fc.constantFrom(
        "ASIAQWERTYUIOPASDFGH",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "012345678901",
        "eu-west-1",
      ),
      fc.constantFrom("x\n$(touch m)", "a'b", "a b", "\u001b]0;x\u0007", "é", "\uFFFD", "A".repeat(20_000)),
      fc.string({ unit: "grapheme", maxLength: 8 }),
    );
    const paths = fc.constantFrom(
      ["accessToken", "accessKeyId"],
      ["accessToken", "secretAccessKey"],
      ["accessToken", "sessionToken"],
      ["accessToken", "accountId"],
      ["accessToken", "expiresAt"],
      ["tokenType"],
      ["clientId"],
      ["refreshToken"],
      ["idToken"],
      ["identityToken"],
      ["dpopKey"],
      ["signInRegion"],
      ["awslogin"],
      ["awslogin", "endpoint"],
      ["awslogin", "region"],
      ["awslogin", "sessionStartedAt"],
      ["awslogin", "somethingElse"],
    );
    // awslogin's own fields, as `awslogin login` writes them, so that changes to each of them are generated.
    const META = {
      endpoint: "http://127.0.0.1:8080",
      region: "eu-west-1",
      sessionStartedAt: "2025-11-19T00:00:00.000Z",
    };
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.tuple(paths, anyValue), { maxLength: 3 }),
        (withMeta, changes) => {
          const copy = structuredClone(withMeta ? { ...VALID, awslogin: META } : VALID) as Record<
            string,
            unknown
          >;
          for (const [path, value] of changes) {
            let target = copy;
            for (const key of path.slice(0, -1)) {
              if (typeof target[key] !== "object" || target[key] === null) return;
              target = target[key] as Record<string, unknown>;
            }
            // A copy: fc.constant({}) is one object, which a second change could otherwise set inside itself.
            if (value === undefined) delete target[path.at(-1) as string];
            else target[path.at(-1) as string] = structuredClone(value);
          }
          const text = JSON.stringify(copy);
          expect(readCachedCredentials(text) !== undefined).toBe(coreAccepts(text));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("parses timestamps as core does", () => {
    for (const text of [
      "2025-11-19T00:15:00Z",
      "2025-11-19t00:15:00.999999z",
      "2024-02-29T23:59:60-12:30",
      "2023-02-29T00:00:00Z",
    ]) {
      const record = withChange(["accessToken", "expiresAt"], text);
      expect(parseRfc3339(text)).toBe(
        coreAccepts(record) ? expiresAtMs(parseTokenCache(record, "x")) : undefined,
      );
    }
  });

  it("names the file as core does (SHA-256 of the session, docs/protocol.md §12.1)", () => {
    expect(cacheKey("arn:aws:iam::0123456789012:user/Admin")).toBe(
      "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726",
    );
    expect(cacheKey(" arn:aws:sts::012345678910:assumed-role/Admin/admin ")).toBe(
      loginCacheKey(" arn:aws:sts::012345678910:assumed-role/Admin/admin "),
    );
  });
});

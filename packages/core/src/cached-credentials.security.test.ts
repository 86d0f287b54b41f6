import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { readCachedCredentials } from "./cached-credentials.js";
import { parseTokenCache, serializeTokenCache, type TokenCacheRecord } from "./token-cache.js";

const RECORD: TokenCacheRecord = {
  accessToken: {
    accessKeyId: "ASIAQWERTYUIOPASDFGH",
    secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    sessionToken: "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ==",
    accountId: "012345678901",
    expiresAt: "2999-11-19T00:15:00Z",
  },
  tokenType: "aws_sigv4",
  clientId: "arn:aws:signin:::devtools/same-device",
  refreshToken: "ASORrefresh",
  idToken: "h.p.s",
  dpopKey: "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n",
  signInRegion: "eu-west-1",
};

/** The oracle: core's full reader. */
function coreAccepts(contents: string | Uint8Array): boolean {
  try {
    parseTokenCache(contents, "cache.json");
    return true;
  } catch {
    return false;
  }
}

describe("the hot path refuses what core refuses: poisoned values and invalid UTF-8 (issue 7 §1a, §6)", () => {
  it("serves real values from bytes as from text", () => {
    const text = serializeTokenCache(RECORD);
    expect(readCachedCredentials(Buffer.from(text))).toEqual(readCachedCredentials(text));
    expect(readCachedCredentials(Buffer.from(text))?.secretAccessKey).toBe(
      RECORD.accessToken.secretAccessKey,
    );
  });

  it.each([
    ["secretAccessKey", "x\n$(touch marker)"],
    ["accessKeyId", "ASIA'; touch marker; '"],
    ["sessionToken", "`touch marker`"],
    ["accountId", "01234567890\u001b]0;x\u0007"],
  ] as const)("%s %j: neither reader serves it", (field, value) => {
    const text = serializeTokenCache({ ...RECORD, accessToken: { ...RECORD.accessToken, [field]: value } });
    expect(coreAccepts(text)).toBe(false);
    expect(readCachedCredentials(text)).toBeUndefined();
  });

  it("invalid UTF-8 in a credential: neither reader serves it (no U+FFFD)", () => {
    const bytes = Buffer.from(serializeTokenCache(RECORD));
    const at = bytes.indexOf("EXAMPLEKEY");
    const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xc3]), bytes.subarray(at)]);
    expect(coreAccepts(broken)).toBe(false);
    expect(readCachedCredentials(broken)).toBeUndefined();
  });

  it("agree on arbitrary bytes spliced into a valid file (property)", () => {
    const bytes = Buffer.from(serializeTokenCache(RECORD));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: bytes.length }),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        (at, inserted) => {
          const spliced = Buffer.concat([bytes.subarray(0, at), inserted, bytes.subarray(at)]);
          expect(readCachedCredentials(spliced) !== undefined).toBe(coreAccepts(spliced));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("agree on arbitrary credential strings (property, full unicode)", () => {
    const fields = fc.constantFrom("accessKeyId", "secretAccessKey", "sessionToken", "accountId");
    fc.assert(
      fc.property(fields, fc.string({ unit: "grapheme", maxLength: 40 }), (field, value) => {
        const text = JSON.stringify({ ...RECORD, accessToken: { ...RECORD.accessToken, [field]: value } });
        expect(readCachedCredentials(text) !== undefined).toBe(coreAccepts(text));
      }),
      { numRuns: 2000 },
    );
  });
});

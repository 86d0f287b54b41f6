import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AwsLoginError } from "./errors.js";
import { createFileTokenStore } from "./node/token-store.js";
import { loginCacheKey, parseTokenCache, serializeTokenCache, type TokenCacheRecord } from "./token-cache.js";

const PATH = "/home/u/.aws/login/cache/x.json";
const SESSION = "arn:aws:sts::012345678901:assumed-role/Login/foo";

function record(): TokenCacheRecord {
  return {
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
}

function refusal(run: () => unknown): AwsLoginError {
  try {
    run();
  } catch (error) {
    if (AwsLoginError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("the cache file was accepted");
}

describe("parseTokenCache refuses values a planted cache file could use against the user (issue 7 §1a)", () => {
  const poisoned: Array<[string, (r: TokenCacheRecord) => void, string]> = [
    [
      "a secret key that runs a command in `eval`",
      (r) => {
        r.accessToken.secretAccessKey = "x\n$(touch marker)";
      },
      "accessToken.secretAccessKey",
    ],
    [
      "an access key id with a quote",
      (r) => {
        r.accessToken.accessKeyId = "ASIA'; rm -rf ~; '";
      },
      "accessToken.accessKeyId",
    ],
    [
      "a session token with backticks",
      (r) => {
        r.accessToken.sessionToken = "`id`";
      },
      "accessToken.sessionToken",
    ],
    [
      "an account id with a terminal escape",
      (r) => {
        r.accessToken.accountId = "01234567890\u001b]0;x\u0007";
      },
      "accessToken.accountId",
    ],
    [
      "a signInRegion with a line break",
      (r) => {
        r.signInRegion = "eu-west-1\nawslogin: error: forged";
      },
      "signInRegion",
    ],
    [
      "a refresh token with a control character",
      (r) => {
        r.refreshToken = "ASOR\u0007";
      },
      "refreshToken",
    ],
    [
      "an oversized session token",
      (r) => {
        r.accessToken.sessionToken = "A".repeat(16_385);
      },
      "accessToken.sessionToken",
    ],
  ];
  for (const [name, poison, field] of poisoned) {
    it(`${name} → CACHE_MALFORMED naming the field, never the value`, () => {
      const bad = record();
      poison(bad);
      const error = refusal(() => parseTokenCache(serializeTokenCache(bad), PATH));
      expect(error.code).toBe("CACHE_MALFORMED");
      expect(error.message).toContain(field);
      expect(error.message).not.toContain("wJalrXUtnFEMI");
      expect(error.message).not.toMatch(/marker|rm -rf|`id`|forged/);
      expect(error.message).toMatch(/^[\x20-\x7e]+$/);
    });
  }

  it("accepts real values, and an empty signInRegion as the SDKs do", () => {
    const ok = { ...record(), signInRegion: "" };
    expect(parseTokenCache(serializeTokenCache(ok), PATH)).toEqual(ok);
  });
});

describe("invalid UTF-8 in a cache file is refused, not served with U+FFFD (issue 7 §6)", () => {
  const text = serializeTokenCache(record());
  const bytes = Buffer.from(text, "utf8");
  // Breaks the secret key with a byte that is not UTF-8: read as "utf8" it would become U+FFFD.
  const at = bytes.indexOf("EXAMPLEKEY");
  const broken = Buffer.concat([bytes.subarray(0, at), Buffer.from([0xff]), bytes.subarray(at)]);
  const fffd = Buffer.concat([bytes.subarray(0, at), Buffer.from("\uFFFD"), bytes.subarray(at)]);

  it("parseTokenCache(bytes) → CACHE_MALFORMED", () => {
    expect(parseTokenCache(bytes, PATH)).toEqual(record());
    const error = refusal(() => parseTokenCache(broken, PATH));
    expect(error.code).toBe("CACHE_MALFORMED");
    expect(error.message).toContain("not valid UTF-8");
  });

  it("even U+FFFD written out as UTF-8 is no credential", () => {
    expect(refusal(() => parseTokenCache(fffd, PATH)).code).toBe("CACHE_MALFORMED");
  });

  describe("the file token store", () => {
    let directory: string;
    beforeEach(async () => {
      directory = await mkdtemp(join(tmpdir(), "awslogin-utf8-"));
    });
    afterEach(async () => {
      await rm(directory, { recursive: true, force: true });
    });

    it("read and list refuse the file with CACHE_MALFORMED and leave it as it was", async () => {
      await mkdir(directory, { recursive: true });
      const path = join(directory, `${loginCacheKey(SESSION)}.json`);
      await writeFile(path, broken, { mode: 0o600 });
      const store = createFileTokenStore({ directory });
      await expect(store.read(SESSION)).rejects.toMatchObject({ code: "CACHE_MALFORMED", path });
      const [entry] = await store.list();
      expect(entry?.error?.code).toBe("CACHE_MALFORMED");
      expect(entry?.record).toBeUndefined();
      expect(Buffer.compare(await readFile(path), broken)).toBe(0);
    });
  });
});

import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CREDENTIAL_PATTERNS,
  type CredentialKind,
  decodeUtf8Strictly,
  isCredentialValue,
} from "./credential-format.js";

/** Real shapes: AWS's documented examples, STS-like values, the test vectors of docs/protocol.md §4–5 and §12. */
const REAL: Record<CredentialKind, string[]> = {
  accessKeyId: ["AKIAIOSFODNN7EXAMPLE", "ASIAQWERTYUIOPASDFGH", "NEWREFRESHEDKEY", `ASIA${"A".repeat(124)}`],
  secretAccessKey: [
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "newRefreshedSecretKey",
    randomBytes(30).toString("base64"),
    randomBytes(96).toString("base64"),
  ],
  sessionToken: [
    "newRefreshedSessionToken",
    // Real STS session tokens: base64, `IQoJb3JpZ2luX2Vj…`, about 1–2 KB, more with session tags.
    `IQoJb3JpZ2luX2VjE${randomBytes(1500).toString("base64")}`,
    randomBytes(6000).toString("base64"),
  ],
  accountId: ["012345678901", "111122223333", "000000000000"],
  region: [
    "us-east-1",
    "eu-west-1",
    "us-gov-west-1",
    "cn-north-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "ap-southeast-5",
    "mx-central-1",
  ],
  arn: [
    "arn:aws:sts::721781603755:assumed-role/Admin/shovlia-Isengard",
    "arn:aws:iam::0123456789012:user/username",
    "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Jane.Doe+test=1,@x",
    "arn:aws:iam::123456789012:root",
    "arn:aws-cn:sts::123456789012:assumed-role/R/user@example.com",
    "arn:aws-us-gov:iam::123456789012:user/x",
    "arn:aws:signin:::devtools/same-device",
  ],
  opaque: ["valid_refresh_token", "rt.abcDEF-_", `ASOR${"x".repeat(2000)}`, "eyJh.eyJz.c2ln", "aws_sigv4"],
};

/** Whitespace, control and non-ASCII characters (a line break, a terminal escape...): never in any kind. */
const HOSTILE = [
  "\n",
  "\r",
  " ",
  "\t",
  "\u001b]0;x\u0007",
  "\u0000",
  "\u007f",
  "\u2028",
  "é",
  "😀",
  "\uFFFD",
];

/** What a shell gives a meaning to: never in the values that are exported to shells. ARNs and opaque tokens may
 * hold printable ASCII (an IAM path may), but they are never exported. */
const SHELL_HOSTILE = ["'", '"', "`", "$(touch x)", ";", "\\", "&", "|", "<", "%", "!"];
const EXPORTED: CredentialKind[] = ["accessKeyId", "secretAccessKey", "sessionToken", "accountId", "region"];

describe("credential formats (issue 7 §1a)", () => {
  for (const [kind, values] of Object.entries(REAL) as Array<[CredentialKind, string[]]>) {
    it(`${kind}: accepts what AWS really sends`, () => {
      for (const value of values) expect(isCredentialValue(kind, value), value.slice(0, 40)).toBe(true);
    });

    it(`${kind}: refuses an empty, an oversized, a non-string value and every hostile character`, () => {
      expect(isCredentialValue(kind, "")).toBe(false);
      expect(isCredentialValue(kind, undefined)).toBe(false);
      expect(isCredentialValue(kind, 42)).toBe(false);
      expect(isCredentialValue(kind, `${values[0]}${"A".repeat(20_000)}`)).toBe(false);
      for (const bad of EXPORTED.includes(kind) ? [...HOSTILE, ...SHELL_HOSTILE] : HOSTILE) {
        const value = values[0] as string;
        expect(isCredentialValue(kind, `${value}${bad}`), JSON.stringify(bad)).toBe(false);
        expect(isCredentialValue(kind, `${bad}${value}`), JSON.stringify(bad)).toBe(false);
      }
    });
  }

  it("ARNs are at most 2048 characters and start with an AWS partition", () => {
    const base = "arn:aws:iam::123456789012:user/";
    expect(isCredentialValue("arn", base + "a".repeat(2048 - base.length))).toBe(true);
    expect(isCredentialValue("arn", base + "a".repeat(2049 - base.length))).toBe(false);
    expect(isCredentialValue("arn", "arn:evil:iam::123456789012:root")).toBe(false);
    expect(isCredentialValue("arn", "xarn:aws:iam::123456789012:root")).toBe(false);
  });

  it("access key ids are at most 128 word characters, secret keys 128 base64 characters", () => {
    expect(isCredentialValue("accessKeyId", "A".repeat(128))).toBe(true);
    expect(isCredentialValue("accessKeyId", "A".repeat(129))).toBe(false);
    expect(isCredentialValue("secretAccessKey", "/".repeat(128))).toBe(true);
    expect(isCredentialValue("secretAccessKey", "/".repeat(129))).toBe(false);
  });

  it("a value with any character outside its kind's set is refused (property, full unicode)", () => {
    const safe = /^[A-Za-z0-9+/=_-]$/;
    fc.assert(
      fc.property(
        fc.constantFrom(...EXPORTED),
        fc.string({ unit: "grapheme", maxLength: 20 }),
        fc
          .string({ unit: "binary", minLength: 1, maxLength: 3 })
          .filter((s) => [...s].some((c) => !safe.test(c))),
        fc.string({ unit: "grapheme", maxLength: 20 }),
        (kind, before, bad, after) => {
          expect(isCredentialValue(kind, `${before}${bad}${after}`)).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("every pattern is anchored at both ends", () => {
    for (const pattern of Object.values(CREDENTIAL_PATTERNS)) {
      expect(pattern.source.startsWith("^")).toBe(true);
      expect(pattern.source.endsWith("$")).toBe(true);
      expect(pattern.flags).not.toMatch(/[mi]/);
    }
  });
});

describe("decodeUtf8Strictly (issue 7 §6: no U+FFFD in place of bad bytes)", () => {
  it("decodes valid UTF-8, BOM kept", () => {
    expect(decodeUtf8Strictly(Buffer.from('{"a":"é😀"}'))).toBe('{"a":"é😀"}');
    expect(decodeUtf8Strictly(Buffer.from("\uFEFF{}"))).toBe("\uFEFF{}");
  });

  it.each([
    ["a lone continuation byte", [0x41, 0x80, 0x42]],
    ["a cut-short sequence", [0x41, 0xe2, 0x82]],
    ["an overlong encoding", [0xc0, 0xaf]],
    ["a UTF-16 surrogate", [0xed, 0xa0, 0x80]],
    ["0xFF", [0xff]],
  ])("refuses %s", (_name, bytes) => {
    expect(decodeUtf8Strictly(Uint8Array.from(bytes))).toBeUndefined();
  });
});

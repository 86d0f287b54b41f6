import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "./sha256.js";

const nodeSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("sha256Hex", () => {
  it("FIPS 180-4 examples (NIST CSRC: SHA256.pdf)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("docs/protocol.md §12.1 cache keys", () => {
    expect(sha256Hex("arn:aws:iam::0123456789012:user/Admin")).toBe(
      "36db1d138ff460920374e4c3d8e01f53f9f73537e89c88d639f68393df0e2726",
    );
    expect(sha256Hex("arn:aws:sts::012345678910:assumed-role/Admin/admin")).toBe(
      "4b0ba8f99f075c0633e122fd73346ce203a3faf18ea0310eb2d29df1bab2e255",
    );
  });

  it("equals node:crypto at every padding boundary and on any UTF-8 text", () => {
    for (let length = 0; length <= 200; length++)
      expect(sha256Hex("a".repeat(length))).toBe(nodeSha256("a".repeat(length)));
    expect(sha256Hex("x".repeat(100_000))).toBe(nodeSha256("x".repeat(100_000)));
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => {
        expect(sha256Hex(text)).toBe(nodeSha256(text));
      }),
      { numRuns: 2000 },
    );
  });
});

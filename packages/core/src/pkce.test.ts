import { randomBytes } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AwsLoginError } from "./errors.js";
import { codeChallengeFor, createCodeVerifier, createState } from "./pkce.js";
import type { Random } from "./ports.js";

/** Replays `bytes` cyclically, recording how many were asked for. */
function replay(bytes: number[]): Random & { requested: number } {
  let offset = 0;
  const random = {
    requested: 0,
    bytes(length: number): Uint8Array {
      random.requested += length;
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i++) out[i] = bytes[offset++ % bytes.length]!;
      return out;
    },
  };
  return random;
}

const secure: Random = { bytes: (n) => randomBytes(n) };
const UNRESERVED = /^[A-Za-z0-9\-._~]+$/;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("codeChallengeFor", () => {
  it("RFC 7636 Appendix B: S256 of the example verifier", () => {
    expect(codeChallengeFor("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")).toBe(
      "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    );
  });

  it("docs/protocol.md §12 vector 5: 'a'×64", () => {
    expect(codeChallengeFor("a".repeat(64))).toBe("_-BU_nrgy23GXDr5th1SCfQ5hR20PQulmXM33xVGaOs");
  });

  it("is always 43 base64url characters without padding", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 43, maxLength: 128 }), (verifier) => {
        expect(codeChallengeFor(verifier)).toMatch(/^[A-Za-z0-9_-]{43}$/);
      }),
    );
  });
});

describe("createCodeVerifier", () => {
  it("defaults to 64 characters like the AWS CLI", () => {
    expect(createCodeVerifier(secure)).toHaveLength(64);
  });

  it("maps bytes below 198 to the alphabet by value mod 66", () => {
    // 0 → 'A', 26 → 'a', 52 → '0', 62 → '-', 63 → '.', 64 → '_', 65 → '~', 66 → 'A', 197 → '~'
    const verifier = createCodeVerifier(replay([0, 26, 52, 62, 63, 64, 65, 66, 197]), 45);
    expect(verifier.slice(0, 9)).toBe("Aa0-._~A~");
  });

  it("rejects bytes ≥ 198 instead of folding them (no modulo bias)", () => {
    const random = replay([198, 255, 200, 1]);
    const verifier = createCodeVerifier(random, 43);
    expect(verifier).toBe("B".repeat(43));
    expect(random.requested).toBeGreaterThanOrEqual(43 * 4);
  });

  it("property: any length 43..128 gives exactly that many unreserved characters", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 43, max: 128 }),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (length, seed) => {
          const bytes = [...seed];
          if (bytes.every((b) => b >= 198)) bytes.push(7);
          const verifier = createCodeVerifier(replay(bytes), length);
          expect(verifier).toHaveLength(length);
          expect(verifier).toMatch(UNRESERVED);
        },
      ),
    );
  });

  it.each([0, 42, 129, 43.5, Number.NaN])("rejects length %s with INVALID_ARGUMENT", (length) => {
    const attempt = () => createCodeVerifier(secure, length);
    expect(attempt).toThrow(AwsLoginError);
    expect(attempt).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("reaches every one of the 66 unreserved characters", () => {
    const verifier = createCodeVerifier(replay([...Array(66).keys()]), 66);
    expect(new Set(verifier).size).toBe(66);
  });
});

describe("createState", () => {
  it("sets version 4 and the RFC 9562 variant on fixed bytes", () => {
    expect(createState(replay([0xff]))).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
    expect(createState(replay([0x00]))).toBe("00000000-0000-4000-8000-000000000000");
  });

  it("property: always a canonical lowercase v4 UUID", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (bytes) => {
        const state = createState(replay([...bytes]));
        expect(state).toMatch(UUID_V4);
        expect(state.replaceAll("-", "").slice(0, 12)).toBe(
          Buffer.from(bytes.subarray(0, 6)).toString("hex"),
        );
      }),
    );
  });

  it("differs between calls with real randomness", () => {
    expect(createState(secure)).not.toBe(createState(secure));
  });
});

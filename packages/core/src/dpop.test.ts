import { Buffer } from "node:buffer";
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import fc from "fast-check";
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import {
  createDpopProof,
  type DpopKey,
  type EcPublicJwk,
  exportDpopKeyPem,
  generateDpopKey,
  importDpopKeyPem,
  jwkThumbprint,
} from "./dpop.js";
import { hasErrorCode } from "./errors.js";
import { systemRandom } from "./node/system.js";
import { seededRandom } from "./testing/seeded-random.js";

/** smithy-rs `aws/rust-runtime/aws-config/src/login/dpop.rs` TEST_KEY. */
const RUST_TEST_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIBMB/RwQERsVoqWRQG4zK8CnaAa5dfrpbm+9tFdBh3z4oAoGCCqGSM49
AwEHoUQDQgAEWb1VLi1EA2hJaTz4yYuxSELvY+1GAfL+8rUTCAdiFid87Bf6GY+s
2+1RpqDv0RpZiDIMCrZrsAh+RK9S3QCaGA==
-----END EC PRIVATE KEY-----
`;

/** aws-cli `tests/unit/conftest.py` EC_PRIVATE_KEY_SEC1_BASE64, wrapped as PEM. */
const CLI_CONFTEST_KEY = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIHjt7c+VnkIkN6RW7QgZPFNLb/9AZEhqSYYMtwrlLb3WoAoGCCqGSM49
AwEHoUQDQgAEv2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe+DA8dKqXN/7qTcZ
jYJHKIi+Rn88zUGqCJo3DWF/X+ufVfdU2g==
-----END EC PRIVATE KEY-----
`;

function segments(jwt: string): string[] {
  const parts = jwt.split(".");
  expect(parts).toHaveLength(3);
  return parts;
}

function decodeJson(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
}

async function verifyWithJose(jwt: string) {
  const header = decodeProtectedHeader(jwt);
  expect(header.jwk).toBeDefined();
  const key = await importJWK(header.jwk!, "ES256");
  return jwtVerify(jwt, key, { typ: "dpop+jwt", algorithms: ["ES256"] });
}

function expectInvalidKey(pem: string): void {
  let thrown: unknown;
  try {
    importDpopKeyPem(pem);
  } catch (error) {
    thrown = error;
  }
  expect(hasErrorCode(thrown, "INVALID_DPOP_KEY")).toBe(true);
  const message = (thrown as Error).message;
  expect(message).toMatch(/log in again/i);
  for (const line of pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"))) {
    expect(message).not.toContain(line.slice(0, 20));
  }
}

describe("docs/protocol.md §12 vector 4: key → JWK", () => {
  it("smithy-rs TEST_KEY gives the Rust test's x/y", () => {
    expect(importDpopKeyPem(RUST_TEST_KEY).publicJwk).toEqual({
      kty: "EC",
      crv: "P-256",
      x: "Wb1VLi1EA2hJaTz4yYuxSELvY-1GAfL-8rUTCAdiFic",
      y: "fOwX-hmPrNvtUaag79EaWYgyDAq2a7AIfkSvUt0Amhg",
    });
  });

  it("AWS CLI conftest key gives the computed x/y", () => {
    expect(importDpopKeyPem(CLI_CONFTEST_KEY).publicJwk).toEqual({
      kty: "EC",
      crv: "P-256",
      x: "v2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe-DA8dI",
      y: "qlzf-6k3GY2CRyiIvkZ_PM1BqgiaNw1hf1_rn1X3VNo",
    });
  });
});

describe("createDpopProof", () => {
  it("docs/protocol.md §12 vector 4: the CLI's fake_build_dpop_header gives these first two segments", async () => {
    const key = importDpopKeyPem(CLI_CONFTEST_KEY);
    const jwt = createDpopProof({
      key,
      method: "POST",
      url: "https://foobar/v1/token",
      iat: 1760014198,
      jti: "uniqueid",
    });
    const [header, payload] = segments(jwt);
    expect(header).toBe(
      "eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6InYyRmpScE10QURNWjR6b1p4c2hWOWNoRWtlbWJnelpuWFNVTmUtREE4ZEkiLCJ5IjoicWx6Zi02azNHWTJDUnlpSXZrWl9QTTFCcWdpYU53MWhmMV9ybjFYM1ZObyIsImNydiI6IlAtMjU2In19",
    );
    expect(payload).toBe(
      "eyJodG0iOiJQT1NUIiwiaHR1IjoiaHR0cHM6Ly9mb29iYXIvdjEvdG9rZW4iLCJpYXQiOjE3NjAwMTQxOTgsImp0aSI6InVuaXF1ZWlkIn0",
    );
    const { payload: claims, protectedHeader } = await verifyWithJose(jwt);
    expect(claims).toEqual({ htm: "POST", htu: "https://foobar/v1/token", iat: 1760014198, jti: "uniqueid" });
    expect(protectedHeader.alg).toBe("ES256");
  });

  it("RFC 9449 §4.2: jose verifies proofs of fresh keys; the signature is raw r||s (64 bytes)", async () => {
    for (let i = 0; i < 5; i++) {
      const key = generateDpopKey(systemRandom);
      const jwt = createDpopProof({
        key,
        method: "POST",
        url: "http://127.0.0.1:9/v1/token",
        iat: 1_700_000_000 + i,
        jti: `j${i}`,
      });
      expect(Buffer.from(segments(jwt)[2]!, "base64url")).toHaveLength(64);
      const { payload, protectedHeader } = await verifyWithJose(jwt);
      expect(protectedHeader).toEqual({
        typ: "dpop+jwt",
        alg: "ES256",
        jwk: key.publicJwk,
      });
      expect(payload).toMatchObject({
        htm: "POST",
        htu: "http://127.0.0.1:9/v1/token",
        iat: 1_700_000_000 + i,
      });
    }
  });

  it("keeps the CLI key order typ,alg,jwk{kty,x,y,crv} and htm,htu,iat,jti", () => {
    const jwt = createDpopProof({
      key: generateDpopKey(systemRandom),
      method: "POST",
      url: "https://x/v1/token",
      iat: 1,
      jti: "a",
    });
    const [header, payload] = segments(jwt);
    const h = decodeJson(header!) as { jwk: object };
    expect(Object.keys(h)).toEqual(["typ", "alg", "jwk"]);
    expect(Object.keys(h.jwk)).toEqual(["kty", "x", "y", "crv"]);
    expect(Object.keys(decodeJson(payload!) as object)).toEqual(["htm", "htu", "iat", "jti"]);
  });

  it("a proof signed by another key does not verify against the header key", async () => {
    const a = generateDpopKey(systemRandom);
    const b = generateDpopKey(systemRandom);
    const forged = createDpopProof({
      key: { privateKey: b.privateKey, publicJwk: a.publicJwk },
      method: "POST",
      url: "https://x",
      iat: 1,
      jti: "x",
    });
    await expect(verifyWithJose(forged)).rejects.toThrow();
  });

  it("rejects a non-integer iat", () => {
    const key = generateDpopKey(systemRandom);
    expect(() => createDpopProof({ key, method: "POST", url: "https://x", iat: 1.5, jti: "x" })).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

/** The P-256 base point G and order n. @see SEC 2 v2 §2.4.2 */
const P256_G = {
  x: "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
  y: "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
};
const P256_N = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";

/** Randomness that hands out these 32-byte values in turn, and records how many were drawn. */
function draws(...hex: string[]) {
  const queue = hex.map((h) => Buffer.from(h, "hex"));
  const random = {
    drawn: 0,
    bytes(length: number) {
      random.drawn++;
      const next = queue.shift();
      if (next === undefined || next.length !== length) throw new Error(`unexpected draw of ${length} bytes`);
      return next;
    },
  };
  return random;
}

describe("generateDpopKey(random): the private scalar comes from the Random port (RFC 9449 §4.2)", () => {
  const one = `${"00".repeat(31)}01`;

  it("SEC 2 v2 §2.4.2: the scalar 1 gives the base point G as the public key", () => {
    const key = generateDpopKey(draws(one));
    expect(Buffer.from(key.publicJwk.x, "base64url").toString("hex")).toBe(P256_G.x);
    expect(Buffer.from(key.publicJwk.y, "base64url").toString("hex")).toBe(P256_G.y);
    const d = key.privateKey.export({ format: "jwk" }).d;
    expect(Buffer.from(d ?? "", "base64url").toString("hex")).toBe(one);
  });

  it("the same randomness gives the same key; other randomness another key", () => {
    const a = exportDpopKeyPem(generateDpopKey(seededRandom("a")));
    expect(exportDpopKeyPem(generateDpopKey(seededRandom("a")))).toBe(a);
    expect(exportDpopKeyPem(generateDpopKey(seededRandom("b")))).not.toBe(a);
  });

  it("FIPS 186-5 §A.4.2: 0, n and n + 1 are drawn again; n − 1 is the largest scalar taken", () => {
    const nMinusOne = `${P256_N.slice(0, -2)}50`;
    const nPlusOne = `${P256_N.slice(0, -2)}52`;
    const random = draws("00".repeat(32), P256_N, nPlusOne, nMinusOne);
    const key = generateDpopKey(random);
    expect(random.drawn).toBe(4);
    const d = key.privateKey.export({ format: "jwk" }).d;
    expect(Buffer.from(d ?? "", "base64url").toString("hex")).toBe(nMinusOne);
  });

  it("a source that only gives unusable scalars is refused with INVALID_ARGUMENT, after a bounded number of draws", () => {
    const zeros = {
      drawn: 0,
      bytes(n: number) {
        zeros.drawn++;
        return new Uint8Array(n);
      },
    };
    expect(() => generateDpopKey(zeros)).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
    expect(zeros.drawn).toBe(8);
  });

  it("RFC 9449 §4.2: a key from fixed randomness signs proofs jose verifies", async () => {
    const key = generateDpopKey(seededRandom("jose"));
    const jwt = createDpopProof({ key, method: "POST", url: "https://x/v1/token", iat: 1, jti: "j" });
    const { protectedHeader } = await verifyWithJose(jwt);
    expect(protectedHeader.jwk).toEqual(key.publicJwk);
  });
});

describe("PEM export and import", () => {
  it("re-exports the CLI conftest key byte for byte (SEC1, public key embedded, 64-char lines)", () => {
    expect(exportDpopKeyPem(importDpopKeyPem(CLI_CONFTEST_KEY))).toBe(CLI_CONFTEST_KEY);
    expect(exportDpopKeyPem(importDpopKeyPem(RUST_TEST_KEY))).toBe(RUST_TEST_KEY);
  });

  it("exports generated keys as SEC1 with the public key, and round-trips them", () => {
    const key = generateDpopKey(systemRandom);
    const pem = exportDpopKeyPem(key);
    expect(pem).toMatch(
      /^-----BEGIN EC PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END EC PRIVATE KEY-----\n$/,
    );
    const der = Buffer.from(
      pem
        .split("\n")
        .filter((l) => !l.startsWith("-----"))
        .join(""),
      "base64",
    );
    // SEC1 with the [1] publicKey field: SEQUENCE of 0x77 bytes, and 0xa1 tag before the 66-byte BIT STRING.
    expect(der.subarray(0, 2)).toEqual(Buffer.from([0x30, 0x77]));
    expect(der.includes(Buffer.from([0xa1, 0x44, 0x03, 0x42, 0x00, 0x04]))).toBe(true);
    const back = importDpopKeyPem(pem);
    expect(back.publicJwk).toEqual(key.publicJwk);
    expect(back.privateKey.export({ format: "jwk" }).d).toBe(key.privateKey.export({ format: "jwk" }).d);
  });

  it("imports PKCS#8 (BEGIN PRIVATE KEY) as the same key", () => {
    const pkcs8 = createPrivateKey(CLI_CONFTEST_KEY).export({ type: "pkcs8", format: "pem" }).toString();
    expect(pkcs8).toContain("-----BEGIN PRIVATE KEY-----");
    const key = importDpopKeyPem(pkcs8);
    expect(key.publicJwk).toEqual(importDpopKeyPem(CLI_CONFTEST_KEY).publicJwk);
    expect(exportDpopKeyPem(key)).toBe(CLI_CONFTEST_KEY);
  });

  it("tolerates CRLF line endings and surrounding whitespace", () => {
    const crlf = `\n  ${CLI_CONFTEST_KEY.replaceAll("\n", "\r\n")}  \n`;
    expect(importDpopKeyPem(crlf).publicJwk.x).toBe("v2FjRpMtADMZ4zoZxshV9chEkembgzZnXSUNe-DA8dI");
  });

  it("rejects a P-384 key", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
    expectInvalidKey(privateKey.export({ type: "sec1", format: "pem" }).toString());
    expectInvalidKey(privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  });

  it("rejects an RSA and an Ed25519 key", () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expectInvalidKey(rsa.export({ type: "pkcs8", format: "pem" }).toString());
    const ed = generateKeyPairSync("ed25519").privateKey;
    expectInvalidKey(ed.export({ type: "pkcs8", format: "pem" }).toString());
  });

  it("rejects garbage, a truncated key, a public key and the empty string", () => {
    expectInvalidKey("");
    expectInvalidKey("not a key at all");
    expectInvalidKey("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n");
    const lines = CLI_CONFTEST_KEY.split("\n");
    expectInvalidKey([lines[0], lines[1], lines[4], ""].join("\n"));
    const pub = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    expectInvalidKey(pub.toString());
  });
});

describe("jwkThumbprint (RFC 7638 §3)", () => {
  it("equals jose's calculateJwkThumbprint for the test keys and fresh keys", async () => {
    const keys: DpopKey[] = [importDpopKeyPem(RUST_TEST_KEY), importDpopKeyPem(CLI_CONFTEST_KEY)];
    for (let i = 0; i < 10; i++) keys.push(generateDpopKey(systemRandom));
    for (const key of keys) {
      expect(jwkThumbprint(key.publicJwk)).toBe(await calculateJwkThumbprint(key.publicJwk, "sha256"));
    }
  });

  it("ignores member order and is a 43-char base64url SHA-256", () => {
    const { x, y } = importDpopKeyPem(CLI_CONFTEST_KEY).publicJwk;
    const reordered = { y, x, crv: "P-256", kty: "EC" } as EcPublicJwk;
    expect(jwkThumbprint(reordered)).toBe(jwkThumbprint({ kty: "EC", crv: "P-256", x, y }));
    expect(jwkThumbprint(reordered)).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("gives Go/Java-style short or sign-extended coordinates the padded thumbprint", async () => {
    const random = seededRandom("leading zero");
    let key = generateDpopKey(random);
    for (let i = 0; i < 20_000 && Buffer.from(key.publicJwk.x, "base64url")[0] !== 0; i++)
      key = generateDpopKey(random);
    const x = Buffer.from(key.publicJwk.x, "base64url");
    expect(x[0]).toBe(0);
    const expected = await calculateJwkThumbprint(key.publicJwk, "sha256");
    const short = { ...key.publicJwk, x: x.subarray(1).toString("base64url") };
    expect(jwkThumbprint(short)).toBe(expected);
    const y = Buffer.from(key.publicJwk.y, "base64url");
    const signed = { ...key.publicJwk, y: Buffer.concat([Buffer.from([0]), y]).toString("base64url") };
    expect(jwkThumbprint(signed)).toBe(expected);
  });

  it("property: stripping leading zero bytes of a coordinate never changes the thumbprint", () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.integer({ min: 0, max: 31 }),
        (raw, zeros) => {
          const x = Buffer.from(raw);
          x.fill(0, 0, zeros);
          const y = Buffer.alloc(32, 7);
          const full = {
            kty: "EC",
            crv: "P-256",
            x: x.toString("base64url"),
            y: y.toString("base64url"),
          } as const;
          const trimmed = { ...full, x: x.subarray(zeros).toString("base64url") };
          expect(jwkThumbprint(trimmed)).toBe(jwkThumbprint(full));
        },
      ),
    );
  });

  it("rejects coordinates that are not base64url or longer than 32 bytes", () => {
    const { x, y } = generateDpopKey(systemRandom).publicJwk;
    const tooLong = Buffer.concat([Buffer.from([1]), Buffer.from(x, "base64url")]).toString("base64url");
    for (const bad of [
      { x: "", y },
      { x: "a+b/", y },
      { x: tooLong, y },
    ]) {
      expect(() => jwkThumbprint({ kty: "EC", crv: "P-256", ...bad })).toThrow(
        expect.objectContaining({ code: "INVALID_DPOP_KEY" }),
      );
    }
  });
});

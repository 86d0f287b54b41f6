/**
 * DPoP key handling and proofs: a P-256 key kept as SEC1 PEM in the token cache, ES256 proof JWTs,
 * and the RFC 7638 thumbprint the service binds refresh tokens to.
 * @see RFC 9449 §4, RFC 7638 §3, docs/protocol.md §4.2 and §6
 */
import { Buffer } from "node:buffer";
import { createECDH, createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import { AwsLoginError } from "./errors.js";
import type { Random } from "./ports.js";

/** The public half of a DPoP key as a JWK, coordinates base64url without padding. @see RFC 7518 §6.2.1 */
export interface EcPublicJwk {
  /** Key type: always elliptic curve. */
  kty: "EC";
  /** Curve: always P-256, the only one the Sign-In service accepts (docs/protocol.md §2.1). */
  crv: "P-256";
  /** The x coordinate, 32 bytes big-endian, base64url. */
  x: string;
  /** The y coordinate, 32 bytes big-endian, base64url. */
  y: string;
}

/** A P-256 key pair used to sign DPoP proofs. @see RFC 9449 §4.2 */
export interface DpopKey {
  /** Signs the proofs (ES256); kept in the cache record as PEM, never sent. */
  privateKey: KeyObject;
  /** Sent in each proof's `jwk` header; its thumbprint binds the tokens to this key (RFC 9449 §6). */
  publicJwk: EcPublicJwk;
}

/** One P-256 coordinate is this many bytes long. */
const COORDINATE_BYTES = 32;

const PEM_LINE = 64;

/** n, the order of the P-256 base point: a private key is a scalar in [1, n − 1]. @see SEC 2 v2 §2.4.2 */
const P256_ORDER = Buffer.from("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", "hex");

/** Draws of 32 bytes before the randomness is judged broken (each is out of range with probability < 2^-32). */
const KEY_DRAWS = 8;

/**
 * Generates a fresh P-256 key pair for DPoP from the {@link Random} port: the private scalar is 32 random bytes,
 * drawn again until it lies in [1, n − 1] (FIPS 186-5 §A.4.2, rejection sampling), so fixed randomness gives a
 * fixed key in tests and the system randomness (`crypto.randomBytes`) gives a key as strong as `generateKeyPair`'s.
 * @see RFC 9449 §4.2, docs/protocol.md §2.1
 */
export function generateDpopKey(random: Random): DpopKey {
  for (let draw = 0; draw < KEY_DRAWS; draw++) {
    const scalar = Buffer.from(random.bytes(COORDINATE_BYTES));
    if (scalar.length !== COORDINATE_BYTES) break;
    if (scalar.every((byte) => byte === 0) || Buffer.compare(scalar, P256_ORDER) >= 0) continue;
    return dpopKeyFromScalar(scalar);
  }
  throw new AwsLoginError(
    "INVALID_ARGUMENT",
    "The randomness source gave no usable P-256 private key (32 bytes in [1, n − 1]).",
  );
}

/** The key pair of a valid private scalar: the public point is computed by node:crypto's ECDH. */
function dpopKeyFromScalar(scalar: Buffer): DpopKey {
  const ecdh = createECDH("prime256v1");
  ecdh.setPrivateKey(scalar);
  // Uncompressed SEC1 point: 0x04 || x || y, each 32 bytes.
  const point = ecdh.getPublicKey();
  const x = point.subarray(1, 1 + COORDINATE_BYTES).toString("base64url");
  const y = point.subarray(1 + COORDINATE_BYTES).toString("base64url");
  const privateKey = createPrivateKey({
    key: { kty: "EC", crv: "P-256", d: scalar.toString("base64url"), x, y },
    format: "jwk",
  });
  return { privateKey, publicJwk: { kty: "EC", crv: "P-256", x, y } };
}

/** Serializes a key as SEC1 PEM (`EC PRIVATE KEY`, public key embedded, 64-char lines). @see RFC 5915 §3, docs/protocol.md §6 */
export function exportDpopKeyPem(key: DpopKey): string {
  const der = key.privateKey.export({ type: "sec1", format: "der" });
  const body = der.toString("base64");
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += PEM_LINE) lines.push(body.slice(i, i + PEM_LINE));
  return `-----BEGIN EC PRIVATE KEY-----\n${lines.join("\n")}\n-----END EC PRIVATE KEY-----\n`;
}

/** Reads a P-256 private key from SEC1 (`EC PRIVATE KEY`) or PKCS#8 (`PRIVATE KEY`) PEM. @see RFC 5915 §3, RFC 5958 §2 */
export function importDpopKeyPem(pem: string): DpopKey {
  const label = /-----BEGIN ((?:EC )?PRIVATE KEY)-----/.exec(pem)?.[1];
  if (label === undefined) throw invalidKey("it is not a PEM private key");
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem.trim(), format: "pem" });
  } catch (cause) {
    throw invalidKey("it could not be parsed", cause);
  }
  if (privateKey.asymmetricKeyType !== "ec" || privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw invalidKey("it is not a P-256 (prime256v1) EC key");
  }
  return { privateKey, publicJwk: publicJwkOf(privateKey) };
}

/**
 * A DPoP proof JWT: header `{typ,alg,jwk}` and payload `{htm,htu,iat,jti}` in the AWS CLI's key order,
 * signed ES256 with the raw 64-byte r||s signature. @see RFC 9449 §4.2, RFC 7518 §3.4, docs/protocol.md §4.2
 */
export function createDpopProof(args: {
  key: DpopKey;
  method: string;
  url: string;
  iat: number;
  jti: string;
}): string {
  if (!Number.isSafeInteger(args.iat) || args.iat < 0) {
    throw new AwsLoginError("INVALID_ARGUMENT", "A DPoP proof needs `iat` as whole seconds since the epoch.");
  }
  const { x, y } = args.key.publicJwk;
  const header = { typ: "dpop+jwt", alg: "ES256", jwk: { kty: "EC", x, y, crv: "P-256" } };
  const payload = { htm: args.method, htu: args.url, iat: args.iat, jti: args.jti };
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
  const signature = sign("sha256", Buffer.from(signingInput, "ascii"), {
    key: args.key.privateKey,
    dsaEncoding: "ieee-p1363",
  });
  return `${signingInput}.${signature.toString("base64url")}`;
}

/**
 * The RFC 7638 SHA-256 thumbprint of a P-256 public JWK. Coordinates are left-padded to 32 bytes first, so a JWK
 * from Go or Java with a short coordinate gives the same thumbprint as the CLI's. @see RFC 7638 §3, docs/protocol.md §4.2
 */
export function jwkThumbprint(jwk: EcPublicJwk): string {
  const x = coordinate(jwk.x, "x");
  const y = coordinate(jwk.y, "y");
  // Required members only, in lexicographic order, no whitespace (RFC 7638 §3.2).
  const canonical = `{"crv":"P-256","kty":"EC","x":"${x}","y":"${y}"}`;
  return createHash("sha256").update(canonical, "utf8").digest("base64url");
}

function publicJwkOf(privateKey: KeyObject): EcPublicJwk {
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  if (typeof jwk.x !== "string" || typeof jwk.y !== "string") throw invalidKey("its public key is missing");
  return { kty: "EC", crv: "P-256", x: coordinate(jwk.x, "x"), y: coordinate(jwk.y, "y") };
}

/** Decodes a base64url coordinate and re-encodes it as exactly 32 bytes. */
function coordinate(value: string, name: "x" | "y"): string {
  if (!/^[A-Za-z0-9_-]+$/.test(value)) throw badCoordinate(name);
  let bytes = Buffer.from(value, "base64url");
  // A sign byte (Java BigInteger) or other leading zeros may make it longer; the value is what counts.
  while (bytes.length > COORDINATE_BYTES && bytes[0] === 0) bytes = bytes.subarray(1);
  if (bytes.length === 0 || bytes.length > COORDINATE_BYTES) throw badCoordinate(name);
  const padded = Buffer.alloc(COORDINATE_BYTES);
  bytes.copy(padded, COORDINATE_BYTES - bytes.length);
  return padded.toString("base64url");
}

function badCoordinate(name: "x" | "y"): AwsLoginError {
  return new AwsLoginError("INVALID_DPOP_KEY", `The DPoP public key has an invalid "${name}" coordinate.`);
}

function invalidKey(reason: string, cause?: unknown): AwsLoginError {
  return new AwsLoginError(
    "INVALID_DPOP_KEY",
    `The DPoP key stored with this login session is unusable (${reason}). Log in again to create a new one.`,
    { cause },
  );
}

function base64url(text: string): string {
  return Buffer.from(text, "utf8").toString("base64url");
}

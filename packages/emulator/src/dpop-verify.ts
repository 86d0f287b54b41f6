/**
 * Verification of the DPoP proof sent with every token request.
 * @see RFC 9449 §4.3 (checking DPoP proofs), docs/protocol.md §4.2
 */
import { createHash, createPublicKey, verify } from "node:crypto";

/** How far a proof's `iat` may be from the emulator's clock, either way. */
export const DPOP_IAT_TOLERANCE_SECONDS = 300;

export interface DpopCheck {
  /** The `DPoP` request header (undefined when absent). */
  header: string | string[] | undefined;
  /** The emulator's own token URL; the proof's `htu` must name it. */
  tokenUrl: string;
  /** Current time in ms. */
  now: number;
  /** Records the `jti`; returns false for a replay. */
  rememberJti: (jti: string, staleAfterMs: number) => boolean;
}

export type DpopResult = { ok: true; jkt: string } | { ok: false; reason: string };

const B64URL = /^[A-Za-z0-9_-]*$/;

function decodeSegment(segment: string): Buffer | undefined {
  return B64URL.test(segment) ? Buffer.from(segment, "base64url") : undefined;
}

function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A P-256 coordinate left-padded to 32 bytes (some SDKs drop leading zero bytes). */
function coordinate(value: unknown): Buffer | undefined {
  if (typeof value !== "string" || value.length === 0) return undefined;
  const raw = decodeSegment(value);
  if (!raw || raw.length === 0 || raw.length > 32) return undefined;
  return Buffer.concat([Buffer.alloc(32 - raw.length), raw]);
}

/**
 * RFC 7638 thumbprint of an EC P-256 public key given as padded coordinates.
 * @see RFC 7638 §3.2 (required members in lexicographic order, no whitespace)
 */
export function jwkThumbprint(x: Buffer, y: Buffer): string {
  const canonical = `{"crv":"P-256","kty":"EC","x":"${x.toString("base64url")}","y":"${y.toString("base64url")}"}`;
  return createHash("sha256").update(canonical).digest("base64url");
}

function sameEndpoint(htu: string, tokenUrl: string): boolean {
  let a: URL;
  let b: URL;
  try {
    a = new URL(htu);
    b = new URL(tokenUrl);
  } catch {
    return false;
  }
  return (
    a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port && a.pathname === b.pathname
  );
}

/**
 * Checks a DPoP proof: compact JWS, `typ` dpop+jwt, `alg` ES256, a public P-256 `jwk`, a valid raw
 * r||s signature, `htm` POST, `htu` = the token URL (query and fragment ignored), `iat` within
 * five minutes, and a `jti` not seen before. Returns the key's thumbprint on success.
 * @see RFC 9449 §4.3
 */
export function verifyDpopProof(check: DpopCheck): DpopResult {
  const { header } = check;
  if (header === undefined || header === "") return { ok: false, reason: "The DPoP header is missing." };
  if (typeof header !== "string") return { ok: false, reason: "Send exactly one DPoP header." };
  const parts = header.trim().split(".");
  if (parts.length !== 3) return { ok: false, reason: "The DPoP proof is not a compact JWS." };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const headerBytes = decodeSegment(headerPart);
  const payloadBytes = decodeSegment(payloadPart);
  const signature = decodeSegment(signaturePart);
  if (!headerBytes || !payloadBytes || !signature) {
    return { ok: false, reason: "The DPoP proof is not base64url encoded." };
  }
  const jose = parseJsonObject(headerBytes);
  const claims = parseJsonObject(payloadBytes);
  if (!jose || !claims)
    return { ok: false, reason: "The DPoP proof header or payload is not a JSON object." };

  if (jose.typ !== "dpop+jwt")
    return { ok: false, reason: 'The DPoP proof header must have typ "dpop+jwt".' };
  if (jose.alg !== "ES256") return { ok: false, reason: 'The DPoP proof header must have alg "ES256".' };
  const jwk = jose.jwk;
  if (typeof jwk !== "object" || jwk === null || Array.isArray(jwk)) {
    return { ok: false, reason: "The DPoP proof header must carry the public key as jwk." };
  }
  const key = jwk as Record<string, unknown>;
  if (key.kty !== "EC" || key.crv !== "P-256") {
    return { ok: false, reason: "The DPoP key must be an EC P-256 key." };
  }
  if ("d" in key) return { ok: false, reason: "The DPoP jwk must not contain the private key." };
  const x = coordinate(key.x);
  const y = coordinate(key.y);
  if (!x || !y) return { ok: false, reason: "The DPoP jwk coordinates are malformed." };

  let publicKey: ReturnType<typeof createPublicKey>;
  try {
    publicKey = createPublicKey({
      key: { kty: "EC", crv: "P-256", x: x.toString("base64url"), y: y.toString("base64url") },
      format: "jwk",
    });
  } catch {
    return { ok: false, reason: "The DPoP jwk is not a point on P-256." };
  }
  if (signature.length !== 64) {
    return { ok: false, reason: "The DPoP signature must be 64 bytes (raw r||s)." };
  }
  const signingInput = Buffer.from(`${headerPart}.${payloadPart}`, "ascii");
  const valid = verify("sha256", signingInput, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature);
  if (!valid) return { ok: false, reason: "The DPoP proof signature is invalid." };

  if (claims.htm !== "POST") return { ok: false, reason: 'The DPoP proof must have htm "POST".' };
  if (typeof claims.htu !== "string" || !sameEndpoint(claims.htu, check.tokenUrl)) {
    return { ok: false, reason: `The DPoP proof htu must be ${check.tokenUrl}.` };
  }
  const iat = claims.iat;
  if (typeof iat !== "number" || !Number.isFinite(iat)) {
    return { ok: false, reason: "The DPoP proof must have a numeric iat." };
  }
  const skew = Math.abs(check.now / 1000 - iat);
  if (skew > DPOP_IAT_TOLERANCE_SECONDS) {
    return {
      ok: false,
      reason: `The DPoP proof iat is ${Math.round(skew)} s away from the server clock (at most ${DPOP_IAT_TOLERANCE_SECONDS} s).`,
    };
  }
  if (typeof claims.jti !== "string" || claims.jti.length === 0 || claims.jti.length > 256) {
    return { ok: false, reason: "The DPoP proof must have a jti string." };
  }
  if (!check.rememberJti(claims.jti, (iat + DPOP_IAT_TOLERANCE_SECONDS + 1) * 1000)) {
    return { ok: false, reason: "The DPoP proof jti was already used; make a new proof for every request." };
  }
  return { ok: true, jkt: jwkThumbprint(x, y) };
}

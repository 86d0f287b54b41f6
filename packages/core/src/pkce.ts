/**
 * PKCE secrets of one login: the code verifier, its S256 challenge and the OAuth `state`.
 * @see RFC 7636 §4.1–§4.2, docs/protocol.md §2.1
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { AwsLoginError } from "./errors.js";
import type { Random } from "./ports.js";

/** The unreserved characters RFC 7636 §4.1 allows in a code verifier. */
const VERIFIER_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/** Bytes at or above this value are rejected so `byte % 66` stays uniform (3 × 66 = 198). */
const UNBIASED_LIMIT = 256 - (256 % VERIFIER_ALPHABET.length);

/** Creates a code verifier of `length` unreserved characters, drawn without modulo bias. @see RFC 7636 §4.1 */
export function createCodeVerifier(random: Random, length = 64): string {
  if (!Number.isInteger(length) || length < 43 || length > 128) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `A PKCE code verifier must be 43 to 128 characters long, not ${length}.`,
    );
  }
  let verifier = "";
  while (verifier.length < length) {
    for (const byte of random.bytes(length - verifier.length + 8)) {
      if (byte >= UNBIASED_LIMIT) continue;
      verifier += VERIFIER_ALPHABET[byte % VERIFIER_ALPHABET.length];
      if (verifier.length === length) break;
    }
  }
  return verifier;
}

/** The S256 code challenge: base64url(SHA-256(ASCII verifier)) without padding, 43 characters. @see RFC 7636 §4.2 */
export function codeChallengeFor(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** A random (version 4) UUID in canonical lowercase form, as the CLI uses for `state`. @see RFC 9562 §5.4, docs/protocol.md §2.1 */
export function createState(random: Random): string {
  const bytes = Uint8Array.from(random.bytes(16).subarray(0, 16));
  if (bytes.length !== 16) {
    throw new AwsLoginError("INVALID_ARGUMENT", "The random source returned too few bytes for a UUID.");
  }
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Buffer.from(bytes).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Deterministic randomness for tests: SHA-256 in counter mode over a seed. The same seed gives the same bytes
 * (and so the same PKCE verifier, state, `jti` and DPoP key); successive calls differ, as real randomness does.
 *
 * Test support only: not part of the package's entry points.
 */
import { createHash } from "node:crypto";
import type { Random } from "../ports.js";

export function seededRandom(seed: string): Random {
  let counter = 0;
  return {
    bytes(length) {
      const out = new Uint8Array(length);
      for (let filled = 0; filled < length; ) {
        const block = createHash("sha256").update(`${seed}:${counter++}`).digest();
        const take = Math.min(block.length, length - filled);
        out.set(block.subarray(0, take), filled);
        filled += take;
      }
      return out;
    },
  };
}

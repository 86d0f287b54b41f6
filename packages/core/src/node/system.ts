/**
 * The real clock and the real randomness for the {@link Clock} and {@link Random} ports.
 * @see docs/protocol.md §2.1
 */
import { randomBytes } from "node:crypto";
import type { Clock, Random } from "../ports.js";
import { errnoCode } from "./errno.js";

/** The wall clock: milliseconds since the epoch from `Date.now()` (DPoP `iat`, `expiresAt`). @see docs/protocol.md §4.2 */
export const systemClock: Clock = { now: () => Date.now() };

/** Cryptographically secure random bytes from `crypto.randomBytes` (state, verifier, jti). @see docs/protocol.md §2.1 */
export const systemRandom: Random = { bytes: (length) => randomBytes(length) };

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

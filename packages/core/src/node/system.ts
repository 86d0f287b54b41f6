/**
 * The real clock (time and waits) and the real randomness for the {@link Clock} and {@link Random} ports.
 * @see docs/protocol.md §2.1
 */
import { randomBytes } from "node:crypto";
import type { Clock, Random } from "../ports.js";
import { errnoCode } from "./errno.js";

/**
 * The wall clock: milliseconds since the epoch from `Date.now()` (DPoP `iat`, `expiresAt`), and waits on Node's
 * timers that an abort clears at once. @see docs/protocol.md §4.2
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted === true) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener("abort", onAbort, { once: true });
    }),
};

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

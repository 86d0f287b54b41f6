/**
 * The real clock (time and waits) and the real randomness for the {@link Clock} and {@link Random} ports.
 * @see PROTOCOL.md §2.1
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import type { Clock, Random } from "../ports.js";
import { errnoCode } from "./errno.js";

/**
 * The wall clock: milliseconds since the epoch from `Date.now()` (DPoP `iat`, `expiresAt`), and waits on Node's
 * timers that an abort clears at once. @see PROTOCOL.md §4.2
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

/** Cryptographically secure random bytes from `crypto.randomBytes` (state, verifier, jti). @see PROTOCOL.md §2.1 */
export const systemRandom: Random = { bytes: (length) => randomBytes(length) };

/**
 * True inside a Docker/Podman/Kubernetes container (marker files or the `container` variable).
 * `AWSLOGIN_CONTAINER=0` or `=1` overrides the guess.
 */
export function isInContainer(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWSLOGIN_CONTAINER === "0" || env.AWSLOGIN_CONTAINER === "1") return env.AWSLOGIN_CONTAINER === "1";
  if (env.container || env.KUBERNETES_SERVICE_HOST) return true;
  return ["/.dockerenv", "/run/.containerenv"].some((path) => existsSync(path));
}

/** Whether a process with this pid runs on this machine (EPERM: it does, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM";
  }
}

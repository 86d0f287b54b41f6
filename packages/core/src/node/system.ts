/**
 * The real clock and the real randomness for the {@link Clock} and {@link Random} ports.
 * @see PROTOCOL.md §2.1
 */
import { randomBytes } from "node:crypto";
import type { Clock, Random } from "../ports.js";

/** The wall clock: milliseconds since the epoch from `Date.now()`. */
export const systemClock: Clock = { now: () => Date.now() };

/** Cryptographically secure random bytes from `crypto.randomBytes`. */
export const systemRandom: Random = { bytes: (length) => randomBytes(length) };

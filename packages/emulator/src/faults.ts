/**
 * Fault injection for `POST /v1/token` (and, when a fault names them, revoke, introspection and STS `AssumeRole`): the
 * next N calls fail with a given service error, an HTTP 429/500, a dropped connection, or a delay (alone or with another
 * fault).
 */

/** Service errors a fault can answer with. */
export type FaultError =
  | "TOKEN_EXPIRED"
  | "USER_CREDENTIALS_CHANGED"
  | "INSUFFICIENT_PERMISSIONS"
  | "AUTHCODE_EXPIRED"
  | "INVALID_REQUEST";

/** The operations a fault can apply to. */
export type FaultOperation = "token" | "revoke" | "introspect" | "assumeRole";

const FAULT_OPERATIONS: readonly FaultOperation[] = ["token", "revoke", "introspect", "assumeRole"];

/** What the next `count` calls of one operation do instead of their normal answer. */
export interface FaultSpec {
  /** How many calls the fault applies to (a positive integer). */
  count: number;
  /**
   * Which operation: `token` (CreateOAuth2Token, the default), `revoke` (RevokeOAuth2TokenWithIAM), `introspect`
   * (IntrospectOAuth2TokenWithIAM) or `assumeRole` (STS AssumeRole; status, drop or delayMs only). Each operation
   * takes only the faults that name it, in order.
   */
  operation?: FaultOperation;
  /** Answer with this service error (status and shape per docs/protocol.md §4.4). */
  error?: FaultError;
  /** Answer 429 TooManyRequestsError or 500 InternalServerException. */
  status?: 429 | 500;
  /** Destroy the connection without answering. */
  drop?: boolean;
  /** Wait this many milliseconds first (0–60000); alone it only delays the normal answer. */
  delayMs?: number;
}

const FAULT_ERRORS: readonly FaultError[] = [
  "TOKEN_EXPIRED",
  "USER_CREDENTIALS_CHANGED",
  "INSUFFICIENT_PERMISSIONS",
  "AUTHCODE_EXPIRED",
  "INVALID_REQUEST",
];

export const MAX_FAULT_DELAY_MS = 60_000;

/** Checks a fault spec from the library or from JSON; returns the problem, or undefined when it is valid. */
export function describeFaultProblem(spec: unknown): string | undefined {
  if (typeof spec !== "object" || spec === null || Array.isArray(spec))
    return "A fault must be a JSON object.";
  const s = spec as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (!["count", "operation", "error", "status", "drop", "delayMs"].includes(key))
      return `Unknown fault field "${key}".`;
  }
  if (typeof s.count !== "number" || !Number.isInteger(s.count) || s.count < 1 || s.count > 1_000_000) {
    return "count must be an integer from 1 to 1000000.";
  }
  if (s.operation !== undefined && !FAULT_OPERATIONS.includes(s.operation as FaultOperation)) {
    return `operation must be one of ${FAULT_OPERATIONS.join(", ")}.`;
  }
  if (s.operation === "assumeRole" && s.error !== undefined) {
    return "An assumeRole fault takes status, drop or delayMs, not error.";
  }
  if (s.error !== undefined && !FAULT_ERRORS.includes(s.error as FaultError)) {
    return `error must be one of ${FAULT_ERRORS.join(", ")}.`;
  }
  if (s.status !== undefined && s.status !== 429 && s.status !== 500) return "status must be 429 or 500.";
  if (s.drop !== undefined && typeof s.drop !== "boolean") return "drop must be a boolean.";
  if (
    s.delayMs !== undefined &&
    (typeof s.delayMs !== "number" ||
      !Number.isInteger(s.delayMs) ||
      s.delayMs < 0 ||
      s.delayMs > MAX_FAULT_DELAY_MS)
  ) {
    return `delayMs must be an integer from 0 to ${MAX_FAULT_DELAY_MS}.`;
  }
  const outcomes = [s.error !== undefined, s.status !== undefined, s.drop === true].filter(Boolean).length;
  if (outcomes > 1) return "Choose at most one of error, status and drop.";
  if (outcomes === 0 && s.delayMs === undefined) return "A fault needs error, status, drop or delayMs.";
  return undefined;
}

/** A first-in, first-out queue of faults; each call to {@link FaultQueue.take} uses up one. */
export class FaultQueue {
  private readonly queue: { spec: FaultSpec; remaining: number }[] = [];
  private appliedCount = 0;

  /** Adds a fault; throws a TypeError for an invalid spec. */
  add(spec: FaultSpec): void {
    const problem = describeFaultProblem(spec);
    if (problem) throw new TypeError(`Invalid fault: ${problem}`);
    const { count, operation, error, status, drop, delayMs } = spec;
    this.queue.push({ spec: { count, operation, error, status, drop, delayMs }, remaining: count });
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** The fault for the current call of `operation`, if any: the oldest pending fault that names it. */
  take(operation: FaultOperation = "token"): FaultSpec | undefined {
    const index = this.queue.findIndex((entry) => (entry.spec.operation ?? "token") === operation);
    const head = this.queue[index];
    if (!head) return undefined;
    head.remaining -= 1;
    if (head.remaining === 0) this.queue.splice(index, 1);
    this.appliedCount += 1;
    return head.spec;
  }

  /** Calls still to be faulted. */
  get pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** Calls a fault was applied to so far. */
  get applied(): number {
    return this.appliedCount;
  }
}

/**
 * What every request handler shares: the resolved options, the clock, the stores, and the shapes of
 * requests and replies passed between the router and the handlers.
 */
import { type KeyObject, timingSafeEqual } from "node:crypto";
import type { EventLog } from "./events.js";
import type { FaultQueue } from "./faults.js";
import type { FederationSettings } from "./federation.js";
import type { Identity } from "./identity.js";
import type { EmulatedRole } from "./roles.js";
import type { EmulatorState } from "./state.js";

/** Counters of what the emulator received. Every token request counts, refused and faulted ones too. */
export interface EmulatorStats {
  authorize: { requests: number; approved: number; denied: number; rejected: number };
  tokenRequests: { authorization_code: number; refresh_token: number; other: number };
  /** Token answers by outcome: "ok" or the `error` code sent (faults included); "dropped" for dropped connections. */
  tokenResults: Record<string, number>;
  sts: { requests: number; ok: number; errors: number };
  /** RevokeOAuth2TokenWithIAM calls: answered 200, and refused (auth, validation, access, faults). */
  revoke: { requests: number; ok: number; errors: number };
  /** IntrospectOAuth2TokenWithIAM calls: answered active, answered `{"active": false}`, and refused. */
  introspect: { requests: number; active: number; inactive: number; errors: number };
  /** STS AssumeRole calls (also counted in `sts`): answered with credentials, or refused (faults included). */
  assumeRole: { requests: number; ok: number; errors: number };
  faults: { applied: number; pending: number };
  /** The console federation endpoint: sign-in tokens issued, console logins, refused calls. */
  federation: { signinTokens: number; logins: number; refused: number };
}

export interface EmulatorContext {
  url: string;
  tokenUrl: string;
  region: string;
  identities: readonly Identity[];
  /** Roles STS AssumeRole accepts, by ARN. */
  roles: ReadonlyMap<string, EmulatedRole>;
  /** The accounts of the configured identities and roles: whom a role without trust patterns trusts. */
  organisation: ReadonlySet<string>;
  autoApprove: boolean;
  expiresIn: number;
  sessionDurationMs: number;
  refreshReuseWindowMs: number;
  codeTtlMs: number;
  now: () => number;
  state: EmulatorState;
  events: EventLog;
  faults: FaultQueue;
  stats: EmulatorStats;
  idTokenKey: { privateKey: KeyObject; kid: string; alg: "ES384" };
  /** The console federation endpoint's rule and store. */
  federation: FederationSettings;
  /** Aborted when the emulator closes, so delayed answers stop waiting. */
  closing: AbortSignal;
}

/** One received request, body already read. */
export interface IncomingCall {
  method: string;
  url: URL;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  sourceIp: string;
  userAgent: string;
  host: string;
  requestId: string;
}

/** What a handler wants sent back: an answer, or a dropped connection. */
export type Reply =
  | { status: number; headers?: Record<string, string>; body?: string; note?: string; drop?: undefined }
  | { drop: true; note?: string };

/** Reads the first value of a header. */
export function headerValue(call: IncomingCall, name: string): string | undefined {
  const value = call.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Compares two secrets (signatures, hashes, tokens) in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "utf8");
  const y = Buffer.from(b, "utf8");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A JSON reply. */
export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(value),
  };
}

/**
 * @awslogin/emulator — a local AWS Sign-In (authorize, token with PKCE + DPoP) and STS
 * GetCallerIdentity, for tests, demos and offline development. Binds 127.0.0.1 only.
 * @see docs/protocol.md §14 (emulator checklist)
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { SIGNIN_PATH } from "@awslogin/core";
import type { EmulatorContext, EmulatorStats } from "./context.js";
import { type CloudTrailEvent, EventLog } from "./events.js";
import { FaultQueue, type FaultSpec } from "./faults.js";
import { FederationStore } from "./federation.js";
import { DEFAULT_IDENTITY, parseIdentity } from "./identity.js";
import { base32Decode, parseRole, type RoleSpec, totpCode } from "./roles.js";
import { createEmulatorServer, snapshotStats } from "./server.js";
import { EmulatorState } from "./state.js";

export type { CloudTrailEvent, CloudTrailUserIdentity } from "./events.js";
export type { FaultError, FaultOperation, FaultSpec } from "./faults.js";
export type { Identity } from "./identity.js";
export type { RoleSpec } from "./roles.js";
export type { EmulatorStats };
export { DEFAULT_IDENTITY, parseIdentity };

/** Options of {@link startEmulator}. Every knob of `awslogin emulator` is one of these. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Identity ARNs that can sign in; the first is the default. Default `[DEFAULT_IDENTITY]`. */
  identities?: string[];
  /**
   * Roles STS AssumeRole accepts: `ARN[=trusted-principal-pattern[,pattern…]]` strings (as `--role` takes them) or
   * {@link RoleSpec} objects (which can also demand an ExternalId or an MFA code). Default: none.
   */
  roles?: (string | RoleSpec)[];
  /** Approve `/v1/authorize` at once as the first identity instead of showing the sign-in page. */
  autoApprove?: boolean;
  /** Lifetime of issued credentials in seconds, 1–900. Default 900. */
  expiresIn?: number;
  /** Seconds from the code exchange until refreshes fail with TOKEN_EXPIRED. Default 43200 (12 h). */
  sessionDuration?: number;
  /** Seconds after a rotation during which the old refresh token gets the same answer again. Default 0. */
  refreshReuseWindow?: number;
  /** Lifetime of authorization codes in seconds. Default 300. */
  codeTtl?: number;
  /** Region reported in CloudTrail events (`awsRegion`). Default `us-east-1`. */
  region?: string;
  /** Clock in ms since the epoch; inject one in tests. Default `Date.now`. */
  now?: () => number;
  /** Receives one line per request (method, path, status, time, outcome); never secrets. */
  logger?: (line: string) => void;
  /**
   * Whether the console federation endpoint (`/federation`) accepts a login session's own credentials, as well as
   * those from STS. Whether AWS does is unconfirmed; default false (only documented credentials).
   */
  federationAcceptsLoginCredentials?: boolean;
}

/** A running emulator. */
export interface Emulator {
  /** Base URL, `http://127.0.0.1:PORT` (no trailing slash). */
  url: string;
  port: number;
  /** Stops listening and ends every open connection, keep-alive ones included. */
  close(): Promise<void>;
  /**
   * Makes the next `fault.count` calls of `fault.operation` (token calls by default) fail as described; throws a
   * TypeError for a bad spec.
   */
  injectFault(fault: FaultSpec): void;
  /** Removes all pending faults. */
  clearFaults(): void;
  /** A snapshot of the request counters. */
  stats(): EmulatorStats;
  /** CloudTrail-shaped events of the Sign-In calls served so far, oldest first. */
  events(): CloudTrailEvent[];
}

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}; got ${String(value)}.`);
  }
  return resolved;
}

/**
 * The `code` of the TypeError or RangeError `startEmulator` rejects with when an option is invalid (a bad identity
 * ARN, a lifetime out of range, …), so that a caller such as `awslogin emulator` can tell a usage error from a bug.
 */
export const INVALID_EMULATOR_OPTION = "INVALID_EMULATOR_OPTION";

function readOptions(options: EmulatorOptions) {
  const port = integerOption("port", options.port, 0, 0, 65535);
  const expiresIn = integerOption("expiresIn", options.expiresIn, 900, 1, 900);
  const sessionDuration = integerOption("sessionDuration", options.sessionDuration, 43_200, 1, 366 * 86_400);
  const refreshReuseWindow = integerOption("refreshReuseWindow", options.refreshReuseWindow, 0, 0, 86_400);
  const codeTtl = integerOption("codeTtl", options.codeTtl, 300, 1, 86_400);
  const region = options.region ?? "us-east-1";
  if (!/^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(region))
    throw new RangeError(`region is not a region name: ${region}`);
  const arns = options.identities ?? [DEFAULT_IDENTITY];
  if (arns.length === 0) throw new RangeError("identities must name at least one identity ARN.");
  const identities = arns.map(parseIdentity);
  const roles = new Map(
    (options.roles ?? []).map((spec) => {
      const role = parseRole(spec);
      return [role.arn, role] as const;
    }),
  );
  return { roles, port, expiresIn, sessionDuration, refreshReuseWindow, codeTtl, region, identities };
}

/** Starts an emulator on 127.0.0.1 and resolves once it listens. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  let read: ReturnType<typeof readOptions>;
  try {
    read = readOptions(options);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError)
      Object.assign(error, { code: INVALID_EMULATOR_OPTION });
    throw error;
  }
  const { roles, port, expiresIn, sessionDuration, refreshReuseWindow, codeTtl, region, identities } = read;
  const now = options.now ?? Date.now;

  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-384" });
  const kid = randomUUID();
  const jwks = { keys: [{ ...publicKey.export({ format: "jwk" }), kid, alg: "ES384", use: "sig" }] };
  const closing = new AbortController();

  let context: EmulatorContext | undefined;
  const server = createEmulatorServer({
    context: () => {
      if (!context) throw new Error("The emulator is not listening yet.");
      return context;
    },
    logger: options.logger,
    jwks,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${actualPort}`;
  const faults = new FaultQueue();
  const ctx: EmulatorContext = {
    url,
    tokenUrl: `${url}${SIGNIN_PATH.token}`,
    region,
    identities,
    roles,
    organisation: new Set([
      ...identities.map((identity) => identity.accountId),
      ...[...roles.values()].map((role) => role.accountId),
    ]),
    autoApprove: options.autoApprove ?? false,
    expiresIn,
    sessionDurationMs: sessionDuration * 1000,
    refreshReuseWindowMs: refreshReuseWindow * 1000,
    codeTtlMs: codeTtl * 1000,
    now,
    state: new EmulatorState(),
    events: new EventLog(region, identities[0]!.accountId),
    faults,
    stats: {
      authorize: { requests: 0, approved: 0, denied: 0, rejected: 0 },
      tokenRequests: { authorization_code: 0, refresh_token: 0, other: 0 },
      tokenResults: {},
      sts: { requests: 0, ok: 0, errors: 0 },
      revoke: { requests: 0, ok: 0, errors: 0 },
      introspect: { requests: 0, active: 0, inactive: 0, errors: 0 },
      assumeRole: { requests: 0, ok: 0, errors: 0 },
      faults: { applied: 0, pending: 0 },
      federation: { signinTokens: 0, logins: 0, refused: 0 },
    },
    federation: {
      acceptLoginSessionCredentials: options.federationAcceptsLoginCredentials === true,
      store: new FederationStore(),
    },
    idTokenKey: { privateKey, kid, alg: "ES384" },
    closing: closing.signal,
  };
  context = ctx;

  let closed: Promise<void> | undefined;
  return {
    url,
    port: actualPort,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
    injectFault(fault) {
      faults.add(fault);
    },
    clearFaults() {
      faults.clear();
    },
    stats: () => snapshotStats(ctx),
    events: () => ctx.events.list(),
  };
}

/**
 * The current 6-digit RFC 6238 code (HMAC-SHA-1, 30-second steps) of a base32 MFA secret, as an authenticator app
 * shows it: what a test types at an MFA prompt for a role configured with `mfaSecret`.
 */
export function totpCodeFor(base32Secret: string, timeMs: number = Date.now()): string {
  const secret = base32Decode(base32Secret);
  if (!secret) throw new TypeError("The MFA secret is not base32.");
  return totpCode(secret, timeMs);
}

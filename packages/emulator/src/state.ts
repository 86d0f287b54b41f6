/**
 * Everything the emulator remembers between requests: pending sign-ins, authorization codes,
 * login sessions, refresh tokens, issued credentials and seen DPoP `jti`s. In memory only.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { type Identity, idCharacters } from "./identity.js";

/** The validated parameters of one `GET /v1/authorize`. */
export interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  scope: string;
  flow: "same-device" | "cross-device";
  userAgent: string;
  sourceIp: string;
  host: string;
}

/** A sign-in page that is waiting for a person's decision. */
export interface PendingSignIn {
  request: AuthorizeRequest;
  expiresAt: number;
}

/** An authorization code, bound to client, redirect, challenge and principal. */
export interface AuthCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  identity: Identity;
  expiresAt: number;
  used: boolean;
}

/** A login session: created by the code exchange, ended `sessionDuration` later. */
export interface LoginSession {
  id: string;
  identity: Identity;
  clientId: string;
  /** RFC 7638 thumbprint of the DPoP key the session is bound to (`cnf.jkt`). */
  jkt: string;
  startedAt: number;
  endsAt: number;
}

/** The JSON body of a successful token answer. @see docs/protocol.md §4.3 */
export interface TokenAnswer {
  accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  tokenType: "aws_sigv4";
  expiresIn: number;
  refreshToken: string;
  idToken?: string;
}

export interface RefreshTokenRecord {
  sessionId: string;
  /** Set once the token was exchanged: when, and what was answered (replayed inside the reuse window). */
  rotatedAt?: number;
  answer?: TokenAnswer;
}

/** Temporary credentials issued by a token answer, as STS checks them. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  identity: Identity;
  expiresAt: number;
  /**
   * Where they came from: a login session's token answer, or an STS call (AssumeRole). The federation endpoint
   * takes only the latter (docs/protocol.md §17.4).
   */
  origin: CredentialOrigin;
}

/** Who issued a set of credentials: the Sign-In token endpoint (`login-session`) or STS (`sts`). */
export type CredentialOrigin = "login-session" | "sts";

/** A random opaque string of `bytes` bytes, base64url without padding. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString("base64url");
}

/** The in-memory store. Time is always passed in, never read. */
export class EmulatorState {
  readonly pending = new Map<string, PendingSignIn>();
  readonly codes = new Map<string, AuthCode>();
  readonly sessions = new Map<string, LoginSession>();
  readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  readonly credentials = new Map<string, IssuedCredentials>();
  /** jti → the time after which its proof is stale anyway (insertion ordered, so oldest first). */
  private readonly jtis = new Map<string, number>();

  constructor(private readonly maxJtis = 10_000) {}

  /** Remembers a pending sign-in and returns its one-time request id. */
  addPending(request: AuthorizeRequest, expiresAt: number): string {
    const id = randomToken(24);
    this.pending.set(id, { request, expiresAt });
    return id;
  }

  /** Issues a single-use authorization code. */
  issueCode(code: Omit<AuthCode, "used">): string {
    const value = randomToken(32);
    this.codes.set(value, { ...code, used: false });
    return value;
  }

  /** Starts a login session. */
  startSession(session: Omit<LoginSession, "id">): LoginSession {
    const record = { id: randomUUID(), ...session };
    this.sessions.set(record.id, record);
    return record;
  }

  /** Issues a new refresh token for a session. */
  issueRefreshToken(sessionId: string): string {
    const token = `rt.${randomToken(48)}`;
    this.refreshTokens.set(token, { sessionId });
    return token;
  }

  /** Issues temporary credentials shaped like STS session credentials (`origin`: who issues them; default STS). */
  issueCredentials(
    identity: Identity,
    expiresAt: number,
    origin: CredentialOrigin = "sts",
  ): IssuedCredentials {
    const creds: IssuedCredentials = {
      accessKeyId: `ASIA${idCharacters(randomBytes(16))}`,
      secretAccessKey: randomBytes(30).toString("base64"),
      sessionToken: `IQoJb3JpZ2luX2VtdWxhdG9y${randomBytes(192).toString("base64")}`,
      identity,
      expiresAt,
      origin,
    };
    this.credentials.set(creds.accessKeyId, creds);
    return creds;
  }

  /**
   * Records a DPoP `jti`; false when it was already seen and is still within its freshness window.
   * The set is bounded: expired entries go first, then the oldest.
   */
  rememberJti(jti: string, staleAfter: number, now: number): boolean {
    const seen = this.jtis.get(jti);
    if (seen !== undefined && seen > now) return false;
    this.jtis.delete(jti);
    this.jtis.set(jti, staleAfter);
    if (this.jtis.size > this.maxJtis) {
      for (const [key, until] of this.jtis) {
        if (until <= now) this.jtis.delete(key);
      }
      while (this.jtis.size > this.maxJtis) {
        const oldest = this.jtis.keys().next().value as string;
        this.jtis.delete(oldest);
      }
    }
    return true;
  }

  /** Drops expired pending sign-ins and codes so a long-running emulator does not grow. */
  sweep(now: number): void {
    for (const [id, entry] of this.pending) if (entry.expiresAt <= now) this.pending.delete(id);
    for (const [code, entry] of this.codes) if (entry.expiresAt + 3_600_000 <= now) this.codes.delete(code);
  }
}

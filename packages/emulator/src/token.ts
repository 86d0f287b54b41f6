/**
 * `POST /v1/token` — CreateOAuth2Token: authorization-code exchange and refresh-token rotation, with
 * DPoP proofs, PKCE, refresh-token binding to the DPoP key, an idempotency window, and faults.
 * @see docs/protocol.md §4, RFC 6749 §4.1.3 and §6, RFC 7636 §4.6, RFC 9449 §5
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { CLIENT_ID, type OAuth2ErrorCode, SERVICE_ERRORS, TOKEN_TYPE } from "@awslogin/core";
import { SignJWT } from "jose";
import {
  constantTimeEqual,
  type EmulatorContext,
  headerValue,
  type IncomingCall,
  jsonReply,
  type Reply,
} from "./context.js";
import { verifyDpopProof } from "./dpop-verify.js";
import type { FaultSpec } from "./faults.js";
import type { Identity } from "./identity.js";
import type { LoginSession, TokenAnswer } from "./state.js";

/** The fields of a token request body, whichever encoding it came in. */
interface TokenBody {
  clientId?: string;
  grantType?: string;
  code?: string;
  codeVerifier?: string;
  redirectUri?: string;
  refreshToken?: string;
}

const FORM_NAMES: Record<string, keyof TokenBody> = {
  client_id: "clientId",
  grant_type: "grantType",
  code: "code",
  code_verifier: "codeVerifier",
  redirect_uri: "redirectUri",
  refresh_token: "refreshToken",
};
const JSON_NAMES: readonly (keyof TokenBody)[] = [
  "clientId",
  "grantType",
  "code",
  "codeVerifier",
  "redirectUri",
  "refreshToken",
];
const UNRESERVED_43_128 = /^[A-Za-z0-9\-._~]{43,128}$/;
const CLIENT_IDS: readonly string[] = [CLIENT_ID.sameDevice, CLIENT_ID.crossDevice];

type ErrorName = OAuth2ErrorCode | "THROTTLED";

class TokenError extends Error {
  constructor(
    readonly code: ErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** Parses a JSON or form body into {@link TokenBody}; throws a TokenError for malformed input. */
function parseBody(call: IncomingCall): TokenBody {
  const contentType = (headerValue(call, "content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  const text = call.body.toString("utf8");
  if (text.trim() === "") throw new TokenError("INVALID_REQUEST", "The request body is empty.");
  const body: TokenBody = {};
  if (contentType === "application/x-www-form-urlencoded") {
    const params = new URLSearchParams(text);
    for (const [name, field] of Object.entries(FORM_NAMES)) {
      const values = params.getAll(name);
      if (values.length > 1)
        throw new TokenError("INVALID_REQUEST", `The parameter ${name} appears more than once.`);
      if (values.length === 1) body[field] = values[0];
    }
    return body;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new TokenError("INVALID_REQUEST", "The request body is not valid JSON.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new TokenError("INVALID_REQUEST", "The request body must be a JSON object.");
  }
  const record = parsed as Record<string, unknown>;
  for (const field of JSON_NAMES) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") throw new TokenError("INVALID_REQUEST", `${field} must be a string.`);
    body[field] = value;
  }
  return body;
}

/** The grant type a request is counted under in the stats. */
function grantOf(body: TokenBody | undefined): "authorization_code" | "refresh_token" | "other" {
  const grant = body?.grantType;
  return grant === "authorization_code" || grant === "refresh_token" ? grant : "other";
}

function requireLength(value: string | undefined, name: string, max: number): string {
  if (value === undefined || value === "") throw new TokenError("INVALID_REQUEST", `${name} is required.`);
  if (value.length > max)
    throw new TokenError("INVALID_REQUEST", `${name} must be at most ${max} characters.`);
  return value;
}

/** base64url(SHA-256(verifier)) without padding. @see RFC 7636 §4.2 */
export function s256(verifier: string): string {
  return createHash("sha256").update(verifier, "ascii").digest("base64url");
}

/** The `error` the body names: a throttled call has no OAuth error of its own. @see docs/protocol.md §4.4 */
function oauthErrorOf(code: ErrorName): OAuth2ErrorCode {
  return code === "THROTTLED" ? "INVALID_REQUEST" : code;
}

/** The error answer: status and `x-amzn-errortype` per docs/protocol.md §4.4, body `{error, message}`. */
export function tokenErrorReply(code: ErrorName, message: string): Reply {
  const shape = SERVICE_ERRORS[code];
  return jsonReply(
    shape.status,
    { error: oauthErrorOf(code), message },
    { "x-amzn-errortype": shape.type, "cache-control": "no-store", pragma: "no-cache" },
  );
}

const FAULT_MESSAGES: Record<ErrorName, string> = {
  TOKEN_EXPIRED: "Your session has expired. Sign in again.",
  USER_CREDENTIALS_CHANGED: "Your credentials changed since you signed in. Sign in again.",
  INSUFFICIENT_PERMISSIONS: "You are not allowed to perform signin:CreateOAuth2Token.",
  AUTHCODE_EXPIRED: "The authorization code has expired. Sign in again.",
  INVALID_REQUEST: "The request is invalid.",
  THROTTLED: "Rate exceeded. Retry later.",
  server_error: "An internal error occurred. Retry later.",
};

function faultError(fault: FaultSpec): ErrorName | undefined {
  if (fault.error) return fault.error;
  if (fault.status === 429) return "THROTTLED";
  if (fault.status === 500) return "server_error";
  return undefined;
}

/** The principal a request is about, looked up without consuming anything (for events). */
function peekSession(
  ctx: EmulatorContext,
  body: TokenBody | undefined,
): { identity?: Identity; since?: number } | undefined {
  if (!body) return undefined;
  if (body.grantType === "authorization_code" && body.code) {
    const code = ctx.state.codes.get(body.code);
    return code ? { identity: code.identity } : undefined;
  }
  if (body.grantType === "refresh_token" && body.refreshToken) {
    const record = ctx.state.refreshTokens.get(body.refreshToken);
    const session = record && ctx.state.sessions.get(record.sessionId);
    return session ? { identity: session.identity, since: session.startedAt } : undefined;
  }
  return undefined;
}

async function signIdToken(ctx: EmulatorContext, session: LoginSession, expiresIn: number): Promise<string> {
  const iat = Math.floor(ctx.now() / 1000);
  return new SignJWT({ session_arn: session.identity.arn })
    .setProtectedHeader({ alg: ctx.idTokenKey.alg, kid: ctx.idTokenKey.kid, typ: "JWT" })
    .setSubject(session.identity.arn)
    .setAudience(session.clientId.replace(":devtools/", ":cli/"))
    .setIssuer(`${ctx.url}/signin`)
    .setIssuedAt(iat)
    .setExpirationTime(iat + expiresIn)
    .sign(ctx.idTokenKey.privateKey);
}

/** New credentials and a new refresh token for a session; credentials never outlive the session. */
function issueAnswer(ctx: EmulatorContext, session: LoginSession, now: number): TokenAnswer {
  const remaining = Math.floor((session.endsAt - now) / 1000);
  const expiresIn = Math.max(1, Math.min(ctx.expiresIn, remaining));
  const creds = ctx.state.issueCredentials(session.identity, now + expiresIn * 1000, "login-session");
  return {
    accessToken: {
      accessKeyId: creds.accessKeyId,
      secretAccessKey: creds.secretAccessKey,
      sessionToken: creds.sessionToken,
    },
    tokenType: TOKEN_TYPE,
    expiresIn,
    refreshToken: ctx.state.issueRefreshToken(session.id),
  };
}

interface GrantOutcome {
  answer: TokenAnswer;
  session: LoginSession;
  replayed: boolean;
}

async function exchangeCode(
  ctx: EmulatorContext,
  body: TokenBody,
  jkt: string,
  now: number,
): Promise<GrantOutcome> {
  const codeValue = requireLength(body.code, "code", 512);
  const verifier = body.codeVerifier;
  if (verifier === undefined || !UNRESERVED_43_128.test(verifier)) {
    throw new TokenError(
      "INVALID_REQUEST",
      "codeVerifier must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~.",
    );
  }
  const redirectUri = requireLength(body.redirectUri, "redirectUri", 2048);
  const code = ctx.state.codes.get(codeValue);
  if (!code) {
    throw new TokenError("AUTHCODE_EXPIRED", "The authorization code is not valid. Sign in again.");
  }
  if (code.used) {
    throw new TokenError("AUTHCODE_EXPIRED", "The authorization code was already used. Sign in again.");
  }
  // A code gets one redemption attempt, successful or not.
  code.used = true;
  if (now >= code.expiresAt) {
    throw new TokenError("AUTHCODE_EXPIRED", "The authorization code has expired. Sign in again.");
  }
  if (code.clientId !== body.clientId) {
    throw new TokenError("INVALID_REQUEST", "clientId does not match the client the code was issued to.");
  }
  if (code.redirectUri !== redirectUri) {
    throw new TokenError(
      "INVALID_REQUEST",
      "redirectUri does not match the redirect_uri of the authorization request.",
    );
  }
  if (!constantTimeEqual(s256(verifier), code.codeChallenge)) {
    throw new TokenError("INVALID_REQUEST", "codeVerifier does not match the code_challenge (PKCE SHA-256).");
  }
  const session = ctx.state.startSession({
    identity: code.identity,
    clientId: code.clientId,
    jkt,
    startedAt: now,
    endsAt: now + ctx.sessionDurationMs,
  });
  const answer = issueAnswer(ctx, session, now);
  answer.idToken = await signIdToken(ctx, session, answer.expiresIn);
  return { answer, session, replayed: false };
}

function refresh(ctx: EmulatorContext, body: TokenBody, jkt: string, now: number): GrantOutcome {
  const token = requireLength(body.refreshToken, "refreshToken", 2048);
  const record = ctx.state.refreshTokens.get(token);
  const session = record && ctx.state.sessions.get(record.sessionId);
  if (!record || !session) {
    throw new TokenError("TOKEN_EXPIRED", "The refresh token is not valid. Sign in again.");
  }
  if (session.clientId !== body.clientId) {
    throw new TokenError(
      "INVALID_REQUEST",
      "clientId does not match the client the session was created for.",
    );
  }
  if (session.jkt !== jkt) {
    throw new TokenError(
      "INVALID_REQUEST",
      "The DPoP key does not match the key the refresh token is bound to (cnf.jkt). Use the key from the login.",
    );
  }
  if (now >= session.endsAt) {
    throw new TokenError("TOKEN_EXPIRED", "Your session has ended. Sign in again.");
  }
  if (record.rotatedAt !== undefined) {
    if (record.answer && ctx.refreshReuseWindowMs > 0 && now - record.rotatedAt <= ctx.refreshReuseWindowMs) {
      return { answer: record.answer, session, replayed: true };
    }
    // Past the window the stored answer can never be replayed again; do not keep its secrets.
    record.answer = undefined;
    throw new TokenError("TOKEN_EXPIRED", "The refresh token was already used. Sign in again.");
  }
  const answer = issueAnswer(ctx, session, now);
  record.rotatedAt = now;
  if (ctx.refreshReuseWindowMs > 0) record.answer = answer;
  return { answer, session, replayed: false };
}

/** Handles one `POST /v1/token`. */
export async function handleToken(ctx: EmulatorContext, call: IncomingCall): Promise<Reply> {
  let body: TokenBody | undefined;
  let parseError: TokenError | undefined;
  try {
    body = parseBody(call);
  } catch (error) {
    parseError = error as TokenError;
  }
  ctx.stats.tokenRequests[grantOf(body)] += 1;
  const count = (key: string) => {
    ctx.stats.tokenResults[key] = (ctx.stats.tokenResults[key] ?? 0) + 1;
  };
  const known = peekSession(ctx, body);
  const record = (error?: { code: ErrorName; message: string }, outcome?: GrantOutcome) => {
    const identity = outcome?.session.identity ?? known?.identity;
    ctx.events.record({
      eventName: "CreateOAuth2Token",
      time: ctx.now(),
      identity,
      sessionCreatedAt: outcome?.session.startedAt ?? known?.since,
      sourceIp: call.sourceIp,
      userAgent: call.userAgent,
      host: call.host,
      requestId: call.requestId,
      requestParameters: body?.clientId !== undefined ? { client_id: body.clientId.slice(0, 2048) } : {},
      error: error
        ? {
            code: SERVICE_ERRORS[error.code].type,
            message: error.message,
            oauthError: oauthErrorOf(error.code),
          }
        : undefined,
    });
  };
  const fail = (code: ErrorName, message: string): Reply => {
    count(code);
    record({ code, message });
    return { ...tokenErrorReply(code, message), note: code };
  };

  const fault = ctx.faults.take();
  if (fault) {
    if (fault.delayMs) {
      try {
        await sleep(fault.delayMs, undefined, { signal: ctx.closing });
      } catch {
        return { drop: true, note: "closed while delaying" };
      }
    }
    if (fault.drop) {
      count("dropped");
      return { drop: true, note: "fault: dropped" };
    }
    const error = faultError(fault);
    if (error) return fail(error, FAULT_MESSAGES[error]);
  }

  if (parseError || !body) {
    return fail("INVALID_REQUEST", parseError?.message ?? "The request body is invalid.");
  }
  const now = ctx.now();
  try {
    if (body.clientId === undefined || !CLIENT_IDS.includes(body.clientId)) {
      throw new TokenError("INVALID_REQUEST", `clientId must be ${CLIENT_IDS.join(" or ")}.`);
    }
    if (body.grantType !== "authorization_code" && body.grantType !== "refresh_token") {
      throw new TokenError("INVALID_REQUEST", "grantType must be authorization_code or refresh_token.");
    }
    const dpop = verifyDpopProof({
      header: call.headers.dpop,
      tokenUrl: ctx.tokenUrl,
      now,
      rememberJti: (jti, staleAfter) => ctx.state.rememberJti(jti, staleAfter, now),
    });
    if (!dpop.ok) throw new TokenError("INVALID_REQUEST", dpop.reason);
    const outcome =
      body.grantType === "authorization_code"
        ? await exchangeCode(ctx, body, dpop.jkt, now)
        : refresh(ctx, body, dpop.jkt, now);
    count(outcome.replayed ? "replayed" : "ok");
    record(undefined, outcome);
    ctx.state.sweep(now);
    return {
      ...jsonReply(200, outcome.answer, { "cache-control": "no-store", pragma: "no-cache" }),
      note: `${body.grantType}${outcome.replayed ? " (replayed)" : ""}`,
    };
  } catch (error) {
    if (error instanceof TokenError) return fail(error.code, error.message);
    throw error;
  }
}

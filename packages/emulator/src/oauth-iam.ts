/**
 * `POST /v1/revoke` (RevokeOAuth2TokenWithIAM, RFC 7009) and `POST /v1/introspect` (IntrospectOAuth2TokenWithIAM,
 * RFC 7662), both with `?x-amz-client-auth-method=iam`: rest-json calls signed with SigV4 (signing name `signin`) by
 * credentials the token endpoint issued.
 *
 * Who may revoke what (our rule; the service's IAM rules are not public): the caller must sign with valid, unexpired
 * emulator-issued credentials. A token the emulator never issued, or one that is malformed, gets 200 and changes
 * nothing (RFC 7009 §2.2). A known refresh token of another account is refused with AccessDeniedException, as RFC 7009
 * §2.1 refuses a token issued to another client, whatever state that token is in; any principal of the token's
 * account may revoke it (the emulator models no IAM policies). Introspection never refuses a token: anything the
 * caller may not see is `{"active": false}`.
 * @see docs/protocol.md §16.2, §16.3
 */
import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { IAM_CLIENT_AUTH_QUERY, SERVICE_ERRORS, SIGNIN_SIGNING_NAME } from "@awslogin/core";
import {
  constantTimeEqual,
  type EmulatorContext,
  headerValue,
  type IncomingCall,
  jsonReply,
  type Reply,
} from "./context.js";
import type { CallRecord } from "./events.js";
import type { FaultOperation } from "./faults.js";
import { computeSigV4Signature, parseAmzDate, parseSigV4Authorization } from "./sigv4-verify.js";
import type { IssuedCredentials } from "./state.js";
import { type ErrorName, FAULT_MESSAGES, faultError, oauthErrorOf, tokenErrorReply } from "./token.js";

/** Revoke and introspection accept tokens up to this length. @see docs/protocol.md §16.4 */
export const MAX_TOKEN_LENGTH = 4096;
const MAX_SIGNATURE_SKEW_MS = 15 * 60 * 1000;
const TOKEN_HINTS = ["access_token", "refresh_token"] as const;

type Operation = "revoke" | "introspect";
const EVENT_NAMES = {
  revoke: "RevokeOAuth2TokenWithIAM",
  introspect: "IntrospectOAuth2TokenWithIAM",
} as const satisfies Record<Operation, CallRecord["eventName"]>;

/** An authentication failure, shaped as AWS's common rest-json errors (`x-amzn-errortype` + `{message}`). */
function authErrorReply(type: string, message: string): Reply {
  return { ...jsonReply(403, { message }, { "x-amzn-errortype": type }), note: type };
}

/**
 * Checks the SigV4 signature with the issued credentials it names; the credentials, or the reply refusing the call.
 * The checks follow STS's (sts.ts) with the signing name `signin` and rest-json error shapes.
 */
async function authenticate(
  ctx: EmulatorContext,
  call: IncomingCall,
): Promise<{ issued: IssuedCredentials } | { reply: Reply }> {
  const authorization = headerValue(call, "authorization");
  if (!authorization) {
    return { reply: authErrorReply("MissingAuthenticationTokenException", "Missing Authentication Token") };
  }
  const auth = parseSigV4Authorization(authorization);
  if ("problem" in auth) return { reply: authErrorReply("IncompleteSignatureException", auth.problem) };
  const signingDate = parseAmzDate(headerValue(call, "x-amz-date"));
  if (!signingDate || !auth.signedHeaders.includes("host")) {
    return {
      reply: authErrorReply(
        "IncompleteSignatureException",
        "The request must sign the host header and carry X-Amz-Date.",
      ),
    };
  }
  if (auth.service !== SIGNIN_SIGNING_NAME) {
    return {
      reply: authErrorReply(
        "InvalidSignatureException",
        `Credential should be scoped to correct service: '${SIGNIN_SIGNING_NAME}'.`,
      ),
    };
  }
  const contentHash = headerValue(call, "x-amz-content-sha256");
  if (
    contentHash !== undefined &&
    contentHash !== "UNSIGNED-PAYLOAD" &&
    !constantTimeEqual(createHash("sha256").update(call.body).digest("hex"), contentHash)
  ) {
    return {
      reply: authErrorReply(
        "InvalidSignatureException",
        "The provided 'x-amz-content-sha256' header does not match what was computed.",
      ),
    };
  }
  const issued = ctx.state.credentials.get(auth.accessKeyId);
  if (!issued || !constantTimeEqual(issued.sessionToken, headerValue(call, "x-amz-security-token") ?? "")) {
    return {
      reply: authErrorReply(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      ),
    };
  }
  const expected = await computeSigV4Signature(call, auth, issued, signingDate);
  if (!constantTimeEqual(expected, auth.signature)) {
    return {
      reply: authErrorReply(
        "InvalidSignatureException",
        "The request signature we calculated does not match the signature you provided.",
      ),
    };
  }
  const now = ctx.now();
  if (now >= issued.expiresAt) {
    return {
      reply: authErrorReply("ExpiredTokenException", "The security token included in the request is expired"),
    };
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_SIGNATURE_SKEW_MS) {
    return {
      reply: authErrorReply(
        "InvalidSignatureException",
        "Signature expired: the request time is more than 15 minutes away from the server time.",
      ),
    };
  }
  return { issued };
}

class ServiceError extends Error {
  constructor(
    readonly code: ErrorName,
    message: string,
  ) {
    super(message);
  }
}

/** The validated body: `token` (1–4096 characters) and, for introspection, an optional `token_type_hint`. */
function parseBody(call: IncomingCall, operation: Operation): { token: string; hint?: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(call.body.toString("utf8"));
  } catch {
    throw new ServiceError("INVALID_REQUEST", "The request body must be a JSON object.");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ServiceError("INVALID_REQUEST", "The request body must be a JSON object.");
  }
  const { token, token_type_hint: hint } = parsed as Record<string, unknown>;
  if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
    throw new ServiceError(
      "INVALID_REQUEST",
      `token must be a string of 1 to ${MAX_TOKEN_LENGTH} characters.`,
    );
  }
  if (operation === "introspect" && hint !== undefined && hint !== null) {
    if (typeof hint !== "string" || !(TOKEN_HINTS as readonly string[]).includes(hint)) {
      throw new ServiceError("INVALID_REQUEST", "token_type_hint must be access_token or refresh_token.");
    }
    return { token, hint };
  }
  return { token };
}

/** Revokes the chain of a refresh token; idempotent (docs/protocol.md §16.2). */
function revoke(ctx: EmulatorContext, caller: IssuedCredentials, token: string, now: number): Reply {
  if (token.startsWith("ASOA")) {
    throw new ServiceError("INVALID_REQUEST", "Only refresh tokens can be revoked; this is an access token.");
  }
  const record = ctx.state.refreshTokens.get(token);
  const session = record && ctx.state.sessions.get(record.sessionId);
  if (session) {
    if (session.identity.accountId !== caller.identity.accountId) {
      throw new ServiceError(
        "INSUFFICIENT_PERMISSIONS",
        "You are not allowed to revoke a token of another account.",
      );
    }
    session.revokedAt ??= now;
    // The replayable answers of the chain hold credentials nobody may collect any more.
    for (const other of ctx.state.refreshTokens.values()) {
      if (other.sessionId === session.id) other.answer = undefined;
    }
  }
  return { status: 200, headers: { "cache-control": "no-store" }, note: "revoked" };
}

/** What introspection says about a token; `{active: false}` unless it is a live refresh token of the caller's account. */
function introspect(
  ctx: EmulatorContext,
  caller: IssuedCredentials,
  token: string,
  now: number,
): Record<string, unknown> {
  const inactive = { active: false };
  const record = ctx.state.refreshTokens.get(token);
  const session = record && ctx.state.sessions.get(record.sessionId);
  if (!record || !session) return inactive;
  // A rotated token stays usable only inside the reuse window, as refresh() decides.
  const rotatedAway =
    record.rotatedAt !== undefined &&
    !(ctx.refreshReuseWindowMs > 0 && now - record.rotatedAt <= ctx.refreshReuseWindowMs);
  if (
    session.revokedAt !== undefined ||
    now >= session.endsAt ||
    rotatedAway ||
    session.identity.accountId !== caller.identity.accountId
  ) {
    return inactive;
  }
  const { identity } = session;
  const iat = Math.floor(record.issuedAt / 1000);
  return {
    active: true,
    client_id: session.clientId,
    user_id: identity.userId,
    token_type: "refresh_token",
    exp: Math.floor(session.endsAt / 1000),
    iat,
    nbf: iat,
    sub: identity.arn,
    iss: "signin.amazonaws.com",
    jti: record.jti,
    account_id: identity.accountId,
    signin_session: `arn:${identity.partition}:signin:${ctx.region}:${identity.accountId}:session/${session.id}`,
  };
}

/** Handles `POST /v1/revoke` or `POST /v1/introspect`. */
export async function handleOAuthIam(
  ctx: EmulatorContext,
  call: IncomingCall,
  operation: Operation,
): Promise<Reply> {
  const stats = ctx.stats[operation];
  stats.requests += 1;
  const reply = await answer(ctx, call, operation);
  if ("status" in reply && reply.status === 200) {
    if (operation === "revoke") ctx.stats.revoke.ok += 1;
    else if (reply.note === "active") ctx.stats.introspect.active += 1;
    else ctx.stats.introspect.inactive += 1;
  } else {
    stats.errors += 1;
  }
  return reply;
}

async function answer(ctx: EmulatorContext, call: IncomingCall, operation: Operation): Promise<Reply> {
  if (call.url.search !== `?${IAM_CLIENT_AUTH_QUERY}`) {
    return jsonReply(
      404,
      { message: `This operation is POST ${call.url.pathname}?${IAM_CLIENT_AUTH_QUERY}.` },
      { "x-amzn-errortype": "UnknownOperationException" },
    );
  }
  const record = (fields: Partial<CallRecord>) =>
    ctx.events.record({
      eventName: EVENT_NAMES[operation],
      time: ctx.now(),
      sourceIp: call.sourceIp,
      userAgent: call.userAgent,
      host: call.host,
      requestId: call.requestId,
      requestParameters: {},
      readOnly: operation === "introspect",
      ...fields,
    });
  const fail = (code: ErrorName, message: string, caller?: IssuedCredentials): Reply => {
    record({
      identity: caller?.identity,
      error: { code: SERVICE_ERRORS[code].type, message, oauthError: oauthErrorOf(code) },
    });
    return { ...tokenErrorReply(code, message), note: code };
  };

  const fault = ctx.faults.take(operation satisfies FaultOperation);
  if (fault) {
    if (fault.delayMs) {
      try {
        await sleep(fault.delayMs, undefined, { signal: ctx.closing });
      } catch {
        return { drop: true, note: "closed while delaying" };
      }
    }
    if (fault.drop) return { drop: true, note: "fault: dropped" };
    const error = faultError(fault);
    if (error) return fail(error, FAULT_MESSAGES[error]);
  }

  const auth = await authenticate(ctx, call);
  if ("reply" in auth) {
    const reply = auth.reply;
    record({ error: { code: reply.note ?? "AccessDenied", message: "The request was not authenticated." } });
    return reply;
  }
  const caller = auth.issued;
  const now = ctx.now();
  try {
    const body = parseBody(call, operation);
    if (operation === "revoke") {
      const reply = revoke(ctx, caller, body.token, now);
      record({ identity: caller.identity });
      return reply;
    }
    const result = introspect(ctx, caller, body.token, now);
    record({
      identity: caller.identity,
      requestParameters: body.hint === undefined ? {} : { token_type_hint: body.hint },
    });
    return {
      ...jsonReply(200, result, { "cache-control": "no-store" }),
      note: result.active ? "active" : "inactive",
    };
  } catch (error) {
    if (error instanceof ServiceError) return fail(error.code, error.message, caller);
    throw error;
  }
}

/**
 * The session as the Sign-In service sees it: revoke a refresh token and its rotation chain
 * (`RevokeOAuth2TokenWithIAM`, RFC 7009) and ask whether a token is still active (`IntrospectOAuth2TokenWithIAM`,
 * RFC 7662). Both are rest-json calls signed with SigV4 (signing name `signin`) by the session's own credentials, sent
 * through the Transport port to the origin the refresh uses (or the rule set's OAuth host). Pure: time comes from
 * the caller's clock.
 * @see docs/protocol.md §16.2, §16.3, §16.5
 */
import { AwsLoginError } from "./errors.js";
import type { HttpRequest, HttpResponse, Transport } from "./ports.js";
import { IAM_CLIENT_AUTH_QUERY, SIGNIN_PATH, SIGNIN_SIGNING_NAME } from "./protocol.js";
import { type RefreshOptions, refreshEndpoint, refreshRegion } from "./refresh.js";
import { type SigV4Credentials, signRequest } from "./sigv4.js";
import type { TokenCacheRecord } from "./token-cache.js";

/** The service takes tokens up to this length (docs/protocol.md §16.4). */
export const MAX_SERVICE_TOKEN_LENGTH = 4096;
/** Answers longer than this are not read as introspection results. */
const MAX_ANSWER_CHARS = 64 * 1024;

/** Where a session's revoke and introspection calls go, and the region they are signed for. */
export interface SessionServiceEndpoint {
  /** `scheme://host[:port][/path]` without a trailing slash; the operation's path follows it. */
  baseUrl: string;
  /** The signing region: the region the refresh resolves (the record's `signInRegion` first). */
  region: string;
}

const PUBLIC_TOKEN_HOST = /^([a-z0-9-]+)\.signin\.aws\.amazon\.com$/;

/**
 * Where the `…WithIAM` operations of a session go: the same resolution as the refresh ({@link refreshEndpoint}, so
 * every endpoint setting the refresh honours applies), with the rule set's OAuth host `https://{region}.oauth.signin.aws`
 * in place of the `aws` partition's default host. Throws what the refresh's resolution throws (NO_REGION,
 * INSECURE_ENDPOINT, INVALID_ARGUMENT).
 * @see docs/protocol.md §16.2, §16.5
 */
export function sessionServiceEndpoint(
  record: TokenCacheRecord,
  options: Pick<RefreshOptions, "region" | "env" | "endpointUrl" | "settings">,
): SessionServiceEndpoint {
  const endpoint = refreshEndpoint(record, options);
  const tokenUrl = new URL(endpoint.tokenUrl);
  const base = endpoint.tokenUrl.slice(0, endpoint.tokenUrl.length - SIGNIN_PATH.token.length);
  const publicHost = endpoint.source === "partition" ? PUBLIC_TOKEN_HOST.exec(tokenUrl.hostname) : null;
  const region = signingRegionOf(record, options, publicHost?.[1]);
  if (publicHost) return { baseUrl: `https://${publicHost[1]}.oauth.signin.aws`, region };
  return { baseUrl: base, region };
}

function signingRegionOf(
  record: TokenCacheRecord,
  options: Pick<RefreshOptions, "region" | "env" | "endpointUrl" | "settings">,
  fromHost: string | undefined,
): string {
  const region = fromHost ?? refreshRegion(record, options);
  if (region === undefined) {
    throw new AwsLoginError(
      "NO_REGION",
      "The cached session records no region to sign the request for and none is configured. Set region in the profile or AWS_REGION.",
    );
  }
  return region;
}

/** One signed call's inputs. */
export interface SessionServiceCall {
  /** Sends the request (`createHttpTransport` in `@awslogin/core/node`). */
  transport: Transport;
  /** The signing time. */
  clock: { now(): number };
  /** Where to send it ({@link sessionServiceEndpoint}). */
  endpoint: SessionServiceEndpoint;
  /** The session's own credentials: the call must be signed by a principal of the token's account. */
  credentials: SigV4Credentials;
  /** Cancels the request. */
  signal?: AbortSignal;
}

async function send(call: SessionServiceCall, path: string, body: unknown): Promise<HttpResponse> {
  const request: HttpRequest = {
    method: "POST",
    url: `${call.endpoint.baseUrl}${path}?${IAM_CLIENT_AUTH_QUERY}`,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  };
  const signed = signRequest(request, {
    service: SIGNIN_SIGNING_NAME,
    region: call.endpoint.region,
    credentials: call.credentials,
    now: call.clock.now(),
  });
  return call.transport.send(signed, call.signal === undefined ? {} : { signal: call.signal });
}

function checkToken(token: string): void {
  if (token.length === 0 || token.length > MAX_SERVICE_TOKEN_LENGTH) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `A token for the sign-in service must be 1 to ${MAX_SERVICE_TOKEN_LENGTH} characters.`,
    );
  }
}

/** The error types of AWS's common authentication failures, answered before the operation runs. */
const AUTH_FAILURES = new Set([
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "IncompleteSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "InvalidClientTokenId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
]);

/**
 * The typed error of a refused `…WithIAM` call: THROTTLED and SERVER_ERROR (retryable), INVALID_REQUEST
 * (ValidationException), ACCESS_DENIED (AccessDeniedException, or the credentials or signature refused), and
 * SERVICE_ERROR for any other answer. The service's own message is not repeated (it is outside text); the error type is
 * named when it is a plain identifier.
 * @see docs/protocol.md §16.2, §16.4
 */
export function sessionServiceError(operation: string, response: HttpResponse): AwsLoginError {
  const raw = (response.headers["x-amzn-errortype"] ?? "").split(":")[0]!.trim();
  const type = /^[A-Za-z][A-Za-z0-9]{0,63}$/.test(raw) ? raw : undefined;
  const status = response.status;
  if (type === "TooManyRequestsError" || status === 429) {
    return new AwsLoginError(
      "THROTTLED",
      `The sign-in service throttled ${operation}. Wait a moment and try again.`,
      {
        status,
        retryable: true,
      },
    );
  }
  if (type === "InternalServerException" || status >= 500) {
    return new AwsLoginError(
      "SERVER_ERROR",
      `The sign-in service failed to ${operation} (HTTP ${status}). Try again later.`,
      { status, retryable: true },
    );
  }
  if (type === "ValidationException") {
    return new AwsLoginError(
      "INVALID_REQUEST",
      `The sign-in service refused the ${operation} request as invalid.`,
      {
        status,
      },
    );
  }
  if (type === "AccessDeniedException" || (type !== undefined && AUTH_FAILURES.has(type))) {
    return new AwsLoginError(
      "ACCESS_DENIED",
      `The sign-in service denied ${operation} (${type}). The session's credentials must be valid and allowed to call it.`,
      { status },
    );
  }
  return new AwsLoginError(
    "SERVICE_ERROR",
    `The sign-in service answered ${operation} with HTTP ${status}${type === undefined ? "" : ` (${type})`}.`,
    { status },
  );
}

/**
 * Revokes a refresh token and its whole rotation chain at the service. Resolves when the service answered 200
 * (revoked, or already invalid: the operation is idempotent); rejects with an AwsLoginError from
 * {@link sessionServiceError}, or NETWORK / TIMEOUT from the transport.
 * @see docs/protocol.md §16.2
 */
export async function revokeRefreshToken(call: SessionServiceCall, refreshToken: string): Promise<void> {
  checkToken(refreshToken);
  const response = await send(call, SIGNIN_PATH.revoke, { token: refreshToken });
  if (response.status !== 200) throw sessionServiceError("revoke the session", response);
}

/** What the service says about a token, validated. @see docs/protocol.md §16.3 */
export interface TokenIntrospection {
  /** Whether the token is valid, unexpired, unrevoked and of the caller's account. */
  active: boolean;
  /** `refresh_token` or `access_token`, when active. */
  tokenType?: "refresh_token" | "access_token";
  /** When the token (for a refresh token: the session) ends, in ms since the epoch. */
  expiresAt?: number;
  /** When the token was issued, in ms since the epoch. */
  issuedAt?: number;
  /** The principal ARN (the session ARN for assumed roles). */
  principal?: string;
  /** The 12-digit account. */
  accountId?: string;
  /** STS `UserId` of the principal. */
  userId?: string;
  /** The login session's ARN, `arn:aws:signin:{region}:{account}:session/{id}`. */
  signinSession?: string;
  /** The OAuth client the token was issued to. */
  clientId?: string;
}

const ACCOUNT = /^\d{12}$/;
const ARN = /^arn:[a-z0-9-]{1,32}:[a-z0-9-]{1,32}:[a-z0-9-]{0,32}:\d{0,12}:[\x21-\x7e]{1,2048}$/;
const SIGNIN_SESSION = /^arn:[a-z0-9-]{1,32}:signin:[a-z0-9-]{1,64}:\d{12}:session\/[A-Za-z0-9._:-]{1,128}$/;
const USER_ID = /^[A-Za-z0-9:+=,.@_-]{1,256}$/;
const CLIENT = /^[\x21-\x7e]{1,512}$/;
/** Epoch seconds from 2000 to 2200: anything else is not a timestamp of this service. */
const MIN_EPOCH = 946_684_800;
const MAX_EPOCH = 7_258_118_400;

function badIntrospection(field: string): AwsLoginError {
  return new AwsLoginError(
    "BAD_RESPONSE",
    `The sign-in service's introspection answer has an invalid ${field}. Try again later.`,
  );
}

function optionalString(value: Record<string, unknown>, field: string, pattern: RegExp): string | undefined {
  const v = value[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || !pattern.test(v)) throw badIntrospection(field);
  return v;
}

function optionalEpoch(value: Record<string, unknown>, field: string): number | undefined {
  const v = value[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "number" || !Number.isInteger(v) || v < MIN_EPOCH || v > MAX_EPOCH)
    throw badIntrospection(field);
  return v * 1000;
}

/**
 * Checks an introspection answer field by field (format and length) and keeps what awslogin shows. An inactive
 * answer keeps nothing but `active: false`, whatever else it carries.
 * @see docs/protocol.md §16.3
 */
export function parseIntrospection(text: string): TokenIntrospection {
  if (text.length > MAX_ANSWER_CHARS) throw badIntrospection("size");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw badIntrospection("body (not JSON)");
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw badIntrospection("body");
  const value = json as Record<string, unknown>;
  if (typeof value.active !== "boolean") throw badIntrospection("active");
  if (!value.active) return { active: false };
  const tokenType = value.token_type;
  if (tokenType !== undefined && tokenType !== "refresh_token" && tokenType !== "access_token") {
    throw badIntrospection("token_type");
  }
  const result: TokenIntrospection = { active: true };
  const fields: [keyof TokenIntrospection, string | number | undefined][] = [
    ["tokenType", tokenType as TokenIntrospection["tokenType"]],
    ["expiresAt", optionalEpoch(value, "exp")],
    ["issuedAt", optionalEpoch(value, "iat")],
    ["principal", optionalString(value, "sub", ARN)],
    ["accountId", optionalString(value, "account_id", ACCOUNT)],
    ["userId", optionalString(value, "user_id", USER_ID)],
    ["signinSession", optionalString(value, "signin_session", SIGNIN_SESSION)],
    ["clientId", optionalString(value, "client_id", CLIENT)],
  ];
  optionalEpoch(value, "nbf");
  for (const [name, v] of fields) if (v !== undefined) Object.assign(result, { [name]: v });
  return result;
}

/**
 * Asks the service about a token (for awslogin: the session's refresh token, hint `refresh_token`). Rejects with an
 * AwsLoginError from {@link sessionServiceError}, BAD_RESPONSE for an answer that fails {@link parseIntrospection},
 * or NETWORK / TIMEOUT.
 * @see docs/protocol.md §16.3
 */
export async function introspectToken(
  call: SessionServiceCall,
  token: string,
  hint: "refresh_token" | "access_token" = "refresh_token",
): Promise<TokenIntrospection> {
  checkToken(token);
  const response = await send(call, SIGNIN_PATH.introspect, { token, token_type_hint: hint });
  if (response.status !== 200) throw sessionServiceError("check the session", response);
  return parseIntrospection(response.body);
}

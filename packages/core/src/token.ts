/**
 * The `CreateOAuth2Token` exchange as data: request bodies, the response schema, error mapping and the ID token's subject.
 * @see RFC 6749 §4.1.3 and §6, docs/protocol.md §4–§5
 */
import { Buffer } from "node:buffer";
// A namespace import, so that the bundler keeps only the parts of zod used (zod is bundled: tsup.config.ts).
import * as z from "zod";
import { CREDENTIAL_PATTERNS, isCredentialValue } from "./credential-format.js";
import { AwsLoginError, type AwsLoginErrorCode, type AwsLoginRemedy } from "./errors.js";
import type { HttpResponse } from "./ports.js";
import { TOKEN_TYPE } from "./protocol.js";
import { accountIdFromArn, sanitize } from "./token-facts.js";

export { accountIdFromArn };

/** The grant of a token request. @see RFC 6749 §4.1.3 and §6, docs/protocol.md §4.1 */
export type TokenGrant = "authorization_code" | "refresh_token";

/** `expiresIn` when the service leaves it out, as the JS SDK assumes. @see docs/protocol.md §4.3 */
const DEFAULT_EXPIRES_IN = 900;

/** The longest `expiresIn` accepted, in seconds: the 12-hour maximum of a login session. @see docs/protocol.md §4.3 */
const MAX_EXPIRES_IN = 12 * 60 * 60;

/**
 * The success body of `CreateOAuth2Token`; unknown keys pass through. Every value that is stored or printed must
 * have its kind's characters and length (credential-format.ts): a value that could break out of a shell's quotes
 * or a terminal line never reaches the cache. @see docs/protocol.md §4.3
 */
export const tokenResponseSchema = z.looseObject({
  accessToken: z.looseObject({
    accessKeyId: z.string().regex(CREDENTIAL_PATTERNS.accessKeyId),
    secretAccessKey: z.string().regex(CREDENTIAL_PATTERNS.secretAccessKey),
    sessionToken: z.string().regex(CREDENTIAL_PATTERNS.sessionToken),
  }),
  // Required by the model and read by the CLI at login; a refresh never uses it, and AWS's shared provider test
  // cases (login-provider-test-cases.json, "Expired token triggers successful refresh") answer a refresh without it.
  tokenType: z.string().regex(CREDENTIAL_PATTERNS.opaque).default(TOKEN_TYPE),
  // At most a session's 12 hours: a larger answer would be served for years without a refresh, or overflow the
  // cache's timestamp after the refresh token had already rotated (and so lose the session).
  expiresIn: z.number().int().min(1).max(MAX_EXPIRES_IN).default(DEFAULT_EXPIRES_IN),
  refreshToken: z.string().regex(CREDENTIAL_PATTERNS.opaque),
  idToken: z.string().regex(CREDENTIAL_PATTERNS.opaque).optional(),
});

/** A parsed token response. @see docs/protocol.md §4.3 */
export type TokenResponse = z.output<typeof tokenResponseSchema>;

/** Body of the authorization-code grant, keys in the CLI's order. @see RFC 6749 §4.1.3, docs/protocol.md §4.1 */
export interface AuthorizationCodeRequestBody {
  clientId: string;
  grantType: "authorization_code";
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

/** Body of the refresh grant, keys in the SDKs' order. @see RFC 6749 §6, docs/protocol.md §4.1 */
export interface RefreshTokenRequestBody {
  clientId: string;
  refreshToken: string;
  grantType: "refresh_token";
}

/** Builds the authorization-code grant body. @see RFC 7636 §4.5, docs/protocol.md §4.1 */
export function authorizationCodeRequest(args: {
  clientId: string;
  code: string;
  codeVerifier: string;
  redirectUri: string;
}): AuthorizationCodeRequestBody {
  return {
    clientId: args.clientId,
    grantType: "authorization_code",
    code: args.code,
    codeVerifier: args.codeVerifier,
    redirectUri: args.redirectUri,
  };
}

/** Builds the refresh grant body. @see RFC 6749 §6, docs/protocol.md §4.1 */
export function refreshTokenRequest(args: {
  clientId: string;
  refreshToken: string;
}): RefreshTokenRequestBody {
  return { clientId: args.clientId, refreshToken: args.refreshToken, grantType: "refresh_token" };
}

/** Parses a 2xx token response body; the authorization-code grant must also carry `idToken`. @see docs/protocol.md §4.3 */
export function parseTokenResponse(body: string, grant: TokenGrant): TokenResponse {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw badResponse("AWS Sign-In answered the token request with a body that is not JSON.");
  }
  const result = tokenResponseSchema.safeParse(json);
  if (!result.success) {
    // Name the fields, never their values: they may hold credentials.
    const fields = [...new Set(result.error.issues.map((issue) => issue.path.join(".") || "(body)"))].join(
      ", ",
    );
    throw badResponse(`AWS Sign-In answered the token request without valid ${fields}.`);
  }
  if (grant === "authorization_code" && (json as { tokenType?: unknown }).tokenType === undefined) {
    throw badResponse("AWS Sign-In answered the authorization-code exchange without a tokenType.");
  }
  if (grant === "authorization_code" && result.data.idToken === undefined) {
    throw badResponse("AWS Sign-In answered the authorization-code exchange without an idToken.");
  }
  return result.data;
}

/**
 * Turns a non-2xx token response into an AwsLoginError whose message says what to do. Reads the shape from
 * `x-amzn-errortype` (or body `__type`) and the OAuth code from body `error`. @see RFC 6749 §5.2, docs/protocol.md §4.4
 */
export function errorFromTokenResponse(
  response: HttpResponse,
  context: { grant: TokenGrant; profile?: string },
): AwsLoginError {
  const body = parseErrorBody(response.body);
  const shape = errorShape(response.headers["x-amzn-errortype"] ?? body.type);
  const status = response.status;
  const signIn: AwsLoginRemedy = { kind: "sign-in", profile: context.profile };
  const make = (code: AwsLoginErrorCode, message: string, remedy?: AwsLoginRemedy): AwsLoginError =>
    new AwsLoginError(code, message, {
      status,
      retryable: code === "THROTTLED" || code === "SERVER_ERROR",
      remedy,
    });

  if (status === 429 || shape === "TooManyRequestsError") {
    return make("THROTTLED", "AWS Sign-In is throttling token requests. Wait a moment, then try again.");
  }
  if (status >= 500 || shape === "InternalServerException" || body.error === "server_error") {
    return make(
      "SERVER_ERROR",
      `AWS Sign-In had an internal error (HTTP ${status}). Try again in a moment; if it persists, check the AWS Health Dashboard.`,
    );
  }
  switch (body.error) {
    case "AUTHCODE_EXPIRED":
      return make(
        "AUTHCODE_EXPIRED",
        "The authorization code expired or was already used before it could be exchanged. Sign in again and finish promptly.",
        signIn,
      );
    case "TOKEN_EXPIRED":
      return make("TOKEN_EXPIRED", "Your login session has ended. Sign in again.", signIn);
    case "USER_CREDENTIALS_CHANGED":
      return make(
        "USER_CREDENTIALS_CHANGED",
        "Your login session was ended because the password or credentials of the signed-in user changed. Sign in again.",
        signIn,
      );
    case "INSUFFICIENT_PERMISSIONS":
      return make(
        "INSUFFICIENT_PERMISSIONS",
        "The signed-in identity is not allowed to call signin:CreateOAuth2Token. Ask an administrator to grant it (for example with the SignInLocalDevelopmentAccess managed policy), then sign in again.",
        signIn,
      );
    case "INVALID_REQUEST":
      return make("INVALID_REQUEST", invalidRequestMessage(body.message, context.grant), signIn);
  }
  if (shape === "ValidationException") {
    return make("INVALID_REQUEST", invalidRequestMessage(body.message, context.grant), signIn);
  }
  const what = shape === undefined ? "" : ` (${sanitize(shape)})`;
  return make(
    "BAD_RESPONSE",
    `AWS Sign-In answered the token request with an unexpected HTTP ${status}${what}. Check that the Sign-In endpoint (--endpoint-url, AWS_ENDPOINT_URL_SIGNIN) is right, then try again.`,
  );
}

/**
 * The login session id: the `sub` of the ID token, decoded without verification as the CLI does. It must be an
 * ARN (printable, no spaces, bounded): it is written to `~/.aws/config` and printed. @see RFC 7519 §4.1.2, docs/protocol.md §5
 */
export function decodeIdTokenSubject(idToken: string): string {
  const payload = idToken.split(".")[1];
  if (payload === undefined || !/^[A-Za-z0-9_-]+={0,2}$/.test(payload)) throw invalidIdToken();
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload.replace(/=+$/, ""), "base64url").toString("utf8"));
  } catch {
    throw invalidIdToken();
  }
  if (typeof claims !== "object" || claims === null) throw invalidIdToken();
  const sub = (claims as Record<string, unknown>).sub;
  if (typeof sub !== "string" || sub === "") throw invalidIdToken();
  if (!isCredentialValue("arn", sub)) {
    // Never echo it: it may hold control characters meant for the terminal.
    throw new AwsLoginError(
      "INVALID_ID_TOKEN",
      "AWS Sign-In returned an ID token whose subject (sub) is not an ARN (printable characters, no spaces, at most 2048). Nothing was written. Check the Sign-In endpoint, then sign in again.",
      { remedy: { kind: "sign-in" } },
    );
  }
  return sub;
}

interface ErrorBody {
  error: string | undefined;
  message: string | undefined;
  type: string | undefined;
}

function parseErrorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: undefined, message: undefined, type: undefined };
  }
  const record = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
  return {
    error: str(record.error),
    message: str(record.message ?? record.Message),
    type: str(record.__type),
  };
}

/** `AccessDeniedException:http://…` and `com.amazonaws.signin#AccessDeniedException` both mean `AccessDeniedException`. */
function errorShape(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const name = raw.split(":")[0]!.split("#").pop()!.trim();
  return name === "" ? undefined : name;
}

function invalidRequestMessage(serviceMessage: string | undefined, grant: TokenGrant): string {
  const said = serviceMessage === undefined ? "" : ` The service said: ${sanitize(serviceMessage)}`;
  const next =
    grant === "authorization_code"
      ? "Sign in again; if it keeps failing, check the Sign-In endpoint and region."
      : "Sign in again to start a new session.";
  return `AWS Sign-In rejected the token request as invalid.${said} ${next}`;
}

/** Keeps service-provided text short and printable. */

function badResponse(message: string): AwsLoginError {
  return new AwsLoginError("BAD_RESPONSE", message);
}

function invalidIdToken(): AwsLoginError {
  return new AwsLoginError(
    "INVALID_ID_TOKEN",
    "AWS Sign-In returned an ID token without a readable subject (sub). Sign in again.",
    { remedy: { kind: "sign-in" } },
  );
}

/**
 * Constants of the AWS Sign-In login protocol that the client, the emulator and the tests share.
 * @see docs/protocol.md §2–§4 (https://github.com/awslogin/awslogin/blob/main/docs/protocol.md)
 */

/** OAuth client ids of the two AWS CLI login flows. */
export const CLIENT_ID = {
  sameDevice: "arn:aws:signin:::devtools/same-device",
  crossDevice: "arn:aws:signin:::devtools/cross-device",
} as const;

/**
 * How the sign-in reaches the client: `same-device` redirects the browser to a listener on 127.0.0.1;
 * `cross-device` shows a code on the Sign-In page that the user pastes into the terminal. @see docs/protocol.md §2, §3
 */
export type LoginFlow = "same-device" | "cross-device";

/** The client id used by a flow. */
export function clientIdFor(flow: LoginFlow): string {
  return flow === "same-device" ? CLIENT_ID.sameDevice : CLIENT_ID.crossDevice;
}

/** Paths served by AWS Sign-In (and by the emulator). */
export const SIGNIN_PATH = {
  authorize: "/v1/authorize",
  token: "/v1/token",
  confirmation: "/v1/sessions/confirmation",
  /** RevokeOAuth2TokenWithIAM (RFC 7009), with {@link IAM_CLIENT_AUTH_QUERY}. @see docs/protocol.md §16.2 */
  revoke: "/v1/revoke",
  /** IntrospectOAuth2TokenWithIAM (RFC 7662), with {@link IAM_CLIENT_AUTH_QUERY}. @see docs/protocol.md §16.3 */
  introspect: "/v1/introspect",
} as const;

/** The query the `…WithIAM` operations carry: the client authenticates with SigV4 (signing name `signin`). @see docs/protocol.md §16.2 */
export const IAM_CLIENT_AUTH_QUERY = "x-amz-client-auth-method=iam";

/** The SigV4 signing name of the Sign-In service. @see docs/protocol.md §16.2 */
export const SIGNIN_SIGNING_NAME = "signin";

/** Path of the loopback callback of the same-device flow. */
export const LOOPBACK_CALLBACK_PATH = "/oauth/callback";

/** `code_challenge_method` on the wire: AWS Sign-In spells it `SHA-256`, not `S256`. */
export const PKCE_METHOD = "SHA-256";

/** The only `tokenType` the service issues. */
export const TOKEN_TYPE = "aws_sigv4";

/** Credentials are refreshed once they have this little time left. */
export const REFRESH_THRESHOLD_MS = 5 * 60 * 1000;

/** The longest a login session can last (the principal's own limit may be shorter). */
export const MAX_SESSION_MS = 12 * 60 * 60 * 1000;

/** `error` values of the service's error bodies (`OAuth2ErrorCode` in the service model). */
export type OAuth2ErrorCode =
  | "TOKEN_EXPIRED"
  | "USER_CREDENTIALS_CHANGED"
  | "INSUFFICIENT_PERMISSIONS"
  | "AUTHCODE_EXPIRED"
  | "server_error"
  | "INVALID_REQUEST";

/** The error shape (`x-amzn-errortype`) and HTTP status the service uses for each error. @see docs/protocol.md §4.4 */
export const SERVICE_ERRORS = {
  TOKEN_EXPIRED: { type: "AccessDeniedException", status: 401 },
  AUTHCODE_EXPIRED: { type: "AccessDeniedException", status: 401 },
  USER_CREDENTIALS_CHANGED: { type: "AccessDeniedException", status: 403 },
  INSUFFICIENT_PERMISSIONS: { type: "AccessDeniedException", status: 403 },
  INVALID_REQUEST: { type: "ValidationException", status: 400 },
  THROTTLED: { type: "TooManyRequestsError", status: 429 },
  server_error: { type: "InternalServerException", status: 500 },
} as const;

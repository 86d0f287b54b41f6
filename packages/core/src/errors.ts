/**
 * Every failure awslogin reports is an {@link AwsLoginError} with a stable `code` from
 * {@link AwsLoginErrorCode}. Messages state facts and tool-neutral advice, never a command of one tool (core
 * serves the CLI, the SDK provider, the credential_process binary and embedders alike): what to run is a
 * {@link AwsLoginRemedy}, which each adapter words for its own users. Messages never carry secrets.
 */

/** The closed set of error codes. Stable: tools and scripts may switch on them. */
export type AwsLoginErrorCode =
  // Sign-In service answers (docs/protocol.md §4.4)
  | "AUTHCODE_EXPIRED"
  | "TOKEN_EXPIRED"
  | "USER_CREDENTIALS_CHANGED"
  | "INSUFFICIENT_PERMISSIONS"
  | "INVALID_REQUEST"
  | "THROTTLED"
  | "SERVER_ERROR"
  | "BAD_RESPONSE"
  // Sign-In's IAM-signed operations (revoke, introspection): docs/protocol.md §16.2, §16.5
  | "ACCESS_DENIED"
  | "SERVICE_ERROR"
  // transport
  | "NETWORK"
  | "TIMEOUT"
  // the login flow
  | "STATE_MISMATCH"
  | "AUTHORIZATION_DENIED"
  | "LOGIN_TIMEOUT"
  | "CALLBACK_LISTENER_FAILED"
  | "BAD_VERIFICATION_CODE"
  | "LOGIN_CANCELLED"
  | "NO_TERMINAL"
  | "NO_REGION"
  | "ACCOUNT_MISMATCH"
  // files
  | "CACHE_MALFORMED"
  | "CACHE_MISSING"
  | "CACHE_WRITE_FAILED"
  | "CACHE_DIRECTORY_UNSAFE"
  | "CA_BUNDLE_INVALID"
  | "CONFIG_MALFORMED"
  | "CONFIG_WRITE_FAILED"
  | "PROFILE_NOT_FOUND"
  | "PROFILE_HAS_OTHER_CREDENTIALS"
  | "PROFILE_NOT_LOGIN"
  | "SESSION_CONFLICT"
  | "LOCK_TIMEOUT"
  | "LOCK_BROKEN"
  // console sign-in: the federation endpoint refused the credentials (docs/protocol.md §17.4)
  | "CONSOLE_SIGNIN_REFUSED"
  // input
  | "INVALID_ARGUMENT"
  | "INSECURE_ENDPOINT"
  | "INVALID_DPOP_KEY"
  | "INVALID_ID_TOKEN"
  // role profiles (docs/protocol.md §17.1)
  | "ROLE_CHAIN_CYCLE"
  | "ROLE_SOURCE_MISSING"
  | "ROLE_CHAIN_NOT_LOGIN"
  | "ROLE_ACCESS_DENIED"
  | "ROLE_REQUEST_INVALID"
  | "MFA_CODE_REQUIRED"
  | "MFA_CODE_INVALID"
  // the container credentials endpoint (`awslogin serve`)
  | "TOKEN_FILE_INVALID"
  | "ENDPOINT_LISTEN_FAILED"
  // installation
  | "NOT_INSTALLED";

/**
 * What helps after an error, as data. Core's message already says it in words any user can follow ("Sign in
 * again."); an adapter adds the command its users have (`awslogin login --profile dev`, `aws login`, …).
 */
export type AwsLoginRemedy =
  /**
   * Only a new sign-in helps: the session ended or was never there, or its cache file cannot be used. `profile` is
   * the one to sign in with, when the error knows it.
   */
  | {
      /** Sign in again. */
      kind: "sign-in";
      /** The profile to sign in with; absent when the error does not know it (the adapter's own default then). */
      profile?: string | undefined;
    }
  /** Trying again may help; if the problem persists, something outside this call (a stuck lock) needs a look. */
  | {
      /** Try again; then look at the environment (`awslogin doctor` in the CLI). */
      kind: "diagnose";
    };

const MARKER = Symbol.for("@awslogin/core/AwsLoginError");

/** The facts an {@link AwsLoginError} carries besides its code and message; all optional. */
export interface AwsLoginErrorOptions {
  /** The underlying error, kept for debugging; never rendered to users verbatim. */
  cause?: unknown;
  /** HTTP status of the service answer, when there was one. */
  status?: number;
  /** Whether retrying the same request may succeed (throttling, 5xx, network). */
  retryable?: boolean;
  /** A file this error is about (a cache or config file). */
  path?: string;
  /** What helps, for adapters to word; see {@link AwsLoginRemedy}. */
  remedy?: AwsLoginRemedy;
}

/** The one error class of awslogin. Check with {@link AwsLoginError.isInstance}, then `switch (err.code)`. */
export class AwsLoginError extends Error {
  /** What went wrong, from the closed union {@link AwsLoginErrorCode}: switch on it, never on the message. */
  readonly code: AwsLoginErrorCode;
  /** HTTP status of the service answer behind the error (400, 429, 5xx), or undefined when there was none. */
  readonly status: number | undefined;
  /** True when the same request may succeed if retried (throttling, 5xx, network); the token client retries these. */
  readonly retryable: boolean;
  /** The cache, config or lock file the error is about, or undefined. */
  readonly path: string | undefined;
  /** What helps, as data for an adapter to word (`messageWithRemedy`); undefined when the message is enough. */
  readonly remedy: AwsLoginRemedy | undefined;
  /** Marks instances across bundled copies of core; read by {@link AwsLoginError.isInstance}. */
  readonly [MARKER] = true;

  /**
   * @param code - the error's {@link AwsLoginErrorCode}
   * @param message - facts and tool-neutral advice, never a secret or a command of one tool
   * @param options - cause, HTTP status, retryability, file and remedy
   */
  constructor(code: AwsLoginErrorCode, message: string, options: AwsLoginErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "AwsLoginError";
    this.code = code;
    this.status = options.status;
    this.retryable = options.retryable ?? false;
    this.path = options.path;
    this.remedy = options.remedy;
  }

  /** True for an AwsLoginError from any copy of this package (bundles may hold several). */
  static isInstance(value: unknown): value is AwsLoginError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/**
 * How an adapter words each remedy for its own users: one entry per kind, so that a new kind cannot go unworded.
 * The CLI's names `awslogin login`; the SDK provider's also `aws login`.
 */
export type RemedyWording = {
  [K in AwsLoginRemedy["kind"]]: (remedy: Extract<AwsLoginRemedy, { kind: K }>) => string;
};

/** An error's message followed by the adapter's words for its remedy; the message alone when there is none. */
export function messageWithRemedy(
  error: { message: string; remedy?: AwsLoginRemedy | undefined },
  wording: RemedyWording,
): string {
  const { remedy } = error;
  if (remedy === undefined) return error.message;
  const word = wording[remedy.kind] as (remedy: AwsLoginRemedy) => string;
  return `${error.message} ${word(remedy)}`;
}

/** True when `value` is an AwsLoginError with one of the given codes. */
export function hasErrorCode(value: unknown, ...codes: AwsLoginErrorCode[]): value is AwsLoginError {
  return AwsLoginError.isInstance(value) && codes.includes(value.code);
}

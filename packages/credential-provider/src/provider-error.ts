/**
 * The error the provider throws, shaped like the SDK's `CredentialsProviderError` (`@smithy/property-provider`)
 * so that SDK credential chains treat it as theirs: `tryNextLink: true` means "not mine, ask the next
 * provider"; `false` means "mine, and broken".
 */
import { AwsLoginError, type AwsLoginErrorCode, messageWithRemedy } from "@awslogin/core/errors";
import { PROVIDER_REMEDY_WORDING } from "./remedy.js";
import type { Logger } from "./types.js";

const MARKER = Symbol.for("@awslogin/credential-provider/LoginCredentialsProviderError");

/**
 * Codes that mean the profile is not a login profile (nor a role profile rooted in one), so another provider of a
 * chain may serve it.
 */
const NOT_MINE: readonly AwsLoginErrorCode[] = [
  "PROFILE_NOT_FOUND",
  "PROFILE_NOT_LOGIN",
  "ROLE_CHAIN_NOT_LOGIN",
];

/**
 * A `CredentialsProviderError` (by `name` and `tryNextLink`, as SDK chains check) carrying awslogin's
 * stable `code` and the {@link AwsLoginError} as `cause`. Its message is core's, then what to run (remedy.ts).
 */
export class LoginCredentialsProviderError extends Error {
  override readonly name = "CredentialsProviderError";
  /** Whether a credential chain should go on to its next provider. */
  readonly tryNextLink: boolean;
  /** The stable awslogin error code; `switch` on it. */
  readonly code: AwsLoginErrorCode;
  override readonly cause: AwsLoginError;
  readonly [MARKER] = true;

  constructor(cause: AwsLoginError, options: { logger?: Logger | undefined } = {}) {
    super(messageWithRemedy(cause, PROVIDER_REMEDY_WORDING), { cause });
    this.cause = cause;
    this.code = cause.code;
    this.tryNextLink = NOT_MINE.includes(cause.code);
    // As the SDK's ProviderError does: chains log why they moved on.
    options.logger?.debug?.(
      `@awslogin/credential-provider ${this.tryNextLink ? "->" : "(!)"} ${cause.code}: ${this.message}`,
    );
  }

  /** True for an error of this class from any copy of this package. */
  static isInstance(value: unknown): value is LoginCredentialsProviderError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[MARKER] === true;
  }
}

/** Wraps anything thrown while loading credentials; non-awslogin errors become BAD_RESPONSE with them as cause. */
export function toProviderError(error: unknown, logger: Logger | undefined): LoginCredentialsProviderError {
  if (LoginCredentialsProviderError.isInstance(error)) return error;
  const cause = AwsLoginError.isInstance(error)
    ? error
    : new AwsLoginError("BAD_RESPONSE", "Loading the login credentials failed unexpectedly. Try again.", {
        cause: error,
      });
  return new LoginCredentialsProviderError(cause, { logger });
}

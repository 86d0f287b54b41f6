/**
 * @awslogin/credential-provider — AWS SDK for JavaScript v3 credentials from an `aws login` /
 * `awslogin login` session, compatible with the AWS CLI/SDK token cache.
 * @see docs/protocol.md §6, §8, §15
 */

export type { AwsLoginErrorCode } from "@awslogin/core";
export {
  fromLoginCredentials,
  fromLoginRoleCredentials,
  RETRY_AFTER_FAILURE_MS,
} from "./from-login-credentials.js";
export { LoginCredentialsProviderError } from "./provider-error.js";
export type {
  CallerProperties,
  EndpointLike,
  FromLoginCredentialsInit,
  Logger,
  LoginCredentialIdentity,
  LoginCredentialProvider,
  MaybeProvider,
} from "./types.js";

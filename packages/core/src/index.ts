/**
 * The public surface of `@awslogin/core`: pure (no file, network, environment or clock access; time, randomness and
 * HTTP come in through the ports below). Each name here is exported on purpose, for one of two kinds of caller:
 *
 * - our own packages: `@awslogin/cli` (login, status, doctor, logout, configure), `@awslogin/credential-provider`
 *   (the refresh driver and the credentials of a record), `@awslogin/credential-process` (the cache format) and
 *   `@awslogin/emulator` (the protocol constants it serves: client ids, paths, error shapes);
 * - embedders who build a tool of their own on the protocol: `login` and `getFreshToken` with the ports and types
 *   they take, the token store and the cache record format, the config reader and editor, the one order of
 *   resolution (`resolveLoginSettings`), the Sign-In endpoint, session status and the one error class.
 *
 * The protocol's inner parts (the login and refresh machines, token request bodies and response schemas, the
 * authorize URL and callback parsing, PKCE verifiers, DPoP key PEM encoding) are internal: they are exported from
 * their modules for core's own tests only, and may change in any release. The Node adapters are the
 * `@awslogin/core/node` entry; `cache-hit`, `config`, `credential-format`, `errors`, `printable`, `resolve` and `rfc3339` are
 * also entries of their own, for callers that must not load zod or undici.
 *
 * The surface is recorded in `packages/core/api/index.api.md` (API Extractor); `pnpm check:api` fails when it changes
 * without its report, or when a name here has no TSDoc.
 * @packageDocumentation
 */

export { type FolderStat, PLANTED_CREDENTIALS_RISK, untrustedFolderReason } from "./cache-trust.js";
// The shared config and credentials files: the reader the SDKs agree with and the line-preserving editor.
export {
  findOtherCredentialKeys,
  getProfile,
  mergeProfile,
  type ParsedConfig,
  type ProfileValues,
  parseConfigFile,
  parseCredentialsFile,
  setProfileValues,
} from "./config.js";
export { credentialsFromRecord, type LoginCredentials } from "./credentials.js";
export { createDpopProof, type DpopKey, type EcPublicJwk, generateDpopKey } from "./dpop.js";
// The Sign-In endpoint of a region or an override, and the plain-http opt-in.
export {
  ALLOW_INSECURE_HTTP_ENV,
  insecureEndpointWarning,
  isLoopbackHost,
  type Partition,
  partitionOf,
  redactUrl,
  resolveSignInEndpoint,
  type SignInEndpoint,
  type SignInEndpointEnv,
  type SignInEndpointSource,
  signInEndpointEnv,
} from "./endpoint.js";
// The one error class, its closed code union and the remedy an adapter words for its users.
export {
  AwsLoginError,
  type AwsLoginErrorCode,
  type AwsLoginErrorOptions,
  type AwsLoginRemedy,
  hasErrorCode,
  messageWithRemedy,
  type RemedyWording,
} from "./errors.js";
// The login driver and the ports it runs the sign-in through.
export {
  type AuthorizeDeps,
  assertExpectedAccount,
  type LoginDeps,
  type LoginOptions,
  type LoginResult,
  login,
} from "./login.js";
export type { CallbackAnswer, CallbackQuery } from "./machines/login.js";
export type { RefreshPolicy } from "./machines/refresh.js";
// PKCE and DPoP as a client of the Sign-In service (or a test driving the emulator by hand) needs them.
export { codeChallengeFor } from "./pkce.js";
// The ports through which the drivers reach the outside world (Node implementations in @awslogin/core/node).
export type {
  BrowserOpener,
  CallbackListener,
  Clock,
  ConfigStore,
  HttpRequest,
  HttpResponse,
  LockSession,
  LoginUi,
  MfaPrompt,
  Prompt,
  Random,
  StartCallbackListener,
  TokenStore,
  TokenStoreEntry,
  Transport,
} from "./ports.js";
// Outside text made safe to print on a terminal.
export { printable, printableJson } from "./printable.js";
// Protocol constants shared with the emulator, which serves what the client asks for. @see docs/protocol.md
export {
  CLIENT_ID,
  IAM_CLIENT_AUTH_QUERY,
  LOOPBACK_CALLBACK_PATH,
  type LoginFlow,
  type OAuth2ErrorCode,
  PKCE_METHOD,
  REFRESH_THRESHOLD_MS,
  SERVICE_ERRORS,
  SIGNIN_PATH,
  SIGNIN_SIGNING_NAME,
  TOKEN_TYPE,
} from "./protocol.js";
// The refresh driver: fresh credentials for a login session, refreshed once across processes.
export {
  type FreshToken,
  getFreshToken,
  LOCK_STALE_MS,
  type RefreshDeps,
  type RefreshOptions,
  refreshEndpoint,
  refreshTokenUrl,
} from "./refresh.js";
export { DEFAULT_REGION, isRegionName } from "./region.js";
// The one order of resolution of profile, region, endpoint and cache folder, each with its source.
export {
  type CacheDirectorySource,
  type CallerSettings,
  type EndpointOverrideSource,
  type LoginSettings,
  type LoginSettingsInput,
  type ProfileSource,
  type RecordedSettings,
  type RegionSource,
  type Resolved,
  resolveCacheDirectory,
  resolveEndpointUrl,
  resolveLoginSettings,
  resolveProfile,
  resolveRegion,
  type SettingFlags,
  type SettingOptions,
} from "./resolve.js";
// Role profiles on top of a login profile: the source_profile chain and STS AssumeRole. @see docs/protocol.md §17.1
export {
  isRoleProfile,
  type RoleChain,
  type RoleCredentials,
  type RoleStep,
  resolveRoleChain,
} from "./role-profile.js";
// The session at the service (revoke, introspection): SigV4-signed calls with the session's credentials.
export {
  introspectToken,
  revokeRefreshToken,
  type SessionServiceCall,
  type SessionServiceEndpoint,
  sessionServiceEndpoint,
  type TokenIntrospection,
} from "./session-service.js";
// A profile's session state, as `status` shows it.
export { isUsableState, type SessionState, type SessionStatus } from "./session-status.js";
export { type AssumeRoleRequest, assumeRole, stsEndpointFor } from "./sts-client.js";
// The AWS CLI login token cache: file name, record format, timestamps, and the store that holds the records.
export {
  expiresAtMs,
  formatExpiresAt,
  loginCacheKey,
  parseTokenCache,
  serializeTokenCache,
  type TokenCacheRecord,
} from "./token-cache.js";

/**
 * `@awslogin/core/node`: the Node adapters of core's ports (file token store, config files, the inter-process lock,
 * the loopback listener, the browser opener, the undici transport, the system clock and randomness) and what is
 * built on them (`loadProfileCredentials`, session status, logout). Exported by name, for the CLI, the SDK provider,
 * the credential_process binary and embedders; the rest of `src/node/` is internal. Recorded in
 * `packages/core/api/node.api.md` and checked by `pnpm check:api`.
 * @packageDocumentation
 */

// Types of the pure entry that the functions above take and return, so that callers can name them from here.
export type {
  AwsLoginError,
  AwsLoginErrorCode,
  AwsLoginErrorOptions,
  AwsLoginRemedy,
  BrowserOpener,
  CallbackAnswer,
  CallbackListener,
  CallbackQuery,
  CallerSettings,
  Clock,
  HttpRequest,
  HttpResponse,
  LoginCredentials,
  LoginSettingsInput,
  MfaPrompt,
  ParsedConfig,
  ProfileValues,
  Random,
  RecordedSettings,
  RoleChain,
  RoleStep,
  SessionState,
  SessionStatus,
  SettingFlags,
  SettingOptions,
  TokenCacheRecord,
  TokenIntrospection,
  TokenStore,
  TokenStoreEntry,
  Transport,
} from "../index.js";
// Read by the CLI's doctor (apps/cli/src/doctor/observe.ts), which judges the same files core reads.
export { describeUnsafeFile, readRegularBytes } from "./bounded-read.js";
export { createBrowserOpener, isWsl, readKernelRelease } from "./browser.js";
// The shared config file on disk (the ConfigStore port's parts): its path, atomic writes, locked edits.
export {
  editConfigText,
  readConfigText,
  resolveConfigFilePath,
  updateProfile,
  writeConfigText,
} from "./config-files.js";
export { errnoCode } from "./errno.js";
// The inter-process lock of a login session, and what doctor sees of a lock file.
export {
  inspectLock,
  type LockInspection,
  type LockOptions,
  type LockOwner,
  type ReleaseLock,
  sessionLock,
  sessionTryLock,
} from "./lock.js";
export { removeAllLoginTokens, removeCacheFile } from "./logout.js";

// The loopback callback listener and the browser opener of the same-device login.
export { startCallbackListener } from "./loopback.js";
// Fresh credentials for a role profile (role_arn + source_profile down to a login profile), and for any profile.
export { createTerminalMfaPrompt } from "./mfa-prompt.js";
// Fresh credentials for a profile, and the profile → login_session step the provider and the binary share.
export {
  type LoadCredentialsOptions,
  type LoadedCredentials,
  loadProfileCredentials,
  loginSessionOf,
  type ProfileSession,
  type ResolveProfileOptions,
  resolveProfileSession,
} from "./profile-credentials.js";
export { ROLE_CACHE_DIRECTORY_ENV, resolveRoleCacheDirectory } from "./role-cache-path.js";
export {
  type LoadedRoleCredentials,
  type LoadRoleCredentialsOptions,
  loadCredentialsForProfile,
  loadRoleProfileCredentials,
  type ProfileCredentialsResult,
  type ResolveRoleOptions,
  type RoleStepStatus,
  readRoleChain,
  readRoleChainStatus,
} from "./role-credentials.js";
export {
  type RoleCacheCleanup,
  type RoleCacheCleanupOptions,
  removeRoleCacheEntriesOf,
} from "./role-logout.js";

// `logout --revoke` and `status --check`: the session at the service, revoked or introspected.
export {
  checkProfileSession,
  type RevokeSessionResult,
  revokeProfileSession,
  type SessionCheck,
  type SessionServiceOptions,
} from "./session-service.js";
// `status` and `logout`: session state read from disk, cache files removed under their locks.
export {
  type ReadSessionStatusOptions,
  readSessionStatuses,
  type SessionStatusReport,
} from "./session-status.js";
// The config and credentials files merged as the SDKs read them.
export {
  profileOf,
  readCredentialsSection,
  readSharedFiles,
  resolveSharedFilePaths,
  type SharedFilePaths,
} from "./shared-files.js";
// The system clock and randomness (ports Clock and Random), and whether a process is alive.
export { isProcessAlive, systemClock, systemRandom } from "./system.js";
// The file token store (port TokenStore): atomic 0600 writes in a trusted 0700 folder.
export {
  assertTrustedCacheDirectory,
  createFileTokenStore,
  type FileTokenStoreOptions,
} from "./token-store.js";
// The undici transport (port Transport) with its CA bundle.
export {
  type CaBundle,
  createHttpTransport,
  type HttpTransportOptions,
  resolveCaBundle,
} from "./transport.js";

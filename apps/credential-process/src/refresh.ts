/**
 * The slow path of `awslogin-credential-process`, bundled on its own (`dist/refresh.cjs`) and required only
 * when the hot path cannot answer from the cache: core's full profile → login_session → fresh credentials,
 * refreshing under the inter-process lock, with core's checks and messages.
 * @see docs/protocol.md §8
 */
import { AwsLoginError, messageWithRemedy } from "@awslogin/core";
import { createTerminalMfaPrompt, loadCredentialsForProfile } from "@awslogin/core/node";
import type { ExportableCredentials } from "./formats.js";
import { BINARY_REMEDY_WORDING } from "./remedy.js";

export interface SlowPathOptions {
  profile: string;
  env: NodeJS.ProcessEnv;
  /** Told about transient problems that did not stop the call (a stale cache after a failed write, …). */
  onWarning: (line: string) => void;
}

/**
 * Fresh credentials of a profile through core: cached while more than 5 minutes remain, else refreshed; a role
 * profile through its chain (an MFA code asked for on the terminal). @see docs/protocol.md §17.1
 */
export async function loadCredentials(options: SlowPathOptions): Promise<ExportableCredentials> {
  const loaded = await loadCredentialsForProfile({
    profile: options.profile,
    env: options.env,
    mfaPrompt: createTerminalMfaPrompt(),
    onWarning: (warning) => options.onWarning(`${warning.message} [${warning.code}]`),
  });
  const { credentials } = loaded;
  return {
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    sessionToken: credentials.sessionToken,
    expiration: credentials.expiration.getTime(),
  };
}

/** One line for stderr: core's message, what to run (remedy.ts) and the code, or a generic line that never echoes secrets. */
export function describeFailure(error: unknown): string {
  if (AwsLoginError.isInstance(error))
    return `${messageWithRemedy(error, BINARY_REMEDY_WORDING)} [${error.code}]`;
  const detail =
    error instanceof Error ? `${error.name}${"code" in error ? ` ${String(error.code)}` : ""}` : typeof error;
  return `Unexpected failure (${detail}). Try again; if it persists, report it with the command you ran.`;
}

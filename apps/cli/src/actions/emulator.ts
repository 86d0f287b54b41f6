/**
 * `awslogin emulator`: starts the local Sign-In + STS emulator and serves until SIGINT or SIGTERM.
 */
import type { Output } from "../output.js";

export interface EmulatorCommandOptions {
  port: number;
  /** Identity ARNs that can sign in; the first is the default. */
  identities?: string[];
  /** `ARN[=pattern,…]` roles STS AssumeRole accepts. */
  roles?: string[];
  autoApprove: boolean;
  expiresIn: number;
  sessionDuration: number;
  refreshReuseWindow: number;
  codeTtl: number;
  /** The federation endpoint takes a login session's own credentials too (for `awslogin console`). */
  federationAcceptsLoginCredentials?: boolean;
  /** No request log on stderr. */
  quiet: boolean;
}

/**
 * The emulator is an optional peer of the CLI (its SDK dependencies are not paid for by every install): loaded here,
 * and when it is not installed, NOT_INSTALLED says how to add it.
 */
export async function loadEmulator(
  load: () => Promise<typeof import("@awslogin/emulator")> = () => import("@awslogin/emulator"),
): Promise<typeof import("@awslogin/emulator")> {
  try {
    return await load();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") throw error;
    // Only the package itself: a dependency of the emulator that is missing names the emulator in its path.
    if (!/Cannot find (package|module) '@awslogin\/emulator'/.test(String((error as Error).message)))
      throw error;
    const { AwsLoginError } = await import("@awslogin/core");
    throw new AwsLoginError(
      "NOT_INSTALLED",
      "The emulator is a separate package, and it is not installed beside @awslogin/cli. Install it where the CLI is installed (`npm install --global @awslogin/emulator` for a global CLI, or `npm install --save-dev @awslogin/emulator` in a project), then run `awslogin emulator` again.",
      { cause: error },
    );
  }
}

export async function serveEmulator(options: EmulatorCommandOptions, output: Output): Promise<void> {
  const { quiet, ...emulatorOptions } = options;
  const { INVALID_EMULATOR_OPTION, startEmulator } = await loadEmulator();
  const emulator = await startEmulator({
    ...emulatorOptions,
    ...(quiet ? {} : { logger: (line: string) => output.err(`${line}\n`) }),
  }).catch(async (error: unknown) => {
    // startEmulator marks its refusal of a bad option (an unsupported --identity ARN, …): a usage error, reported
    // as one line with exit 2 like every other. Anything else is not the user's doing and stays as it is.
    if (!(error instanceof Error) || (error as { code?: unknown }).code !== INVALID_EMULATOR_OPTION)
      throw error;
    const { AwsLoginError } = await import("@awslogin/core");
    throw new AwsLoginError("INVALID_ARGUMENT", error.message, { cause: error });
  });
  output.out(`${emulator.url}\n`);
  output.err(
    `AWS Sign-In + STS emulator listening on ${emulator.url}\n` +
      `  login:   awslogin login --endpoint-url ${emulator.url} --region us-east-1\n` +
      `  refresh: export AWS_ENDPOINT_URL_SIGNIN=${emulator.url}\n` +
      `  STS:     export AWS_ENDPOINT_URL_STS=${emulator.url}\n` +
      "Press Ctrl-C to stop.\n",
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await emulator.close();
}

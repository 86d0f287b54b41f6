/**
 * `awslogin emulator`: starts the local Sign-In + STS emulator and serves until SIGINT or SIGTERM.
 */
import { INVALID_EMULATOR_OPTION, startEmulator } from "@awslogin/emulator";
import type { Output } from "../output.js";

export interface EmulatorCommandOptions {
  port: number;
  /** Identity ARNs that can sign in; the first is the default. */
  identities?: string[];
  autoApprove: boolean;
  expiresIn: number;
  sessionDuration: number;
  refreshReuseWindow: number;
  codeTtl: number;
  /** No request log on stderr. */
  quiet: boolean;
}

export async function serveEmulator(options: EmulatorCommandOptions, output: Output): Promise<void> {
  const { quiet, ...emulatorOptions } = options;
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

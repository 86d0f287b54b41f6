/**
 * The `credential_process` line that runs the credential_process binary for a profile: `awslogin-credential-process`
 * by name when it is on PATH (a global install of @awslogin/credential-process, which owns that command), else
 * `awslogin credential-process` when `awslogin` is on PATH (the CLI runs the same binary without loading oclif),
 * else node and the script by absolute path, double-quoted, which both the shell the JS/Go SDKs run it with and
 * botocore's `shlex`/Windows splitters read back as one word each.
 */
import { accessSync, constants, statSync } from "node:fs";
import { createRequire } from "node:module";
import { delimiter, join } from "node:path";
import { AwsLoginError } from "@awslogin/core";

export const CREDENTIAL_PROCESS_BIN = "awslogin-credential-process";
const CLI_BIN = "awslogin";
const CLI_SUBCOMMAND = "credential-process";
const SAFE_PROFILE = /^[A-Za-z0-9._@+=,:/-]{1,128}$/;

/** The first executable file named `name` on PATH (with PATHEXT on Windows), or undefined. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  const extensions = platform === "win32" ? (env.PATHEXT ?? ".COM;.EXE;.BAT;.CMD").split(";") : [""];
  for (const directory of (env.PATH ?? env.Path ?? "").split(delimiter)) {
    if (directory === "") continue;
    for (const extension of extensions) {
      const candidate = join(directory, name + extension);
      try {
        if (!statSync(candidate).isFile()) continue;
        if (platform !== "win32") accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** The script of the `awslogin-credential-process` binary this CLI ships with. */
export function credentialProcessScript(): string {
  return createRequire(import.meta.url).resolve("@awslogin/credential-process/bin");
}

/** A path in double quotes, refusing characters that some reader of `credential_process` would change. */
export function quoteForCredentialProcess(
  path: string,
  platform: NodeJS.Platform = process.platform,
): string {
  const unsafe = platform === "win32" ? /["%\r\n]/ : /["$`\\\r\n]/;
  if (unsafe.test(path)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `The path ${JSON.stringify(path)} has characters a credential_process command line cannot carry safely. Put ${CREDENTIAL_PROCESS_BIN} on PATH (npm install -g @awslogin/cli) and run this again.`,
    );
  }
  return `"${path}"`;
}

/** `awslogin-credential-process --profile P`, `awslogin credential-process --profile P`, or by absolute paths. */
export function credentialProcessCommand(profile: string, env: NodeJS.ProcessEnv): string {
  // The SDKs run the line through a shell (cmd.exe on Windows) and botocore splits it with shlex: a profile name is
  // written bare, so it may only hold characters that none of them reads specially.
  if (!SAFE_PROFILE.test(profile)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `The profile name ${JSON.stringify(profile)} cannot be written into a credential_process line safely (letters, digits and . _ - @ + = , : / only). Rename the profile and run this again.`,
    );
  }
  const args = `--profile ${profile}`;
  if (findOnPath(CREDENTIAL_PROCESS_BIN, env) !== undefined) return `${CREDENTIAL_PROCESS_BIN} ${args}`;
  if (findOnPath(CLI_BIN, env) !== undefined) return `${CLI_BIN} ${CLI_SUBCOMMAND} ${args}`;
  return `${quoteForCredentialProcess(process.execPath)} ${quoteForCredentialProcess(credentialProcessScript())} ${args}`;
}

/** True for a credential_process line that runs awslogin-credential-process (written by this command). */
export function isAwsloginCredentialProcess(value: string): boolean {
  return (
    value.includes(CREDENTIAL_PROCESS_BIN) ||
    value.startsWith(`${CLI_BIN} ${CLI_SUBCOMMAND} `) ||
    /[\\/]credential-process[\\/]dist[\\/]main\.cjs"?\s/.test(value)
  );
}

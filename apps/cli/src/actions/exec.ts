/**
 * `awslogin exec`: runs a command with a profile's credentials in its environment, passing signals on.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { formatIsoExpiration } from "@awslogin/credential-process";
import type { Command } from "@oclif/core";
import type { ExecFlags } from "../commands/exec.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

/**
 * Signals passed on to the command, so that stopping or poking `awslogin exec` stops or pokes what it runs (as
 * `exec` in a shell would, where the command takes awslogin's place). A listener also keeps each of them from ending
 * awslogin while the command runs.
 *
 * SIGUSR1 is safe to take: Node starts its inspector on SIGUSR1 only while no listener is installed (checked on
 * Node 20, and by the exec tests). SIGWINCH and SIGCONT are left alone: the command shares awslogin's terminal, so a
 * resize reaches it from the kernel directly, and SIGCONT (like SIGTSTP/SIGSTOP) is sent by the shell to the whole
 * process group of a job, the command included. SIGKILL and SIGSTOP cannot be caught.
 */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2"] as const;

/**
 * Ctrl-C and Ctrl-\ on a terminal reach the whole foreground process group, the command included: passing them on
 * again would deliver them twice (a second SIGINT makes terraform abort without cleaning up). On a terminal they
 * are only kept from stopping awslogin, which waits for the command; elsewhere (`kill -INT`) they are passed on.
 */
const TERMINAL_SIGNALS = new Set<NodeJS.Signals>(["SIGINT", "SIGQUIT"]);

/**
 * Variables that would pick other credentials than the ones exec passes, or mix with them: SDKs read the profile,
 * web identity and container settings before or beside the static keys (and boto reads AWS_SECURITY_TOKEN as the
 * session token), and a session token or expiry left from the parent would pair with keys it does not belong to.
 */
const CLEARED_VARIABLES = [
  "AWS_PROFILE",
  "AWS_DEFAULT_PROFILE",
  "AWS_SESSION_TOKEN",
  "AWS_SECURITY_TOKEN",
  "AWS_CREDENTIAL_EXPIRATION",
  "AWS_ROLE_ARN",
  "AWS_ROLE_SESSION_NAME",
  "AWS_WEB_IDENTITY_TOKEN_FILE",
  "AWS_CONTAINER_CREDENTIALS_FULL_URI",
  "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN",
  "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
] as const;

/** Shell conventions: 127 not found, 126 found but not runnable, 128 + N killed by signal N. */
const EXIT_NOT_FOUND = 127;
const EXIT_NOT_RUNNABLE = 126;

export interface ExecInput {
  flags: ExecFlags;
  /** Words before the command that are not exec's own flags. */
  extra: readonly unknown[];
  /** The command to run and its arguments. */
  command: readonly string[];
  /** exec's usage line, for the usage errors. */
  usage: string;
}

export async function execWithCredentials(
  cli: Pick<Command, "exit">,
  { flags, extra, command, usage }: ExecInput,
): Promise<void> {
  const [file, ...args] = command;
  const problem =
    extra.length > 0
      ? `Unexpected ${String(extra[0])}.`
      : file === undefined || file === ""
        ? "Name the command to run."
        : undefined;
  if (problem !== undefined || file === undefined) {
    // Core is loaded only here: a cache hit runs the command without it.
    const { AwsLoginError } = await import("@awslogin/core");
    throw new AwsLoginError("INVALID_ARGUMENT", `${problem} Usage: awslogin ${usage}`);
  }
  const { credentials, region } = await loadCredentialsForProfile(flags.profile);

  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED_VARIABLES) delete env[name];
  env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
  env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
  if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
  if (credentials.expiration !== undefined)
    env.AWS_CREDENTIAL_EXPIRATION = formatIsoExpiration(credentials.expiration);
  if (region !== undefined) env.AWS_REGION = region;

  const code = await run(file, args, env);
  cli.exit(code);
}

/** Runs the command with inherited stdio, passing signals on; resolves to the exit code to leave with. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: "inherit" });
    const fromTerminal = Boolean(process.stdin.isTTY);
    const forward = (signal: NodeJS.Signals) => {
      if (fromTerminal && TERMINAL_SIGNALS.has(signal)) return;
      child.kill(signal);
    };
    for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
    const settle = (code: number) => {
      for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
      resolve(code);
    };
    child.once("error", (error: NodeJS.ErrnoException) => {
      const notFound = error.code === "ENOENT";
      const reason = notFound ? "command not found" : `cannot run it (${error.code ?? error.message})`;
      process.stderr.write(`awslogin: ${file}: ${reason}\n`);
      settle(notFound ? EXIT_NOT_FOUND : EXIT_NOT_RUNNABLE);
    });
    child.once("exit", (code, signal) => {
      settle(signal === null ? (code ?? 1) : 128 + (constants.signals[signal] ?? 0));
    });
  });
}

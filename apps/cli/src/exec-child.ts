/**
 * What `awslogin exec` does once it has credentials: runs the command with them in its environment, passing
 * signals on, and answers the exit status to leave with. Free of oclif and core, so that the fast path in
 * bin/run.js and the oclif command run the very same code.
 */
import { spawn } from "node:child_process";
import { constants } from "node:os";
import { formatIsoExpiration } from "@awslogin/credential-process";
import type { ProfileCredentials } from "./cache-hit.js";
import type { Output } from "./output.js";

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

/**
 * Runs `file` (no shell) with inherited stdio and the credentials in its environment (never on its command line);
 * resolves to the exit status to leave with.
 */
export function runWithCredentials(
  file: string,
  args: readonly string[],
  { credentials, region }: ProfileCredentials,
  output: Output,
  parentEnv: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const variables: Array<[string, string]> = [
    ["AWS_ACCESS_KEY_ID", credentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey],
  ];
  if (credentials.sessionToken) variables.push(["AWS_SESSION_TOKEN", credentials.sessionToken]);
  if (credentials.expiration !== undefined)
    variables.push(["AWS_CREDENTIAL_EXPIRATION", formatIsoExpiration(credentials.expiration)]);
  if (region !== undefined) variables.push(["AWS_REGION", region]);
  return runWithVariables(file, args, variables, output, parentEnv);
}

/**
 * Runs `file` like {@link runWithCredentials}, with `variables` set in its environment instead of the credentials
 * (`exec --serve`: the container endpoint's URL and token). Static keys from the parent are removed too, since
 * the SDKs read them before the endpoint.
 */
export function runWithEndpoint(
  file: string,
  args: readonly string[],
  variables: ReadonlyArray<[string, string]>,
  output: Output,
  parentEnv: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...parentEnv };
  for (const name of STATIC_KEY_VARIABLES) delete env[name];
  return runWithVariables(file, args, variables, output, env);
}

/** The static keys `exec` sets, which `exec --serve` must not leave in place. */
const STATIC_KEY_VARIABLES = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] as const;

function runWithVariables(
  file: string,
  args: readonly string[],
  variables: ReadonlyArray<[string, string]>,
  output: Output,
  parentEnv: NodeJS.ProcessEnv,
): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...parentEnv };
  for (const name of CLEARED_VARIABLES) delete env[name];
  for (const [name, value] of variables) env[name] = value;

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
      output.err(`awslogin: ${file}: ${reason}\n`);
      settle(notFound ? EXIT_NOT_FOUND : EXIT_NOT_RUNNABLE);
    });
    child.once("exit", (code, signal) => {
      settle(signal === null ? (code ?? 1) : 128 + (constants.signals[signal] ?? 0));
    });
  });
}

import { spawn } from "node:child_process";
import { constants } from "node:os";
import { AwsLoginError } from "@awslogin/core";
import { formatIsoExpiration } from "@awslogin/credential-process";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

/** Signals passed on to the command, so that stopping `awslogin exec` stops what it runs. */
const FORWARDED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Shell conventions: 127 not found, 126 found but not runnable, 128 + N killed by signal N. */
const EXIT_NOT_FOUND = 127;
const EXIT_NOT_RUNNABLE = 126;

/** Where the command starts: after `--`, else at the first word that is not one of exec's own flags. */
function splitArgv(argv: readonly string[]): { own: string[]; command: string[] } {
  const dashdash = argv.indexOf("--");
  if (dashdash !== -1) return { own: argv.slice(0, dashdash), command: argv.slice(dashdash + 1) };
  let i = 0;
  while (i < argv.length) {
    const arg = argv[i] as string;
    if (arg === "--profile" || arg === "-p") i += 2;
    else if (arg.startsWith("-")) i += 1;
    else break;
  }
  return { own: argv.slice(0, i), command: argv.slice(i) };
}

export class ExecCommand extends BaseCommand {
  static override summary = "Run a command with a profile's credentials in its environment.";
  static override description =
    `Runs COMMAND (no shell) with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION and, when known, AWS_REGION set, and AWS_PROFILE removed so that tools use these
credentials. Credentials are refreshed first when 5 minutes or less are left; they are never put on a command line.
SIGINT, SIGTERM and SIGHUP are passed on to the command; awslogin exits with its exit code (128 + N when signal N
ended it, 127 when it is not found).`;
  static override examples = [
    "<%= config.bin %> exec --profile dev -- aws s3 ls",
    "<%= config.bin %> exec --profile dev -- terraform plan",
    "AWS_PROFILE=dev <%= config.bin %> exec -- node deploy.js --stage prod",
  ];
  static override strict = false;
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile whose credentials to use (default: AWS_PROFILE, then default).",
    }),
  };
  static override usage = "exec [--profile PROFILE] -- COMMAND [ARGS...]";

  async run(): Promise<void> {
    const { own, command } = splitArgv(this.argv);
    const { flags, argv: extra } = await this.parse(ExecCommand, own);
    if (extra.length > 0) {
      throw new AwsLoginError(
        "INVALID_ARGUMENT",
        `Unexpected ${String(extra[0])}. Usage: awslogin ${ExecCommand.usage}`,
      );
    }
    const [file, ...args] = command;
    if (file === undefined || file === "") {
      throw new AwsLoginError(
        "INVALID_ARGUMENT",
        `Name the command to run. Usage: awslogin ${ExecCommand.usage}`,
      );
    }
    const { credentials, region } = await loadCredentialsForProfile(flags.profile);

    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.AWS_PROFILE;
    delete env.AWS_DEFAULT_PROFILE;
    env.AWS_ACCESS_KEY_ID = credentials.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = credentials.secretAccessKey;
    if (credentials.sessionToken) env.AWS_SESSION_TOKEN = credentials.sessionToken;
    if (credentials.expiration !== undefined)
      env.AWS_CREDENTIAL_EXPIRATION = formatIsoExpiration(credentials.expiration);
    if (region !== undefined) env.AWS_REGION = region;

    const code = await run(file, args, env);
    this.exit(code);
  }
}

/** Runs the command with inherited stdio, passing signals on; resolves to the exit code to leave with. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(file, args, { env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => {
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

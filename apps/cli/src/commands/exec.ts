import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";
import { splitExecArgv } from "../exec-argv.js";

export class ExecCommand extends BaseCommand {
  static override summary = "Run a command with a profile's credentials in its environment.";
  static override description =
    `Runs COMMAND (no shell) with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION and, when known, AWS_REGION set, and AWS_PROFILE removed so that tools use these
credentials. Credentials are refreshed first when 5 minutes or less are left; they are never put on a command line.
SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are passed on to the command (SIGINT and SIGQUIT only when
they cannot have come from the terminal, which sends them to the command itself); awslogin exits with its exit code
(128 + N when signal N ended it, 127 when it is not found). With --serve, the command gets
AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN instead of the keys: an endpoint on
127.0.0.1 (as \`awslogin serve\` runs) serves it credentials refreshed in the background, and stops when it exits.`;
  static override examples = [
    "<%= config.bin %> exec --profile dev -- aws s3 ls",
    "<%= config.bin %> exec --profile dev -- terraform plan",
    "<%= config.bin %> exec --serve --profile dev -- terraform apply",
    "AWS_PROFILE=dev <%= config.bin %> exec -- node deploy.js --stage prod",
  ];
  static override strict = false;
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile whose credentials to use (default: AWS_PROFILE, then default).",
    }),
    serve: Flags.boolean({
      description:
        "Serve the credentials from an endpoint on 127.0.0.1 while the command runs (AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN) instead of setting static keys: long jobs never hold expired credentials.",
      default: false,
    }),
  };
  static override usage = "exec [--profile PROFILE] [--serve] -- COMMAND [ARGS...]";

  async run(): Promise<void> {
    const { own, command } = splitExecArgv(this.argv);
    const { flags, argv: extra } = await this.parse(ExecCommand, own);
    const { execWithCredentials } = await import("../actions/exec.js");
    const code = await execWithCredentials(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        extra,
        command,
        usage: ExecCommand.usage,
        serve: flags.serve,
      },
      this.output,
    );
    this.exit(code);
  }
}

import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

/**
 * The emulator's DEFAULT_IDENTITY, copied so that help does not load the emulator (jose, smithy);
 * emulator.test.ts checks that the two agree.
 */
export const EMULATOR_DEFAULT_IDENTITY = "arn:aws:sts::111122223333:assumed-role/Developer/awslogin-demo";

export class EmulatorCommand extends BaseCommand {
  static override summary =
    "Run a local AWS Sign-In + STS emulator on 127.0.0.1 for offline development, demos and tests.";
  static override description =
    `Prints its base URL (http://127.0.0.1:PORT) on the first line of stdout and serves until
SIGINT or SIGTERM. Point logins at it with --endpoint-url, refreshes with AWS_ENDPOINT_URL_SIGNIN, and STS
clients with endpoint = the same URL. The default identity is ${EMULATOR_DEFAULT_IDENTITY}.`;
  static override examples = [
    "<%= config.bin %> emulator --auto-approve",
    "<%= config.bin %> emulator --port 9000 --identity arn:aws:iam::111122223333:user/alice --identity arn:aws:sts::444455556666:assumed-role/Admin/bob",
    "<%= config.bin %> emulator --auto-approve --role arn:aws:iam::444455556666:role/Admin",
    "<%= config.bin %> emulator --expires-in 60 --session-duration 600 --refresh-reuse-window 5",
  ];
  static override flags = {
    port: Flags.integer({
      description: "Port on 127.0.0.1 (0 picks a free port).",
      default: 0,
      min: 0,
      max: 65535,
    }),
    identity: Flags.string({
      description: "An identity ARN that can sign in (repeatable; the first is the default).",
      multiple: true,
    }),
    role: Flags.string({
      description:
        "A role STS AssumeRole accepts: ARN[=trusted-principal-pattern[,pattern...]] (repeatable; * matches any characters; without a pattern, any principal of the accounts of the identities and roles given).",
      multiple: true,
    }),
    "auto-approve": Flags.boolean({
      description: "Sign in the first identity at once, without the sign-in page.",
    }),
    "expires-in": Flags.integer({
      description: "Lifetime of issued credentials in seconds (1-900).",
      default: 900,
      min: 1,
      max: 900,
    }),
    "session-duration": Flags.integer({
      description: "Seconds a login session lasts before TOKEN_EXPIRED.",
      default: 43200,
      min: 1,
    }),
    "refresh-reuse-window": Flags.integer({
      description: "Seconds a rotated refresh token still gets the same answer.",
      default: 0,
      min: 0,
    }),
    "code-ttl": Flags.integer({
      description: "Seconds an authorization code stays valid.",
      default: 300,
      min: 1,
    }),
    "federation-accepts-login-credentials": Flags.boolean({
      description:
        "Let the console federation endpoint take a login session's own credentials (default: only STS credentials, as AWS documents).",
    }),
    quiet: Flags.boolean({ description: "Do not log requests to stderr." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(EmulatorCommand);
    const { serveEmulator } = await import("../actions/emulator.js");
    await serveEmulator(
      {
        port: flags.port,
        ...(flags.identity === undefined ? {} : { identities: flags.identity }),
        ...(flags.role === undefined ? {} : { roles: flags.role }),
        autoApprove: flags["auto-approve"],
        expiresIn: flags["expires-in"],
        sessionDuration: flags["session-duration"],
        refreshReuseWindow: flags["refresh-reuse-window"],
        codeTtl: flags["code-ttl"],
        ...(flags["federation-accepts-login-credentials"] ? { federationAcceptsLoginCredentials: true } : {}),
        quiet: flags.quiet,
      },
      this.output,
    );
  }
}

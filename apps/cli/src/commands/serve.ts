import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class ServeCommand extends BaseCommand {
  static override summary =
    "Serve a profile's credentials on 127.0.0.1 as the SDKs' container credentials endpoint.";
  static override description =
    `Listens on 127.0.0.1 only and prints, as export lines, AWS_CONTAINER_CREDENTIALS_FULL_URI and
AWS_CONTAINER_AUTHORIZATION_TOKEN: every AWS SDK and the AWS CLI that has them (and no other credentials) fetches
the profile's credentials from the endpoint and fetches them again before they expire, while awslogin refreshes
them in the background. Each --profile is served at /profiles/NAME; the printed URL names the first. The token is
random for each start, or read from --token-file (a file only you can read, mode 0600, holding one token of 16 to
1024 visible ASCII characters without quotes, backslashes or spaces). Requests without the token, to another host
name, from a browser, or other than GET are refused. When the session ends, requests get an error that says to
sign in again; after \`awslogin login\` the endpoint serves again without a restart. Stops on Ctrl-C or SIGTERM.`;
  static override examples = [
    "<%= config.bin %> serve --profile dev",
    "<%= config.bin %> serve --profile dev --port 9911 --token-file ~/.aws/serve-token",
    "<%= config.bin %> serve --profile dev --profile prod",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to serve; repeat it to serve several (default: AWS_PROFILE, then default).",
      multiple: true,
    }),
    port: Flags.integer({
      description: "Port on 127.0.0.1 (default: a free one).",
      min: 0,
      max: 65535,
      default: 0,
    }),
    "token-file": Flags.string({
      description: "File holding the token to require (mode 0600); default: a new random token.",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ServeCommand);
    const { serve } = await import("../actions/serve.js");
    const code = await serve(
      { profiles: flags.profile ?? [], port: flags.port, tokenFile: flags["token-file"] },
      this.output,
    );
    this.exit(code);
  }
}

import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class ConsoleCommand extends BaseCommand {
  static override summary = "Open the AWS console in the browser, signed in with a profile's credentials.";
  static override description =
    `Turns the profile's temporary credentials into a console sign-in through the AWS federation endpoint
(getSigninToken, then the login URL) and opens it with the same browser rules as login (BROWSER, WSL). The
endpoint is the partition's (signin.aws.amazon.com, signin.amazonaws.cn, signin.amazonaws-us-gov.com), or the
origin of the profile's Sign-In endpoint when that is overridden (the emulator). AWS documents console sign-in for
role credentials; a login profile's own credentials are tried once, and a refusal says how to add a role profile.
--print writes the login URL to stdout instead, with a warning: it signs anyone in, once, within 15 minutes.`;
  static override examples = [
    "<%= config.bin %> console --profile admin",
    "<%= config.bin %> console --profile admin --destination s3",
    "<%= config.bin %> console --destination https://console.aws.amazon.com/ec2/home?region=eu-west-1",
    "<%= config.bin %> console --profile admin --print",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile whose credentials sign in (default: AWS_PROFILE, then default).",
    }),
    destination: Flags.string({
      char: "d",
      description:
        "A console URL, or a service name such as s3 (default: the console home of the profile's region).",
    }),
    print: Flags.boolean({
      description: "Print the login URL (a credential) instead of opening it.",
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConsoleCommand);
    const { openConsole } = await import("../actions/console.js");
    await openConsole(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        ...(flags.destination === undefined ? {} : { destination: flags.destination }),
        print: flags.print,
        version: this.config.version,
      },
      this.output,
    );
  }
}

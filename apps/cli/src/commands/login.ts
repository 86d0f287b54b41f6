import { Flags } from "@oclif/core";
import { BaseCommand } from "../base-command.js";

export class LoginCommand extends BaseCommand {
  static override summary =
    "Sign in with your AWS console credentials and store short-lived credentials for a profile.";
  static override description =
    `Opens AWS Sign-In in your browser (OAuth 2.0 with PKCE and DPoP, as \`aws login\` does), waits for the
redirect on 127.0.0.1, then writes the token cache (~/.aws/login/cache) and sets login_session in the profile.
Compatible with the AWS CLI and SDKs: they can use the profile right away.`;
  static override examples = [
    "<%= config.bin %> login",
    "<%= config.bin %> login --profile dev --region eu-west-1",
    "<%= config.bin %> login --no-browser",
    "<%= config.bin %> login --remote --profile dev",
    "BROWSER='firefox --new-window %s' <%= config.bin %> login --profile dev",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Profile to sign in (default: AWS_PROFILE, then default).",
    }),
    region: Flags.string({
      description: "Region to sign in to (default: AWS_REGION, the profile's region, or a prompt).",
    }),
    "endpoint-url": Flags.string({
      description: "Sign-In endpoint to use instead of the region's (e.g. an emulator).",
    }),
    "allow-insecure-http-endpoint": Flags.boolean({
      default: false,
      description:
        "Allow a plain http:// Sign-In endpoint on another host (tokens then cross the network unencrypted; warned about on every use). Refreshes need AWSLOGIN_ALLOW_INSECURE_HTTP_ENDPOINT=1. http://127.0.0.1 and localhost need neither.",
    }),
    "redirect-port": Flags.integer({
      description: "Port of the loopback listener (default: a free port).",
      min: 1,
      max: 65535,
    }),
    browser: Flags.boolean({
      allowNo: true,
      default: true,
      description: "Open a browser. --no-browser only prints the URL.",
    }),
    timeout: Flags.integer({ description: "Seconds to wait for the sign-in.", default: 600, min: 1 }),
    force: Flags.boolean({ description: "Replace the profile's other login session without asking." }),
    "expect-account": Flags.string({
      description: "Fail, writing nothing, unless you sign in to this account ID.",
    }),
    remote: Flags.boolean({
      description: "Sign in from another device: open the URL anywhere, then paste the code it shows here.",
      exclusive: ["redirect-port"],
    }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(LoginCommand);
    const { signIn } = await import("../actions/login.js");
    await signIn(
      {
        ...(flags.profile === undefined ? {} : { profile: flags.profile }),
        ...(flags.region === undefined ? {} : { region: flags.region }),
        ...(flags["endpoint-url"] === undefined ? {} : { endpointUrl: flags["endpoint-url"] }),
        allowInsecureHttpEndpoint: flags["allow-insecure-http-endpoint"],
        ...(flags["redirect-port"] === undefined ? {} : { redirectPort: flags["redirect-port"] }),
        openBrowser: flags.browser,
        timeoutSeconds: flags.timeout,
        force: flags.force,
        ...(flags["expect-account"] === undefined ? {} : { expectAccount: flags["expect-account"] }),
        remote: flags.remote,
        version: this.config.version,
      },
      this.output,
    );
  }
}

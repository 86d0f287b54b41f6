import { AwsLoginError, findOtherCredentialKeys } from "@awslogin/core";
import { resolveProfileSession, updateProfile } from "@awslogin/core/node";
import { Flags } from "@oclif/core";
import { BaseCommand } from "../../base-command.js";
import { createContext, resolveProfileName } from "../../context.js";
import { credentialProcessCommand, isAwsloginCredentialProcess } from "../../credential-process-command.js";

/** Keys that give a profile credentials, beyond core's list of `aws login`'s refusals. */
const CREDENTIAL_KEYS = [
  "login_session",
  "aws_secret_access_key",
  "aws_session_token",
  "source_profile",
  "credential_source",
];

export class ConfigureCredentialProcessCommand extends BaseCommand {
  static override summary =
    "Add a profile that gets a login profile's credentials through credential_process.";
  static override description =
    `For tools that do not understand login_session (Terraform, older AWS SDKs): writes a profile NAME
(default: PROFILE-process) with \`credential_process = awslogin-credential-process --profile PROFILE\` and the
login profile's region. The binary is named when it is on PATH, else run by absolute path with this node.
Comments and other profiles in the config file are kept; a profile that already gets credentials another way is
left alone.`;
  static override examples = [
    "<%= config.bin %> configure credential-process --profile dev",
    "<%= config.bin %> configure credential-process --profile dev --name dev-terraform",
    "AWS_PROFILE=dev-process terraform plan",
  ];
  static override flags = {
    profile: Flags.string({
      char: "p",
      description: "Login profile to use (default: AWS_PROFILE, then default).",
    }),
    name: Flags.string({ description: "Profile to write (default: PROFILE-process)." }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigureCredentialProcessCommand);
    const context = createContext();
    const profile = resolveProfileName(flags.profile, context.env);
    const name = flags.name ?? `${profile}-process`;
    if (name === profile) {
      throw new AwsLoginError("INVALID_ARGUMENT", `--name must differ from the login profile ${profile}.`);
    }

    // The login profile must exist and have a session (PROFILE_NOT_FOUND / PROFILE_NOT_LOGIN otherwise).
    const source = await resolveProfileSession({
      profile,
      env: context.env,
      configFilepath: context.configPath,
    });
    const values: Record<string, string> = {
      credential_process: credentialProcessCommand(profile, context.env),
    };
    if (source.region) values.region = source.region;
    await updateProfile(context.configPath, name, values, (target = {}) => {
      const existing = [
        ...findOtherCredentialKeys(target),
        ...CREDENTIAL_KEYS.filter((key) => target[key] !== undefined),
      ];
      const isOurs =
        existing.length === 1 &&
        existing[0] === "credential_process" &&
        isAwsloginCredentialProcess(target.credential_process ?? "");
      if (existing.length > 0 && !isOurs) {
        throw new AwsLoginError(
          "PROFILE_HAS_OTHER_CREDENTIALS",
          `Profile ${name} already gets credentials another way (${existing.join(", ")}). Nothing was changed. Choose another name with --name, or remove those keys first.`,
          { path: context.configPath },
        );
      }
    });

    this.log(`Wrote profile ${name} to ${context.configPath}:`);
    for (const [key, value] of Object.entries(values)) this.log(`  ${key} = ${value}`);
    this.log(
      `Tools that do not understand login_session can use it, e.g. \`AWS_PROFILE=${name} terraform plan\`.`,
    );
  }
}

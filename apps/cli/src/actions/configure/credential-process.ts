/**
 * `awslogin configure credential-process`: writes a profile whose credential_process runs
 * awslogin-credential-process for a login profile, or for a role profile on top of one (docs/protocol.md §17.1).
 */
import { AwsLoginError, findOtherCredentialKeys } from "@awslogin/core";
import { readRoleChain, resolveProfileSession, updateProfile } from "@awslogin/core/node";
import { createContext } from "../../context.js";
import { credentialProcessCommand, isAwsloginCredentialProcess } from "../../credential-process-command.js";
import type { Output } from "../../output.js";
import { resolveProfileName } from "../../profile-name.js";

/**
 * Keys that give a profile credentials, beyond core's list of `aws login`'s refusals. `sso_session` too, though
 * `aws login` may use such a profile: a profile naming an SSO session belongs to someone's SSO set-up, and this
 * command writes only into a profile of its own.
 */
const CREDENTIAL_KEYS = [
  "login_session",
  "sso_session",
  "aws_secret_access_key",
  "aws_session_token",
  "source_profile",
  "credential_source",
];

export interface ConfigureCredentialProcessOptions {
  /** The login profile (default: AWS_PROFILE, then `default`). */
  profile?: string;
  /** The profile to write (default: PROFILE-process). */
  name?: string;
}

export async function configureCredentialProcess(
  options: ConfigureCredentialProcessOptions,
  output: Output,
): Promise<void> {
  const context = createContext();
  const profile = resolveProfileName(options.profile, context.env);
  const name = options.name ?? `${profile}-process`;
  if (name === profile) {
    throw new AwsLoginError("INVALID_ARGUMENT", `--name must differ from the login profile ${profile}.`);
  }

  // A role profile must reach a login profile (ROLE_CHAIN_NOT_LOGIN, ROLE_CHAIN_CYCLE, … otherwise); a login profile
  // must exist and have a session (PROFILE_NOT_FOUND / PROFILE_NOT_LOGIN otherwise).
  const files = { profile, env: context.env, configFilepath: context.configPath };
  const chain = await readRoleChain(files);
  const region =
    chain === undefined
      ? (await resolveProfileSession(files)).region
      : (chain.steps.at(-1)?.region ??
        (await resolveProfileSession({ ...files, profile: chain.rootProfile })).region);
  const values: Record<string, string> = {
    credential_process: credentialProcessCommand(profile, context.env),
  };
  if (region) values.region = region;
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

  output.out(`Wrote profile ${name} to ${context.configPath}:\n`);
  for (const [key, value] of Object.entries(values)) output.out(`  ${key} = ${value}\n`);
  output.out(
    `Tools that do not understand login_session can use it, e.g. \`AWS_PROFILE=${name} terraform plan\`.\n`,
  );
}

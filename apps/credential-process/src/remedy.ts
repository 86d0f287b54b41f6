/**
 * The binary's words for core's remedies. It runs as a profile's `credential_process`, under the AWS CLI or an
 * SDK that shows its stderr line to the user, who may have signed in with the AWS CLI's `aws login` and never
 * installed the awslogin CLI: both commands are named, and the user is sent back to the command they ran.
 */
import type { RemedyWording } from "@awslogin/core/errors";

/** What the binary adds after a core message, per remedy. */
export const BINARY_REMEDY_WORDING: RemedyWording = {
  "sign-in": ({ profile }) => {
    const option = profile === undefined || profile === "default" ? "" : ` --profile ${profile}`;
    return `Run \`aws login${option}\` (AWS CLI 2.32+) or \`awslogin login${option}\`, then run your command again.`;
  },
  diagnose: () =>
    "If it persists, look for an awslogin-credential-process or other process stuck holding the lock (`awslogin doctor` lists the locks, if you have the awslogin CLI).",
};

/**
 * The provider's words for core's remedies, for someone whose app uses the AWS SDK: they may have signed in
 * with the AWS CLI's `aws login` and never installed awslogin, so both commands are named.
 */
import type { RemedyWording } from "@awslogin/core";

/** What the provider adds after a core message, per remedy. */
export const PROVIDER_REMEDY_WORDING: RemedyWording = {
  "sign-in": ({ profile }) => {
    const option = profile === undefined || profile === "default" ? "" : ` --profile ${profile}`;
    return `Run \`aws login${option}\` (AWS CLI 2.32+) or \`awslogin login${option}\`.`;
  },
  diagnose: () =>
    "If it persists, look for a process that is stuck holding the lock (`awslogin doctor` lists the locks, if you use the awslogin CLI).",
};

/**
 * The CLI's words for core's remedies: core's messages say "Sign in again." and carry the remedy as data; the
 * CLI names the `awslogin` command that does it.
 */
import type { RemedyWording } from "@awslogin/core/errors";

/** The login command for a profile: `--profile` only when it is not the default one. */
export function loginHint(profile: string | undefined): string {
  return profile === undefined || profile === "default"
    ? "awslogin login"
    : `awslogin login --profile ${profile}`;
}

/** What the CLI adds after a core message, per remedy. */
export const CLI_REMEDY_WORDING: RemedyWording = {
  "sign-in": ({ profile }) => `Run \`${loginHint(profile)}\`.`,
  diagnose: () => "If it persists, run `awslogin doctor`.",
};

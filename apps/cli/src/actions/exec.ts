/**
 * `awslogin exec`: runs a command with a profile's credentials in its environment, passing signals on.
 */
import { runWithCredentials, runWithEndpoint } from "../exec-child.js";
import type { Output } from "../output.js";
import { loadCredentialsForProfile } from "../profile-credentials.js";

export interface ExecOptions {
  /** The profile whose credentials to use (default: AWS_PROFILE, then `default`). */
  profile?: string;
  /** Words before the command that are not exec's own flags. */
  extra: readonly unknown[];
  /** The command to run and its arguments. */
  command: readonly string[];
  /** exec's usage line, for the usage errors. */
  usage: string;
  /** Serve the credentials from an endpoint on 127.0.0.1 for the command's lifetime instead of static keys. */
  serve?: boolean;
}

/** Runs the command; resolves to the exit status to leave with (the command's, or 126/127/128 + N). */
export async function execWithCredentials(
  { profile, extra, command, usage, serve }: ExecOptions,
  output: Output,
): Promise<number> {
  const [file, ...args] = command;
  const problem =
    extra.length > 0
      ? `Unexpected ${String(extra[0])}.`
      : file === undefined || file === ""
        ? "Name the command to run."
        : undefined;
  if (problem !== undefined || file === undefined) {
    // Core is loaded only here: a cache hit runs the command without it.
    const { AwsLoginError } = await import("@awslogin/core");
    throw new AwsLoginError("INVALID_ARGUMENT", `${problem} Usage: awslogin ${usage}`);
  }
  if (serve === true) {
    const { startEndpoint } = await import("./serve.js");
    const endpoint = await startEndpoint(
      { profiles: profile === undefined ? [] : [profile], port: 0 },
      output,
    );
    try {
      // The first load happens before the command starts: a session that needs a new sign-in fails here, as
      // exec without --serve does, and the region comes with it.
      const { region } = await endpoint.ready();
      // The command gets no AWS_PROFILE, so its SDK reads profile default before the endpoint.
      const { competingProfileWarning, findCompetingProfile } = await import("../serve/competing-profile.js");
      const served = [...endpoint.urls.keys()][0] as string;
      const competing = await findCompetingProfile(served, "default", process.env);
      if (competing !== undefined) {
        output.err(
          competingProfileWarning(
            competing,
            served,
            "Move those keys to a named profile, or run `awslogin exec` without --serve.",
          ),
        );
      }
      const variables: Array<[string, string]> = [...endpoint.variables];
      if (region !== undefined) variables.push(["AWS_REGION", region]);
      return await runWithEndpoint(file, args, variables, output);
    } finally {
      await endpoint.close();
    }
  }
  const loaded = await loadCredentialsForProfile(profile, output);
  return runWithCredentials(file, args, loaded, output);
}

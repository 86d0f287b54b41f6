import { resolveProfile } from "@awslogin/core/resolve";

/** The profile a command acts on: the flag, then AWS_PROFILE, then `default` (core's resolveProfile). */
export function resolveProfileName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return resolveProfile({ flags: { profile: flag }, env }).value;
}

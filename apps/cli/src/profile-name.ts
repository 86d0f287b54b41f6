/** The profile a command acts on: the flag, then AWS_PROFILE, then `default`. */
export function resolveProfileName(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag ?? (env.AWS_PROFILE || undefined) ?? "default";
}

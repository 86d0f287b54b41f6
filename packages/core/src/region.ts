/**
 * Which region a login signs in to.
 * @see docs/protocol.md §7 (region resolution of `aws login`)
 */
import { isCredentialValue } from "./credential-format.js";
import { resolveRegion } from "./resolve.js";

/** The region a login uses when neither a flag, the environment nor the profile names one (as `aws login`). */
export const DEFAULT_REGION = "us-east-1";

/**
 * A syntactically valid region name, and one a cache file may hold as `signInRegion` (credential-format.ts): a
 * region accepted at login must not make the session's own cache file unreadable afterwards.
 */
export function isRegionName(value: string): boolean {
  return /^[a-z]{2,4}(-[a-z]+)+-\d+$/.test(value) && isCredentialValue("region", value);
}

/**
 * The region from the flag, then `AWS_REGION` / `AWS_DEFAULT_REGION`, then the profile's `region` ({@link resolveRegion});
 * undefined when none is set (the caller may then ask, or fail without a terminal).
 */
export function resolveLoginRegion(args: {
  flag?: string | undefined;
  env: Record<string, string | undefined>;
  profileRegion?: string | undefined;
}): string | undefined {
  return resolveRegion({
    flags: { region: args.flag, profile: "profile" },
    env: args.env,
    config: { profile: { region: args.profileRegion } },
  })?.value;
}

/**
 * The role-profile half of `awslogin logout`: the assumed-role cache entries of the role profiles rooted in the
 * session go with it, so that no tool answers those profiles from the cache afterwards. @see docs/protocol.md §17.5
 */
import { removeRoleCacheEntriesOf } from "@awslogin/core/node";
import type { Output } from "./output.js";

/** What role profiles handed out: STS credentials cannot be revoked. */
export const ROLES_STILL_VALID =
  "Note: role credentials already handed out cannot be revoked: they stay valid until they expire, at most 1 hour.";

/**
 * Removes the assume-role cache entries of the role profiles whose chain is rooted in `loginSession`, and says how
 * many (nothing when there were none). Returns how many were removed.
 */
export async function logOutRoles(
  loginSession: string,
  env: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  const { removed, kept } = await removeRoleCacheEntriesOf(loginSession, { env });
  if (removed > 0) {
    output.out(
      `Removed ${removed} cached role credential entr${removed === 1 ? "y" : "ies"} of role profiles on this login session.\n`,
    );
    output.out(`${ROLES_STILL_VALID}\n`);
  }
  if (kept > 0) {
    output.out(
      `Kept ${kept} cached role credential entr${kept === 1 ? "y" : "ies"} that another login profile's role profiles share.\n`,
    );
  }
  return removed;
}

/**
 * Facts of a login session read without zod: the account of a session ARN and the expiry of a cache record. Shared
 * by the schema side (token.ts, token-cache.ts) and by the readers that must start fast (session status on the
 * cache-hit path), so both answer the same.
 * @see docs/protocol.md §5, §6
 */
import { AwsLoginError } from "./errors.js";
import { parseRfc3339 } from "./rfc3339.js";
import type { TokenCacheRecord } from "./token-cache.js";

/** Outside text cut to 200 printable ASCII characters, for a message that must quote it. */
export function sanitize(text: string): string {
  const printable = text.replace(/[^\x20-\x7e]/g, " ").trim();
  return printable.length > 200 ? `${printable.slice(0, 200)}…` : printable;
}

/** The 12-digit account id of an ARN (its 5th colon-separated field). @see docs/protocol.md §5 */
export function accountIdFromArn(arn: string): string {
  const fields = arn.split(":");
  const account = fields[4];
  if (fields[0] !== "arn" || fields.length < 6 || account === undefined || !/^\d{12}$/.test(account)) {
    throw new AwsLoginError(
      "INVALID_ID_TOKEN",
      `The login session "${sanitize(arn)}" is not an ARN with a 12-digit account id. Sign in again.`,
      { remedy: { kind: "sign-in" } },
    );
  }
  return account;
}

/** When the cached credentials expire, in milliseconds since the epoch. @see docs/protocol.md §6 */
export function expiresAtMs(record: TokenCacheRecord): number {
  const ms = parseRfc3339(record.accessToken.expiresAt);
  if (ms === undefined) {
    throw new AwsLoginError(
      "CACHE_MALFORMED",
      "The login token's accessToken.expiresAt is not an RFC 3339 timestamp. Sign in again.",
      { remedy: { kind: "sign-in" } },
    );
  }
  return ms;
}

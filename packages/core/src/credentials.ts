/**
 * The credentials a login session hands out, in the shapes their consumers expect.
 * @see docs/protocol.md §9 (credential_process / export-credentials)
 */
import { expiresAtMs, type TokenCacheRecord } from "./token-cache.js";

/** Short-lived AWS credentials of a login session. */
export interface LoginCredentials {
  /** The access key id (`ASIA…`). */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The session token, required with these temporary keys. */
  sessionToken: string;
  /** The 12-digit account the credentials belong to (the SDK's `accountId`). */
  accountId: string;
  /** When the credentials stop working. */
  expiration: Date;
}

/** The credentials stored in a cache record. */
export function credentialsFromRecord(record: TokenCacheRecord): LoginCredentials {
  return {
    accessKeyId: record.accessToken.accessKeyId,
    secretAccessKey: record.accessToken.secretAccessKey,
    sessionToken: record.accessToken.sessionToken,
    accountId: record.accessToken.accountId,
    expiration: new Date(expiresAtMs(record)),
  };
}

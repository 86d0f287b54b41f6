/**
 * The hot path's view of a login token cache file: is it a record core's `parseTokenCache` accepts, and
 * when do its credentials expire? No zod: a handful of checks mirroring core's schema, with the same value
 * patterns (`@awslogin/core/credential-format`). Anything doubtful answers `undefined`, and the caller takes
 * core's full path, which decides and explains (CACHE_MALFORMED for a value that is not a credential).
 * @see docs/protocol.md §6
 */
import { type CredentialKind, decodeUtf8Strictly, isCredentialValue } from "./credential-format.js";
import { parseRfc3339 } from "./rfc3339.js";
import { sha256Hex } from "./sha256.js";

/** The cache file name without `.json`: SHA-256 of the session id, as core's `loginCacheKey`. @see docs/protocol.md §6 */
export function cacheKey(loginSession: string): string {
  return sha256Hex(loginSession);
}

/** The credentials of a cache record that passed the structural check. */
export interface CachedCredentials {
  /** The access key id (`ASIA…`). */
  accessKeyId: string;
  /** The secret access key. */
  secretAccessKey: string;
  /** The session token the temporary keys need. */
  sessionToken: string;
  /** When they expire, in ms since the epoch. */
  expiration: number;
  /** The 12-digit account id of the signed-in principal. */
  accountId: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isFilled = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isOptional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);
/** core's `emptyOr(kind).nullish()`. */
const isNullishOrEmptyOr = (kind: CredentialKind) => (value: unknown) =>
  value === undefined || value === null || value === "" || isCredentialValue(kind, value);

/**
 * The credentials of a cache file's contents when core's `parseTokenCache` would accept them, else undefined
 * (malformed, not UTF-8, a value that is not a credential, or a shape this reader is unsure of).
 * @see docs/protocol.md §6 (required-on-read)
 */
export function readCachedCredentials(contents: string | Uint8Array): CachedCredentials | undefined {
  return readCachedRecord(contents)?.credentials;
}

/** A cache record that passed the structural check: the parsed JSON as it is (what `parseTokenCache` returns too). */
export interface CachedRecord {
  /** The file's JSON object, unchanged. */
  record: Readonly<Record<string, unknown>>;
  /** Its credentials. */
  credentials: CachedCredentials;
}

/**
 * The record and its credentials when core's `parseTokenCache` would accept the contents (and then return this same
 * object), else undefined. @see docs/protocol.md §6
 */
export function readCachedRecord(contents: string | Uint8Array): CachedRecord | undefined {
  const text = typeof contents === "string" ? contents : decodeUtf8Strictly(contents);
  if (text === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(json)) return undefined;
  const token = json.accessToken;
  if (!isObject(token)) return undefined;
  const { accessKeyId, secretAccessKey, sessionToken, accountId, expiresAt } = token;
  if (
    !isCredentialValue("accessKeyId", accessKeyId) ||
    !isCredentialValue("secretAccessKey", secretAccessKey) ||
    !isCredentialValue("sessionToken", sessionToken) ||
    !isCredentialValue("accountId", accountId)
  ) {
    return undefined;
  }
  if (!isCredentialValue("opaque", json.clientId) || !isCredentialValue("opaque", json.refreshToken))
    return undefined;
  if (!isFilled(json.dpopKey)) return undefined;
  if (![json.tokenType, json.idToken, json.identityToken].every(isNullishOrEmptyOr("opaque")))
    return undefined;
  if (!isNullishOrEmptyOr("region")(json.signInRegion)) return undefined;
  const meta = json.awslogin;
  if (meta !== undefined) {
    if (!isObject(meta)) return undefined;
    const isString = (v: unknown) => typeof v === "string";
    const isTimestamp = (v: unknown) => typeof v === "string" && parseRfc3339(v) !== undefined;
    const isEmptyOrRegion = (v: unknown) => v === "" || isCredentialValue("region", v);
    if (!isOptional(meta.endpoint, isString) || !isOptional(meta.region, isEmptyOrRegion)) return undefined;
    if (!isOptional(meta.sessionStartedAt, isTimestamp)) return undefined;
  }
  const expiration = typeof expiresAt === "string" ? parseRfc3339(expiresAt) : undefined;
  if (expiration === undefined) return undefined;
  return { record: json, credentials: { accessKeyId, secretAccessKey, sessionToken, expiration, accountId } };
}

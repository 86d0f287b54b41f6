/**
 * The hot path's view of a login token cache file: is it a record core's `parseTokenCache` accepts, and
 * when do its credentials expire? No zod: a handful of typeof checks mirroring core's schema. Anything
 * doubtful answers `undefined`, and the caller takes core's full path, which decides and explains.
 * @see PROTOCOL.md §6
 */
import { parseRfc3339 } from "@awslogin/core/rfc3339";
import { sha256Hex } from "./sha256.js";

/** The cache file name without `.json`: SHA-256 of the session id, as core's `loginCacheKey`. @see PROTOCOL.md §6 */
export function cacheKey(loginSession: string): string {
  return sha256Hex(loginSession);
}

export interface CachedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  /** ms since the epoch */
  expiration: number;
  accountId: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const isFilled = (value: unknown): value is string => typeof value === "string" && value.length > 0;
const isNullishString = (value: unknown) =>
  value === undefined || value === null || typeof value === "string";
const isOptional = (value: unknown, check: (v: unknown) => boolean) => value === undefined || check(value);

/**
 * The credentials of a cache file's text when core's `parseTokenCache` would accept it, else undefined
 * (malformed, or a shape this reader is unsure of). @see PROTOCOL.md §6 (required-on-read)
 */
export function readCachedCredentials(text: string): CachedCredentials | undefined {
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
    !isFilled(accessKeyId) ||
    !isFilled(secretAccessKey) ||
    !isFilled(sessionToken) ||
    !isFilled(accountId)
  ) {
    return undefined;
  }
  if (!isFilled(json.clientId) || !isFilled(json.refreshToken) || !isFilled(json.dpopKey)) return undefined;
  if (![json.tokenType, json.idToken, json.identityToken, json.signInRegion].every(isNullishString))
    return undefined;
  const meta = json.awslogin;
  if (meta !== undefined) {
    if (!isObject(meta)) return undefined;
    const isString = (v: unknown) => typeof v === "string";
    const isTimestamp = (v: unknown) => typeof v === "string" && parseRfc3339(v) !== undefined;
    if (!isOptional(meta.endpoint, isString) || !isOptional(meta.region, isString)) return undefined;
    if (!isOptional(meta.sessionStartedAt, isTimestamp)) return undefined;
  }
  const expiration = typeof expiresAt === "string" ? parseRfc3339(expiresAt) : undefined;
  if (expiration === undefined) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken, expiration, accountId };
}

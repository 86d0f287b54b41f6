/**
 * The hot path's view of a login token cache file: is it a record core's `parseTokenCache` accepts, and
 * when do its credentials expire? No zod: a handful of typeof checks mirroring core's schema. Anything
 * doubtful answers `undefined`, and the caller takes core's full path, which decides and explains.
 * @see PROTOCOL.md §6
 */
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
}

const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

/** Milliseconds since the epoch of an RFC 3339 timestamp, or undefined; the same rules as core's reader. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = m[9] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[11]);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  if (offsetHours > 23 || offsetMinutes > 59) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1) return undefined;
  const fractionMs = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offsetMs = (m[9] === "-" ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return date.getTime() + ((hour * 60 + minute) * 60 + second) * 1000 + fractionMs - offsetMs;
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
  return { accessKeyId, secretAccessKey, sessionToken, expiration };
}

/**
 * The login token cache file as data: its name, its location, its schema and the AWS CLI's exact
 * on-disk form. Pure: the clock, the environment and the home directory are passed in.
 * @see docs/protocol.md §6, §12.1, §12.2, §15
 */
import { createHash } from "node:crypto";
// A namespace import, so that the bundler keeps only the parts of zod used (zod is bundled: tsup.config.ts).
import * as z from "zod";
import { CREDENTIAL_PATTERNS, type CredentialKind, decodeUtf8Strictly } from "./credential-format.js";
import { AwsLoginError } from "./errors.js";
import { resolveCacheDirectory } from "./resolve.js";
import { parseRfc3339 } from "./rfc3339.js";
import { expiresAtMs } from "./token-facts.js";

export { expiresAtMs };

/** The cache file name without `.json`: lowercase hex SHA-256 of the UTF-8 session id, untrimmed as the CLI does. @see docs/protocol.md §6, §12.1 */
export function loginCacheKey(loginSession: string): string {
  return createHash("sha256").update(loginSession, "utf8").digest("hex");
}

/** `$AWS_LOGIN_CACHE_DIRECTORY` (after the CLI's expandvars + expanduser) else `<home>/.aws/login/cache` ({@link resolveCacheDirectory}). @see docs/protocol.md §6 */
export function resolveLoginCacheDirectory(args: {
  env: Record<string, string | undefined>;
  homeDir: string;
}): string {
  return resolveCacheDirectory({ env: args.env, homeDir: args.homeDir }).value;
}

const rfc3339 = z
  .string()
  .refine((value) => parseRfc3339(value) !== undefined, "is not an RFC 3339 timestamp");
const required = z.string().min(1);
/** A value of the given kind (credential-format.ts), checked the same way by the hot path's reader. */
const credential = (kind: CredentialKind) => z.string().regex(CREDENTIAL_PATTERNS[kind]);
/** An optional value that is empty or of the given kind (the SDKs treat an empty one as absent). */
const emptyOr = (kind: CredentialKind) => z.union([z.literal(""), credential(kind)]);

/**
 * A login token cache file. Loose at every level so keys written by other tools survive a rewrite;
 * `identityToken` is the Java/Go SDKs' name for `idToken`. Each value that is served, printed or sent has its
 * kind's characters and length (credential-format.ts): anyone who can write this file must not be able to
 * break out of a shell's quotes or the terminal through it. @see docs/protocol.md §6, §15
 */
export const tokenCacheRecordSchema = z.looseObject({
  accessToken: z.looseObject({
    accessKeyId: credential("accessKeyId"),
    secretAccessKey: credential("secretAccessKey"),
    sessionToken: credential("sessionToken"),
    accountId: credential("accountId"),
    expiresAt: rfc3339,
  }),
  tokenType: emptyOr("opaque").nullish(),
  clientId: credential("opaque"),
  refreshToken: credential("opaque"),
  idToken: emptyOr("opaque").nullish(),
  identityToken: emptyOr("opaque").nullish(),
  dpopKey: required,
  signInRegion: emptyOr("region").nullish(),
  awslogin: z
    .looseObject({
      endpoint: z.string().optional(),
      sessionStartedAt: rfc3339.optional(),
      region: emptyOr("region").optional(),
    })
    .optional(),
});

/**
 * A parsed login token cache file, as the AWS CLI and SDKs write it (`~/.aws/login/cache/<sha256(session)>.json`).
 * Keys this type does not name (written by other tools) are kept: every level is open. Equal to what
 * `parseTokenCache` checks, by a compile-time test below. @see docs/protocol.md §6
 */
export interface TokenCacheRecord {
  /** The session's short-lived AWS credentials (STS-shaped values, checked for their kind's characters). */
  accessToken: {
    /** `ASIA…` access key id. */
    accessKeyId: string;
    /** The secret access key; never printed. */
    secretAccessKey: string;
    /** The STS session token sent with every signed request. */
    sessionToken: string;
    /** The 12-digit AWS account id the credentials belong to. */
    accountId: string;
    /** When the credentials expire, RFC 3339 (the AWS CLI writes UTC with `Z`). */
    expiresAt: string;
    /** Keys this type does not name, kept as they are on a rewrite. */
    [key: string]: unknown;
  };
  /** The OAuth token type the service answered (`aws_sigv4`), when recorded. */
  tokenType?: string | null | undefined;
  /** The OAuth client id the session was signed in with (one per login flow, docs/protocol.md §1). */
  clientId: string;
  /** The refresh token, sent with a DPoP proof to get new credentials; rotated by each refresh. */
  refreshToken: string;
  /** The OpenID id token of the sign-in (its `sub` is the login session); `identityToken` in the Java/Go SDKs. */
  idToken?: string | null | undefined;
  /** The Java and Go SDKs' name for {@link TokenCacheRecord.idToken}. */
  identityToken?: string | null | undefined;
  /** The DPoP private key of the session, PEM (SEC 1 `EC PRIVATE KEY`, P-256); refreshes prove possession of it. */
  dpopKey: string;
  /** The region the session was signed in to, where refreshes go first; empty or absent in older records. */
  signInRegion?: string | null | undefined;
  /** What only awslogin records (ignored by the AWS CLI and SDKs). */
  awslogin?:
    | {
        /** The overridden Sign-In endpoint the session was signed in at, so that refreshes go back to it. */
        endpoint?: string | undefined;
        /** When the sign-in happened, RFC 3339 (sessions last at most 12 hours). */
        sessionStartedAt?: string | undefined;
        /** The region recorded at login when the profile had none. */
        region?: string | undefined;
        /** Keys this type does not name (`refreshRefused`, later ones), kept as they are on a rewrite. */
        [key: string]: unknown;
      }
    | undefined;
  /** Keys this type does not name (written by other tools), kept as they are on a rewrite. */
  [key: string]: unknown;
}

/** The interface above and the schema's output are the same type (a change to one must be made to both). */
type SchemaRecord = z.infer<typeof tokenCacheRecordSchema>;
const _recordMatchesSchema: [TokenCacheRecord, SchemaRecord] extends [SchemaRecord, TokenCacheRecord]
  ? true
  : never = true;

/** The credentials and refresh token of a `CreateOAuth2Token` answer that the cache keeps. @see docs/protocol.md §4.3 */
export interface CachedTokenFields {
  accessToken: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  expiresIn: number;
  refreshToken: string;
}

function malformed(path: string, problem: string): AwsLoginError {
  return new AwsLoginError(
    "CACHE_MALFORMED",
    `The login token cache file ${path} ${problem}. Sign in again.`,
    { path, remedy: { kind: "sign-in" } },
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Names what is wrong with each field, never its value: the file holds credentials. */
function describeIssues(root: unknown, issues: readonly z.core.$ZodIssue[]): string {
  const missing: string[] = [];
  const wrong: string[] = [];
  for (const issue of issues) {
    const name = issue.path.map(String).join(".");
    const value = valueAt(root, issue.path);
    if (value === undefined) missing.push(name);
    else if (issue.code === "too_small" || value === "") wrong.push(`${name} is empty`);
    else if (issue.code === "custom") wrong.push(`${name} ${issue.message}`);
    else if (issue.code === "invalid_format" || issue.code === "invalid_union")
      wrong.push(`${name} has characters or a length it cannot have`);
    else if (issue.code === "invalid_type")
      wrong.push(`${name} is not ${/^[aeiou]/.test(issue.expected) ? "an" : "a"} ${issue.expected}`);
    else wrong.push(`${name} is invalid`);
  }
  const parts = missing.length > 0 ? [`lacks ${missing.join(", ")}`] : [];
  if (wrong.length > 0) parts.push(`${parts.length > 0 ? "and " : "is malformed: "}${wrong.join(", ")}`);
  return parts.join(" ");
}

/**
 * A cache file's bytes as text; CACHE_MALFORMED when they are not valid UTF-8 (never served with replacement
 * characters in place of the bad bytes). @see docs/protocol.md §6
 */
export function decodeTokenCache(bytes: Uint8Array, path: string): string {
  const text = decodeUtf8Strictly(bytes);
  if (text === undefined) throw malformed(path, "is not valid UTF-8");
  return text;
}

/**
 * Parses and checks a cache file's text (or its bytes, which must be valid UTF-8); any problem is CACHE_MALFORMED
 * naming the file and the fields. @see docs/protocol.md §6, §12.2 (c)–(f)
 */
export function parseTokenCache(contents: string | Uint8Array, path: string): TokenCacheRecord {
  const text = typeof contents === "string" ? contents : decodeTokenCache(contents, path);
  if (text.trim() === "") throw malformed(path, "is empty");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // The SyntaxError quotes the file's text, which may hold secrets: leave it out.
    throw malformed(path, "is not valid JSON (it may have been cut short)");
  }
  if (!isJsonObject(json)) throw malformed(path, "does not hold a JSON object");
  const result = tokenCacheRecordSchema.safeParse(json);
  if (!result.success) throw malformed(path, describeIssues(json, result.error.issues));
  // The schema only checks (no defaults, no transforms), so the checked input is the record; returning it
  // rather than zod's copy keeps the file's key order, which serializeTokenCache preserves.
  return json as TokenCacheRecord;
}

/** The ID token under either of its names (`idToken`, or Java/Go's `identityToken`). @see docs/protocol.md §6 */
export function idTokenOf(record: TokenCacheRecord): string | undefined {
  return record.idToken ?? record.identityToken ?? undefined;
}

/** `YYYY-MM-DDTHH:MM:SSZ`, fraction truncated, as botocore's `%Y-%m-%dT%H:%M:%SZ`. @see docs/protocol.md §6 */
export function formatExpiresAt(ms: number): string {
  if (!Number.isFinite(ms))
    throw new AwsLoginError("INVALID_ARGUMENT", "An expiry time must be a finite number.");
  const date = new Date(Math.floor(ms / 1000) * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}Z`
  );
}

const ACCESS_TOKEN_ORDER = ["accessKeyId", "secretAccessKey", "sessionToken", "accountId", "expiresAt"];
const RECORD_ORDER = ["accessToken", "tokenType", "clientId", "refreshToken", "idToken", "dpopKey"];

/** Known keys first in the given order, then the others in the object's own order. */
function orderedEntries(object: Record<string, unknown>, order: readonly string[]): Array<[string, unknown]> {
  const entries: Array<[string, unknown]> = [];
  for (const key of order) if (Object.hasOwn(object, key)) entries.push([key, object[key]]);
  for (const key of Object.keys(object)) if (!order.includes(key)) entries.push([key, object[key]]);
  return entries;
}

/** Python `json.dumps` string escaping with `ensure_ascii=True`. */
function pyString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const char = text[i] as string;
    if (char === '"') out += '\\"';
    else if (char === "\\") out += "\\\\";
    else if (char === "\n") out += "\\n";
    else if (char === "\r") out += "\\r";
    else if (char === "\t") out += "\\t";
    else if (char === "\b") out += "\\b";
    else if (char === "\f") out += "\\f";
    else if (unit < 0x20 || unit > 0x7e) out += `\\u${unit.toString(16).padStart(4, "0")}`;
    else out += char;
  }
  return `${out}"`;
}

/** Python's `repr` of a number: integers as digits; small floats with a two-digit exponent (`1e-05`). */
function pyNumber(n: number): string {
  if (!Number.isFinite(n))
    throw new AwsLoginError("INVALID_ARGUMENT", "A token cache value is not a finite number.");
  if (Number.isInteger(n) || Math.abs(n) >= 1e-4) return String(n);
  return n.toExponential().replace(/e([+-])(\d)$/, "e$10$2");
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Python `json.dumps` of a dict whose members come in this order (undefined members are left out). */
function pyObject(
  entries: Array<[string, unknown]>,
  render: (value: unknown, key: string) => string = pyDumps,
): string {
  const members = entries.filter(([, value]) => value !== undefined);
  return `{${members.map(([key, value]) => `${pyString(key)}: ${render(value, key)}`).join(", ")}}`;
}

/** Python `json.dumps(value)` with default options: one line, `", "` and `": "` separators. */
function pyDumps(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return pyString(value);
  if (typeof value === "number") return pyNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map((item) => pyDumps(item ?? null)).join(", ")}]`;
  if (isJsonObject(value)) return pyObject(Object.entries(value));
  throw new AwsLoginError(
    "INVALID_ARGUMENT",
    `A token cache value of type ${typeof value} cannot be written as JSON.`,
  );
}

/**
 * The AWS CLI's form of a cache file (Python `json.dumps`, CLI key order, unknown keys after the known ones);
 * a record with only `identityToken` also gets `idToken`, which aws-c-auth needs. @see docs/protocol.md §6
 */
export function serializeTokenCache(record: TokenCacheRecord): string {
  const idToken = idTokenOf(record);
  const top: Record<string, unknown> =
    (record.idToken === undefined || record.idToken === null) && idToken !== undefined
      ? { ...record, idToken }
      : record;
  return pyObject(orderedEntries(top, RECORD_ORDER), (value, key) =>
    key === "accessToken" && isJsonObject(value)
      ? pyObject(orderedEntries(value, ACCESS_TOKEN_ORDER))
      : pyDumps(value),
  );
}

/** A new cache record from the authorization-code exchange, as `aws login` writes it plus awslogin's metadata. @see docs/protocol.md §6, §12.3, §15 */
export function createTokenCacheRecord(args: {
  tokenResponse: CachedTokenFields & { tokenType: string; idToken?: string | undefined };
  loginSession: string;
  accountId: string;
  clientId: string;
  dpopKeyPem: string;
  now: number;
  signInRegion?: string | undefined;
  endpoint?: string | undefined;
}): TokenCacheRecord {
  if (args.loginSession === "") throw new AwsLoginError("INVALID_ARGUMENT", "The login session id is empty.");
  const { accessToken, tokenType, refreshToken, idToken, expiresIn } = args.tokenResponse;
  const awslogin: Record<string, string> = { sessionStartedAt: new Date(args.now).toISOString() };
  if (args.endpoint !== undefined) awslogin.endpoint = args.endpoint;
  return {
    accessToken: {
      accessKeyId: accessToken.accessKeyId,
      secretAccessKey: accessToken.secretAccessKey,
      sessionToken: accessToken.sessionToken,
      accountId: args.accountId,
      expiresAt: formatExpiresAt(args.now + expiresIn * 1000),
    },
    tokenType,
    clientId: args.clientId,
    refreshToken,
    ...(idToken === undefined ? {} : { idToken }),
    dpopKey: args.dpopKeyPem,
    ...(args.signInRegion === undefined ? {} : { signInRegion: args.signInRegion }),
    awslogin,
  };
}

/** The record after a refresh: new credentials, expiry and refresh token; every other key, known or not, unchanged. @see docs/protocol.md §8, §12.2 (g) */
export function applyRefreshedToken(
  record: TokenCacheRecord,
  tokenResponse: CachedTokenFields,
  now: number,
): TokenCacheRecord {
  return {
    ...record,
    accessToken: {
      ...record.accessToken,
      accessKeyId: tokenResponse.accessToken.accessKeyId,
      secretAccessKey: tokenResponse.accessToken.secretAccessKey,
      sessionToken: tokenResponse.accessToken.sessionToken,
      expiresAt: formatExpiresAt(now + tokenResponse.expiresIn * 1000),
    },
    refreshToken: tokenResponse.refreshToken,
  };
}

/** True for what `aws logout --all` deletes: a JSON object whose `accessToken` is an object with `accessKeyId`. @see docs/protocol.md §6, §7 */
export function isLoginTokenShaped(value: unknown): boolean {
  return (
    isJsonObject(value) && isJsonObject(value.accessToken) && Object.hasOwn(value.accessToken, "accessKeyId")
  );
}

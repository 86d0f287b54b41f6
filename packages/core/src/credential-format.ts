/**
 * What each credential value may look like, checked wherever one enters (a token response, a cache file, an
 * ID token's `sub`) before it is stored or used. The character sets leave out everything a shell, a terminal or
 * an INI file gives a meaning to (whitespace, control characters, quotes, `$`, backticks, `;`...) for the values
 * that reach them; the bounds keep a hostile endpoint or file from planting megabytes.
 * Dependency-free on purpose: core's zod schemas and the credential_process hot path (which bundles this file
 * alone, as `@awslogin/core/credential-format`) share these patterns, so both readers give the same verdict.
 * @see docs/protocol.md §4.3, §5, §6; AWS STS API reference, `Credentials` data type
 */

/**
 * The pattern of each kind of value.
 * - `accessKeyId`: AWS documents 16–128 word characters (`[\w]+`); shorter ones are accepted because the SDKs'
 *   shared test vectors use them (`NEWREFRESHEDKEY`, docs/protocol.md §12.2 g).
 * - `secretAccessKey`, `sessionToken`: base64 as STS issues them, plus the base64url letters `-` and `_`, which
 *   mean nothing to a shell; a session token is 1–2 KB in practice, AWS promises no maximum, so the bound is wide.
 * - `accountId`: 12 digits.
 * - `region`: `us-east-1`, `us-gov-west-1`, `eu-isoe-west-1`... (a superset of the CLI's region check).
 * - `arn`: the login session (the ID token's `sub`) and the like: `arn:<partition>:`, then printable ASCII
 *   without spaces, at most 2048 characters in all.
 * - `opaque`: refresh tokens, ID tokens, client ids, token types: printable ASCII without spaces, bounded.
 */
export const CREDENTIAL_PATTERNS = {
  accessKeyId: /^[A-Za-z0-9_]{1,128}$/,
  secretAccessKey: /^[A-Za-z0-9+/=_-]{1,128}$/,
  sessionToken: /^[A-Za-z0-9+/=_-]{1,16384}$/,
  accountId: /^\d{12}$/,
  region: /^[a-z]{2,4}(?:-[a-z0-9]{1,16}){1,4}-\d{1,3}$/,
  arn: /^(?=[\x21-\x7e]{1,2048}$)arn:aws[a-z-]{0,16}:[\x21-\x7e]+$/,
  opaque: /^[\x21-\x7e]{1,16384}$/,
} as const;

/** A kind of credential value, see {@link CREDENTIAL_PATTERNS}. */
export type CredentialKind = keyof typeof CREDENTIAL_PATTERNS;

/** What each kind is called in messages (never the value: it may be a secret). */
export const CREDENTIAL_KIND_NAMES: Readonly<Record<CredentialKind, string>> = {
  accessKeyId: "an access key id",
  secretAccessKey: "a secret access key",
  sessionToken: "a session token",
  accountId: "a 12-digit account id",
  region: "a region name",
  arn: "an ARN",
  opaque: "a token of printable characters",
};

/** True when `value` is a string of the given kind's characters and length. @see {@link CREDENTIAL_PATTERNS} */
export function isCredentialValue(kind: CredentialKind, value: unknown): value is string {
  return typeof value === "string" && CREDENTIAL_PATTERNS[kind].test(value);
}

// One decoder for both cache readers: `fatal` refuses invalid UTF-8 instead of serving U+FFFD in its place,
// and `ignoreBOM` keeps a BOM in the text, where JSON.parse refuses it as it always did.
const STRICT_UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The text of UTF-8 bytes, or undefined when they are not valid UTF-8 (never replacement characters). */
export function decodeUtf8Strictly(bytes: Uint8Array): string | undefined {
  try {
    return STRICT_UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

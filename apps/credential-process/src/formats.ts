/**
 * The output formats of `aws configure export-credentials`, plus awslogin's one-line `json`.
 *
 * The line formats are meant to be evaluated by a shell (`eval "$(awslogin export --format env)"`), so unlike the
 * AWS CLI, which prints values bare, every value is quoted for its shell: the credentials are validated where
 * they enter (credential-format.ts in core), and the quoting makes sure that even a value that got past that
 * cannot end the quotes and run a command. For valid credentials only the quotes differ from the AWS CLI's bytes:
 * - `env`, `env-no-export` (POSIX sh, bash, zsh, dash): `'…'`, a `'` written as `'\''`;
 * - `fish`: `'…'`, `\` and `'` escaped with a backslash (the only escapes fish knows inside single quotes);
 * - `powershell`: `'…'` (no `$` or backtick expansion), each single quote doubled, the typographic ones too
 *   (PowerShell takes U+2018–U+201B for `'`);
 * - `windows-cmd`: `set "NAME=value"`, which keeps `&`, `|`, `<`, `>` and `^` literal; cmd has no way to quote
 *   `"`, `%`, `!` (delayed expansion) or a line break, so a value holding one is refused.
 * A NUL cannot be in an environment variable: refused in every line format. `process` and `json` are JSON.
 * Pure: the credential_process hot path bundles this file with core's dependency-free error class only.
 * @see docs/protocol.md §9
 */
import { AwsLoginError } from "@awslogin/core/errors";

/** The credentials to print. `expiration` is in ms since the epoch. */
export interface ExportableCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  expiration?: number | undefined;
}

/** `json` adds what a script wants next to the credentials. */
export interface ExportContext {
  accountId?: string | undefined;
  region?: string | undefined;
}

/** The formats of `aws configure export-credentials --format`, then awslogin's `json`. @see docs/protocol.md §9 */
export const EXPORT_FORMATS = [
  "process",
  "env",
  "env-no-export",
  "powershell",
  "windows-cmd",
  "fish",
  "json",
] as const;

export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/**
 * Python's `datetime.isoformat()` of a UTC datetime, as the AWS CLI prints login credentials' expiry:
 * `2025-11-19T00:15:00+00:00`, with `.ffffff` only when there is a fraction. @see docs/protocol.md §9
 */
export function formatIsoExpiration(ms: number): string {
  const date = new Date(ms);
  const millis = date.getUTCMilliseconds();
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}` +
    `${millis === 0 ? "" : `.${pad(millis * 1000, 6)}`}+00:00`
  );
}

/** The `process` object: `Version` 1, the keys, then `SessionToken` and `Expiration` when known. @see docs/protocol.md §9 */
function processObject(credentials: ExportableCredentials): Record<string, string | number> {
  const object: Record<string, string | number> = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
  };
  if (credentials.sessionToken) object.SessionToken = credentials.sessionToken;
  if (credentials.expiration !== undefined) object.Expiration = formatIsoExpiration(credentials.expiration);
  return object;
}

/** `json.dumps(..., indent=2)` + newline: what a `credential_process` must print. @see docs/protocol.md §9 */
export function formatProcess(credentials: ExportableCredentials): string {
  // For a flat object of ASCII strings and an integer, JSON.stringify(…, 2) is Python's indent=2 with (",", ": ").
  return `${JSON.stringify(processObject(credentials), null, 2)}\n`;
}

/**
 * The credentials in one of {@link EXPORT_FORMATS}, newline-terminated, each value quoted for the format's shell;
 * throws INVALID_ARGUMENT for a value the format cannot hold (a NUL; for `windows-cmd` also `"`, `%`, `!`, CR, LF).
 * @see docs/protocol.md §9
 */
export function formatCredentials(
  credentials: ExportableCredentials,
  format: ExportFormat,
  context: ExportContext = {},
): string {
  if (format === "process") return formatProcess(credentials);
  if (format === "json") {
    const object: Record<string, string | number> = processObject(credentials);
    if (context.accountId) object.AccountId = context.accountId;
    if (context.region) object.Region = context.region;
    return `${JSON.stringify(object)}\n`;
  }
  const variables: Array<[string, string]> = [
    ["AWS_ACCESS_KEY_ID", credentials.accessKeyId],
    ["AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey],
  ];
  if (credentials.sessionToken) variables.push(["AWS_SESSION_TOKEN", credentials.sessionToken]);
  if (credentials.expiration !== undefined) {
    variables.push(["AWS_CREDENTIAL_EXPIRATION", formatIsoExpiration(credentials.expiration)]);
  }
  const line = LINE_FORMATS[format];
  return variables.map(([name, value]) => `${line(name, refuseNul(name, value))}\n`).join("");
}

/** One `NAME=value` assignment per format, the value quoted for that shell (see the file's TSDoc). */
const LINE_FORMATS: Record<
  Exclude<ExportFormat, "process" | "json">,
  (name: string, value: string) => string
> = {
  env: (name, value) => `export ${name}=${quotePosix(value)}`,
  "env-no-export": (name, value) => `${name}=${quotePosix(value)}`,
  powershell: (name, value) => `$Env:${name}=${quotePowerShell(value)}`,
  "windows-cmd": (name, value) => `set ${quoteCmd(name, value)}`,
  fish: (name, value) => `set -gx ${name} ${quoteFish(value)}`,
};

/** POSIX sh single quotes: nothing is special inside them but `'` itself, which is closed, escaped, reopened. */
export function quotePosix(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** fish single quotes: inside them only `\\` and `\'` are escapes. */
export function quoteFish(value: string): string {
  return `'${value.replace(/[\\']/g, "\\$&")}'`;
}

/** PowerShell verbatim string: each single quote (ASCII or U+2018–U+201B, which PowerShell also takes) doubled. */
export function quotePowerShell(value: string): string {
  return `'${value.replace(/['\u2018-\u201b]/g, "$&$&")}'`;
}

/** cmd's `"NAME=value"`; throws for the characters cmd cannot quote (validated credentials never have them). */
export function quoteCmd(name: string, value: string): string {
  if (/["%!\r\n\0]/.test(value)) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `${name} holds a character that cmd cannot quote (", %, !, a line break or NUL), so it was not printed. Use --format process or json instead, and run \`awslogin login\` again.`,
    );
  }
  return `"${name}=${value}"`;
}

/** A NUL cannot be in an environment variable, and a shell would cut the value there. */
function refuseNul(name: string, value: string): string {
  if (value.includes("\0")) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `${name} holds a NUL character, which no environment variable can hold, so it was not printed. Run \`awslogin login\` again.`,
    );
  }
  return value;
}

/** True when `value` names one of {@link EXPORT_FORMATS}. */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

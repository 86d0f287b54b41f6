/**
 * The output formats of `aws configure export-credentials`, byte for byte, plus awslogin's one-line `json`.
 * Pure and dependency-free: the credential_process hot path bundles this file and nothing else of ours.
 * @see PROTOCOL.md §9
 */

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

/** The formats of `aws configure export-credentials --format`, then awslogin's `json`. @see PROTOCOL.md §9 */
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
 * `2025-11-19T00:15:00+00:00`, with `.ffffff` only when there is a fraction. @see PROTOCOL.md §9
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

/** The `process` object: `Version` 1, the keys, then `SessionToken` and `Expiration` when known. @see PROTOCOL.md §9 */
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

/** `json.dumps(..., indent=2)` + newline: what a `credential_process` must print. @see PROTOCOL.md §9 */
export function formatProcess(credentials: ExportableCredentials): string {
  // For a flat object of ASCII strings and an integer, JSON.stringify(…, 2) is Python's indent=2 with (",", ": ").
  return `${JSON.stringify(processObject(credentials), null, 2)}\n`;
}

/** The credentials in one of {@link EXPORT_FORMATS}, newline-terminated. @see PROTOCOL.md §9 */
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
  return variables.map(([name, value]) => `${line(name, value)}\n`).join("");
}

/** No quoting or escaping beyond the literal quotes shown, as the AWS CLI does. @see PROTOCOL.md §9 */
const LINE_FORMATS: Record<
  Exclude<ExportFormat, "process" | "json">,
  (name: string, value: string) => string
> = {
  env: (name, value) => `export ${name}=${value}`,
  "env-no-export": (name, value) => `${name}=${value}`,
  powershell: (name, value) => `$Env:${name}="${value}"`,
  "windows-cmd": (name, value) => `set ${name}=${value}`,
  fish: (name, value) => `set -gx ${name} "${value}"`,
};

/** True when `value` names one of {@link EXPORT_FORMATS}. */
export function isExportFormat(value: string): value is ExportFormat {
  return (EXPORT_FORMATS as readonly string[]).includes(value);
}

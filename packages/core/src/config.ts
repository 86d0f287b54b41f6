/**
 * The shared config file (`~/.aws/config`): a reader that sees exactly what the AWS SDK for JavaScript
 * sees (`@smithy/shared-ini-file-loader`, quirks included) and a line-preserving editor that changes
 * only the keys it is asked to. @see docs/protocol.md §7
 */
import { AwsLoginError } from "./errors.js";
import { hasUnprintable, printable } from "./printable.js";

/** The config file as the SDK's `loadSharedConfigFiles().configFile`: `default`, profile names, `sso-session.X`, `services.X`. @see docs/protocol.md §7 */
export type ParsedConfig = Record<string, Record<string, string | undefined>>;

/** The section kinds the SDK keeps (`IniSectionType`). */
const SECTION_TYPES = ["profile", "sso-session", "services"];
/** The SDK's `[type name]` pattern: one whitespace, optional matching quotes, a restricted name. */
const PREFIXED_SECTION = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
/** Section names on which the SDK's parser throws, so that it reads the whole file as empty. */
const POISONED_SECTIONS = ["__proto__", "profile __proto__"];
const PROFILE_NAME = /^[\w\-@+.%:/]+$/;

type ScannedLine =
  | { kind: "section"; section: string | undefined; poisoned: boolean }
  /** `key` includes the sub-property prefix (`s3.max_concurrent_requests`); `value` "" opens a sub-property block. */
  | { kind: "entry"; section: string; key: string; value: string; commentAt: number }
  | { kind: "other" };

/** Where a line's comment starts, as the SDK cuts it: `#` or `;` at the start or after whitespace. */
function commentStart(line: string): number {
  const match = /(^|\s)[;#]/.exec(line);
  return match === null ? -1 : match.index;
}

/** The SDK's name for a section header's text (`profile.a`, `default`), or undefined for one it ignores. */
function sectionKey(name: string): string | undefined {
  const match = PREFIXED_SECTION.exec(name);
  if (match === null) return name;
  const [, type, , sectionName] = match;
  return type !== undefined && SECTION_TYPES.includes(type) ? `${type}.${sectionName}` : undefined;
}

/** Classifies each line exactly as the SDK's `parseIni` does, tracking its section and sub-property state. */
function scanLines(lines: readonly string[]): ScannedLine[] {
  const scanned: ScannedLine[] = [];
  let section: string | undefined;
  let subSection: string | undefined;
  for (const line of lines) {
    const at = commentStart(line);
    const trimmed = (at === -1 ? line : line.slice(0, at)).trim();
    if (trimmed.startsWith("[") && trimmed.endsWith("]") && trimmed.length >= 2) {
      const name = trimmed.slice(1, -1);
      section = sectionKey(name);
      subSection = undefined;
      scanned.push({ kind: "section", section, poisoned: POISONED_SECTIONS.includes(name) });
      continue;
    }
    const equals = trimmed.indexOf("=");
    // The SDK skips lines of an ignored section, and of one named "" (falsy).
    if (!section || equals <= 0) {
      scanned.push({ kind: "other" });
      continue;
    }
    const name = trimmed.slice(0, equals).trim();
    const value = trimmed.slice(equals + 1).trim();
    if (value === "") {
      subSection = name;
      scanned.push({ kind: "entry", section, key: name, value, commentAt: at });
      continue;
    }
    if (subSection !== undefined && line.trimStart() === line) subSection = undefined;
    const key = subSection === undefined ? name : `${subSection}.${name}`;
    scanned.push({ kind: "entry", section, key, value, commentAt: at });
  }
  return scanned;
}

/** The SDK's `parseIni` map: section name → keys, in first-seen order; undefined when the SDK would throw. */
function sectionMap(scanned: readonly ScannedLine[]): Map<string, Record<string, string>> | undefined {
  const map = new Map<string, Record<string, string>>();
  for (const line of scanned) {
    if (line.kind === "section" && line.poisoned) return undefined;
    if (line.kind !== "entry" || line.value === "") continue;
    let values = map.get(line.section);
    if (values === undefined) {
      values = emptyRecord();
      map.set(line.section, values);
    }
    // The SDK's `obj["__proto__"] = "string"` is a no-op (the section itself is still created).
    if (line.key !== "__proto__") values[line.key] = line.value;
  }
  return map;
}

/**
 * A record without a prototype: names from a file (`constructor`, `toString`, `__proto__`) are only ever its own
 * keys, never Object.prototype's members, so a lookup finds exactly what the file has.
 */
function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * Reads a config file as the AWS SDK for JavaScript does: `[default]` and `[profile NAME]` (which wins over
 * `[default]` for `default`), `[sso-session X]`/`[services X]` under `sso-session.X`/`services.X`, bare
 * `[NAME]` ignored, sub-properties as `parent.key`. A `[__proto__]` section makes the SDK read nothing. @see docs/protocol.md §7
 */
export function parseConfigFile(text: string): ParsedConfig {
  const map = sectionMap(scanLines(splitLines(text)));
  const config: ParsedConfig = emptyRecord();
  if (map === undefined) return config;
  const bareDefault = map.get("default");
  if (bareDefault !== undefined) config.default = bareDefault;
  for (const [section, values] of map) {
    const dot = section.indexOf(".");
    if (dot === -1) continue;
    const type = section.slice(0, dot);
    if (!SECTION_TYPES.includes(type)) continue;
    const name = type === "profile" ? section.slice(dot + 1) : section;
    // The SDK would replace the result's prototype here (`[profile "__proto__"]`); keep no such profile.
    if (name === "__proto__") continue;
    config[name] = values;
  }
  return config;
}

/** The keys of a profile, or undefined when the file has no such profile. @see docs/protocol.md §7 */
export function getProfile(
  config: ParsedConfig,
  name: string,
): Record<string, string | undefined> | undefined {
  return Object.hasOwn(config, name) ? config[name] : undefined;
}

/**
 * Profile keys that give a profile credentials of another kind; `aws login` refuses such profiles. `sso_session`
 * alone is not one: it only names an `[sso-session]` section and gives no credentials without `sso_account_id` and
 * `sso_role_name`, and the AWS CLI signs in with such a profile. @see docs/protocol.md §7
 */
export const OTHER_CREDENTIAL_KEYS = [
  "aws_access_key_id",
  "role_arn",
  "sso_start_url",
  "sso_account_id",
  "sso_role_name",
  "credential_process",
  "web_identity_token_file",
] as const;

/**
 * The keys of `profile` that give it credentials of another kind (`aws_access_key_id`, `role_arn`, `sso_account_id`,
 * `credential_process`, …), in a fixed order; empty when `aws login` may use the profile. @see docs/protocol.md §7
 */
export function findOtherCredentialKeys(profile: Record<string, string | undefined>): string[] {
  return OTHER_CREDENTIAL_KEYS.filter((key) => Object.hasOwn(profile, key) && profile[key] !== undefined);
}

/** Throws PROFILE_HAS_OTHER_CREDENTIALS when the profile already gets credentials another way. @see docs/protocol.md §7 */
export function assertLoginCapableProfile(
  profileName: string,
  profile: Record<string, string | undefined> | undefined,
): void {
  if (profile === undefined) return;
  const keys = findOtherCredentialKeys(profile);
  if (keys.length === 0) return;
  throw new AwsLoginError(
    "PROFILE_HAS_OTHER_CREDENTIALS",
    `Profile ${profileName} already gets credentials another way (${keys.join(", ")}). Nothing was changed. Use another profile for the login (for example ${profileName}-login), or remove those keys first.`,
    { remedy: { kind: "sign-in", profile: `${profileName}-login` } },
  );
}

function invalid(message: string): AwsLoginError {
  return new AwsLoginError("INVALID_ARGUMENT", message);
}

/** Refuses what the SDK would read back differently (or not at all) once written as `key = value`. */
function checkEntry(key: string, value: string): void {
  if (/[\r\n]/.test(key) || /[\r\n]/.test(value)) {
    throw invalid(`The config value for ${printable(JSON.stringify(key))} must be a single line.`);
  }
  // A value from the network (the ID token's sub) must not carry terminal escapes into a file that every AWS
  // tool prints from, nor anything another INI reader would split into lines (U+2028, U+0085).
  if (hasUnprintable(key) || hasUnprintable(value)) {
    throw invalid(
      `Cannot write ${printable(JSON.stringify(key))} to the config file: it holds control characters. Nothing was changed.`,
    );
  }
  const [line] = scanLines(["[default]", `${key} = ${value}`]).slice(1);
  const readBack = line?.kind === "entry" && line.key === key && line.value === value && value !== "";
  if (!readBack || key === "__proto__") {
    throw invalid(
      `Cannot write ${printable(JSON.stringify(key))} = ${printable(JSON.stringify(value))} to the config file: the AWS SDKs would not read it back as written (empty, surrounding spaces, "=" in the key, or a " #"/" ;" comment marker).`,
    );
  }
}

/**
 * Throws CONFIG_MALFORMED when the AWS SDKs read no profile at all from the file (a `[__proto__]` or
 * `[profile __proto__]` section makes their parser throw): a profile written there would be reported as set up,
 * yet no AWS tool (nor `awslogin status`) could find it. @see docs/protocol.md §7
 */
export function assertSdkReadableConfig(text: string, path?: string): void {
  if (sectionMap(scanLines(splitLines(text))) !== undefined) return;
  throw new AwsLoginError(
    "CONFIG_MALFORMED",
    `${path === undefined ? "The config file" : printable(path, 1000)} has a [__proto__] section, so the AWS SDKs read no profile from it at all. Nothing was changed. Remove that section and its keys, then try again.`,
    path === undefined ? {} : { path },
  );
}

/** Throws INVALID_ARGUMENT for a profile name the AWS SDKs could not read back from the config file. */
export function assertWritableProfileName(profileName: string): void {
  if (!PROFILE_NAME.test(profileName) || profileName === "__proto__") {
    throw invalid(
      `The profile name ${JSON.stringify(profileName)} cannot be written so that the AWS SDKs read it: use letters, digits and - _ @ + . % : / only.`,
    );
  }
}

/**
 * Sets keys of `[default]` (profile "default") or `[profile NAME]`, changing nothing else: comments, blank
 * lines, order, other keys and sections, line endings. An existing key is replaced where it stands (every
 * occurrence the SDK reads, so the new value wins); a new key goes after the section's last entry; a missing
 * section is appended after one blank line. @see docs/protocol.md §7
 */
export function setProfileValues(text: string, profileName: string, values: Record<string, string>): string {
  assertWritableProfileName(profileName);
  assertSdkReadableConfig(text);
  const entries = Object.entries(values);
  for (const [key, value] of entries) checkEntry(key, value);

  const parts = text.split(/(\r?\n)/);
  const lines = parts.filter((_, i) => i % 2 === 0);
  const endings = parts.filter((_, i) => i % 2 === 1);
  endings.push("");
  const eol = endings[0] === "\r\n" ? "\r\n" : "\n";
  const scanned = scanLines(lines);

  const map = sectionMap(scanned);
  const target =
    profileName !== "default"
      ? `profile.${profileName}`
      : map?.has("profile.default")
        ? "profile.default"
        : "default";

  const pending = new Map(entries);
  scanned.forEach((line, i) => {
    if (line.kind !== "entry" || line.section !== target || line.value === "") return;
    if (!Object.hasOwn(values, line.key)) return;
    const value = values[line.key] as string;
    const original = lines[i] as string;
    const indent = original.slice(0, original.length - original.trimStart().length);
    // Keep an inline comment with the spacing before it.
    const comment =
      line.commentAt === -1 ? "" : original.slice(original.slice(0, line.commentAt).trimEnd().length);
    lines[i] = `${indent}${line.key} = ${value}${comment}`;
    pending.delete(line.key);
  });
  if (pending.size === 0) return join(lines, endings);

  const newLines = [...pending].map(([key, value]) => `${key} = ${value}`);
  const header = scanned.findIndex((line) => line.kind === "section" && line.section === target);
  if (header === -1) {
    let out = text;
    if (out !== "" && !out.endsWith("\n")) out += eol;
    if (out !== "" && !/(^|\n)[^\S\r\n]*\r?\n$/.test(out)) out += eol;
    const name = profileName === "default" ? "default" : `profile ${profileName}`;
    return `${out}[${name}]${eol}${newLines.map((line) => `${line}${eol}`).join("")}`;
  }
  let last = header;
  for (let i = header + 1; i < scanned.length && scanned[i]?.kind !== "section"; i++) {
    if (scanned[i]?.kind === "entry") last = i;
  }
  // The anchor may be the file's last line without a line ending: give it one so the new keys start a line.
  if (endings[last] === "") endings[last] = eol;
  lines.splice(last + 1, 0, ...newLines);
  endings.splice(last + 1, 0, ...newLines.map(() => eol));
  return join(lines, endings);
}

function join(lines: readonly string[], endings: readonly string[]): string {
  return lines.map((line, i) => line + (endings[i] ?? "")).join("");
}

/** A profile's keys. */
export type ProfileValues = Record<string, string | undefined>;

/** A profile as the SDKs see it: the config file's keys, overridden by the credentials file's section. @see docs/protocol.md §7 */
export function mergeProfile(
  fromConfig: ProfileValues | undefined,
  fromCredentials: ProfileValues | undefined,
): ProfileValues | undefined {
  return fromConfig === undefined && fromCredentials === undefined
    ? undefined
    : Object.assign(emptyRecord<string | undefined>(), fromConfig, fromCredentials);
}

/** The credentials file's section of that name (own keys only: `constructor` is no profile). */
export function getCredentialsSection(text: string, profile: string): ProfileValues | undefined {
  const sections = parseCredentialsFile(text);
  return Object.hasOwn(sections, profile) ? sections[profile] : undefined;
}

/**
 * The credentials file as the SDK's `loadSharedConfigFiles().credentialsFile`: sections by their literal name
 * (`[dev]` → `dev`; `[profile dev]` → `profile.dev`, which is not profile `dev`), the same line rules as the
 * config file. The SDKs merge a profile's section here over its config keys. @see docs/protocol.md §7
 */
export function parseCredentialsFile(text: string): Record<string, ProfileValues> {
  const sections = emptyRecord<ProfileValues>();
  for (const [name, values] of sectionMap(scanLines(splitLines(text))) ?? []) sections[name] = values;
  return sections;
}

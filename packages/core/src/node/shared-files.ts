/**
 * The shared config and credentials files, read as the AWS SDK for JavaScript reads them (`parseKnownFiles`): a
 * profile's keys from `~/.aws/config`, overridden by those of the same section in `~/.aws/credentials`. The
 * provider, credential_process, export/exec and the login's profile guard all see this merged view, as the AWS
 * CLI does. @see PROTOCOL.md §7
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { getProfile, parseConfigFile } from "../config.js";

export type ProfileValues = Record<string, string | undefined>;

export interface SharedFilePaths {
  configPath: string;
  credentialsPath: string;
}

/** The SDK's `~/` expansion of a file path (only a leading `~/`). */
function expandHome(path: string, homeDir: string): string {
  return path.startsWith("~/") ? join(homeDir, path.slice(2)) : path;
}

/** Option, then `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`, then `~/.aws/…`, as the SDK resolves them. */
export function resolveSharedFilePaths(
  options: { filepath?: string | undefined; configFilepath?: string | undefined },
  env: Record<string, string | undefined>,
  homeDir: string,
): SharedFilePaths {
  const configPath = options.configFilepath ?? (env.AWS_CONFIG_FILE || join(homeDir, ".aws", "config"));
  const credentialsPath =
    options.filepath ?? (env.AWS_SHARED_CREDENTIALS_FILE || join(homeDir, ".aws", "credentials"));
  return {
    configPath: expandHome(configPath, homeDir),
    credentialsPath: expandHome(credentialsPath, homeDir),
  };
}

const PREFIXED_SECTION = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
const SECTION_TYPES = ["profile", "sso-session", "services"];

/**
 * The credentials file as the SDK's `loadSharedConfigFiles().credentialsFile`: sections by their literal
 * name (`[dev]` → `dev`; `[profile dev]` → `profile.dev`, which is not profile `dev`), sub-properties as
 * `parent.key`, comments cut at `#`/`;` at the start or after whitespace. A `[__proto__]` section makes
 * the SDK read the whole file as empty, so it does here too.
 */
export function parseCredentialsFile(text: string): Record<string, ProfileValues> {
  const sections: Record<string, ProfileValues> = Object.create(null);
  let section: string | undefined;
  let subSection: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = (line.split(/(?:^|\s)[;#]/)[0] ?? "").trim();
    if (trimmed.startsWith("[") && trimmed.endsWith("]") && trimmed.length >= 2) {
      const name = trimmed.slice(1, -1);
      if (name === "__proto__" || name === "profile __proto__") return {};
      const match = PREFIXED_SECTION.exec(name);
      section =
        match === null ? name : SECTION_TYPES.includes(match[1]!) ? `${match[1]}.${match[3]}` : undefined;
      subSection = undefined;
      continue;
    }
    const equals = trimmed.indexOf("=");
    if (!section || equals <= 0) continue;
    const key = trimmed.slice(0, equals).trim();
    const value = trimmed.slice(equals + 1).trim();
    if (value === "") {
      subSection = key;
      continue;
    }
    if (subSection !== undefined && line.trimStart() === line) subSection = undefined;
    const values = sections[section] ?? {};
    sections[section] = values;
    // The SDK's `values["__proto__"] = "…"` changes nothing (the section itself still counts).
    if (key !== "__proto__") values[subSection === undefined ? key : `${subSection}.${key}`] = value;
  }
  return { ...sections };
}

/** The file's text; "" when it cannot be read, as the SDK swallows every read error of these files. */
async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return "";
  }
}

/** The credentials file's section named `profile` (read as the SDK reads it: unreadable means empty). */
export async function readCredentialsSection(
  path: string,
  profile: string,
): Promise<ProfileValues | undefined> {
  const sections = parseCredentialsFile(await readOrEmpty(path));
  return Object.hasOwn(sections, profile) ? sections[profile] : undefined;
}

/** The profile's keys from both files (the credentials file wins), or undefined when neither has it. */
export async function readProfile(
  paths: SharedFilePaths,
  profile: string,
): Promise<ProfileValues | undefined> {
  const [configText, credentialsText] = await Promise.all([
    readOrEmpty(paths.configPath),
    readOrEmpty(paths.credentialsPath),
  ]);
  const fromConfig = getProfile(parseConfigFile(configText), profile);
  const sections = parseCredentialsFile(credentialsText);
  const fromCredentials = Object.hasOwn(sections, profile) ? sections[profile] : undefined;
  if (fromConfig === undefined && fromCredentials === undefined) return undefined;
  return { ...fromConfig, ...fromCredentials };
}

/**
 * A minimal reader of the shared config file for the hot path: the keys of one profile, read as the AWS
 * SDK for JavaScript's `parseIni` reads them (the same rules as core's `parseConfigFile`, which tests hold
 * it equal to), without loading core. Anything it does not understand makes it answer `undefined`, and the
 * caller then takes core's full path, which decides and explains.
 * @see PROTOCOL.md §7
 */

/** The SDK's `[type name]` pattern: one whitespace, optional matching quotes, a restricted name. */
const PREFIXED_SECTION = /^([\w-]+)\s(["'])?([\w\-@+.%:/]+)\2$/;
const SECTION_TYPES = ["profile", "sso-session", "services"];
/** Section names on which the SDK's parser throws, so that it reads the whole file as empty. */
const POISONED_SECTIONS = ["__proto__", "profile __proto__"];

/** `found`: the profile's keys; `missing`: the file has no such profile. */
export type ProfileLookup = { kind: "found"; values: Record<string, string> } | { kind: "missing" };

/** The SDK's key for a section header's text (`profile.a`, `default`), or undefined for one it ignores. */
function sectionKey(name: string): string | undefined {
  const match = PREFIXED_SECTION.exec(name);
  if (match === null) return name;
  return SECTION_TYPES.includes(match[1] as string) ? `${match[1]}.${match[3]}` : undefined;
}

/**
 * The keys of `profile` in the config file's text, as core's `getProfile(parseConfigFile(text), profile)`
 * sees them: `[profile NAME]`, and for `default` also `[default]` (`[profile default]` wins when it has keys).
 */
export function readProfile(text: string, profile: string): ProfileLookup {
  if (profile === "__proto__") return { kind: "missing" };
  const wanted = `profile.${profile}`;
  let prefixed: Record<string, string> | undefined;
  let bare: Record<string, string> | undefined;
  let section: string | undefined;
  let subSection: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const comment = /(^|\s)[;#]/.exec(line);
    const trimmed = (comment === null ? line : line.slice(0, comment.index)).trim();
    if (trimmed.length >= 2 && trimmed.startsWith("[") && trimmed.endsWith("]")) {
      const name = trimmed.slice(1, -1);
      if (POISONED_SECTIONS.includes(name)) return { kind: "missing" };
      section = sectionKey(name);
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
    if (section !== wanted && !(profile === "default" && section === "default")) continue;
    if (section === wanted) prefixed ??= {};
    else bare ??= {};
    const target = (section === wanted ? prefixed : bare) as Record<string, string>;
    const fullKey = subSection === undefined ? key : `${subSection}.${key}`;
    if (fullKey !== "__proto__") target[fullKey] = value;
  }
  const values = prefixed ?? bare;
  return values === undefined ? { kind: "missing" } : { kind: "found", values };
}

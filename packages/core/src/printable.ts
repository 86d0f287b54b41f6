/**
 * Text that came from outside (the network, a file, the environment) made safe to print on a terminal: control
 * characters shown as escapes instead of acting (an OSC 52 sequence can write the clipboard, CSI can clear the
 * screen or move the cursor, a line feed can forge a second error line), and a bound on how much is echoed.
 * Dependency-free, exported alone as `@awslogin/core/printable` so the CLI's error path can use it without
 * loading core.
 */

/** How many characters of one outside value are echoed before it is cut. */
export const PRINTED_VALUE_LIMIT = 200;

/**
 * C0 controls, DEL, C1 controls, the Unicode line and paragraph separators, and the bidirectional marks,
 * embeddings, overrides and isolates (U+061C, U+200E–200F, U+202A–202E, U+2066–2069) that can make a
 * terminal show text in another order than it is.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this file's purpose.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const ANY_UNPRINTABLE = new RegExp(UNPRINTABLE.source);

/** `\u001b` for ESC: the JSON/JavaScript spelling, readable and inert on every terminal. */
function escapeCharacter(character: string): string {
  return `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

/**
 * `text` with every character that a terminal would act on (see above) written as a visible `\uXXXX`, cut to
 * `limit` characters (code points, so no surrogate pair is split) with "…" when longer.
 */
export function printable(text: string, limit: number = PRINTED_VALUE_LIMIT): string {
  const characters = Array.from(text);
  const kept = characters.length > limit ? `${characters.slice(0, limit).join("")}…` : text;
  return kept.replace(UNPRINTABLE, escapeCharacter);
}

/** What JSON.stringify leaves raw in strings and a terminal may still act on: DEL, C1, separators, bidi. */
const RAW_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * `JSON.stringify(value, null, 2)` safe for a terminal: the characters JSON leaves raw that a terminal may act on
 * are written as `\uXXXX` escapes, which any JSON reader decodes to the same value.
 */
export function printableJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(RAW_IN_JSON, escapeCharacter);
}

/** Whether `text` holds a character that {@link printable} would escape. */
export function hasUnprintable(text: string): boolean {
  return ANY_UNPRINTABLE.test(text);
}

/** Test support: what powershell.exe makes of the opener's `-EncodedCommand` (see node/browser.ts). */
import { expect } from "vitest";

/** What PowerShell makes of `-EncodedCommand` text: base64 of UTF-16LE. */
export const decodePowershell = (encoded: string) => Buffer.from(encoded, "base64").toString("utf16le");

/**
 * The value of the one single-quoted literal in `Start-Process -FilePath '…'`, read as PowerShell reads it: a doubled
 * quote (ASCII or typographic) is one quote, a lone one ends the literal. Anything after the literal fails the test.
 */
export function powershellLiteral(script: string): string {
  const prefix = "Start-Process -FilePath '";
  expect(script.startsWith(prefix)).toBe(true);
  const isQuote = (ch: string | undefined) => ch !== undefined && "'\u2018\u2019\u201a\u201b".includes(ch);
  let value = "";
  for (let i = prefix.length; i < script.length; i++) {
    const ch = script[i]!;
    if (isQuote(ch)) {
      if (isQuote(script[i + 1])) {
        value += ch;
        i++;
        continue;
      }
      expect(script.slice(i + 1)).toBe("");
      return value;
    }
    value += ch;
  }
  throw new Error(`unterminated literal in ${script}`);
}

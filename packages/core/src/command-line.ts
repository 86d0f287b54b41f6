/**
 * Splitting a command line such as the `BROWSER` variable into words, as a POSIX shell would
 * (quotes and backslashes), without running a shell.
 */
import { AwsLoginError } from "./errors.js";

/** Splits `text` into words: single quotes are literal, double quotes allow `\"` `\\` `\$` `` \` ``, backslash escapes outside quotes. */
export function splitCommandLine(text: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote === "'") {
      if (ch === "'") quote = undefined;
      else word += ch;
      continue;
    }
    if (quote === '"') {
      if (ch === '"') quote = undefined;
      else if (ch === "\\" && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += ch;
      continue;
    }
    if (ch === "'" || ch === '"') {
      quote = ch;
      inWord = true;
    } else if (ch === "\\") {
      if (i + 1 < text.length) word += text[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (quote !== undefined) {
    throw new AwsLoginError(
      "INVALID_ARGUMENT",
      `The command line has an unclosed ${quote} quote: fix BROWSER.`,
    );
  }
  if (inWord) words.push(word);
  return words;
}

/** The argv that opens `url` with a BROWSER-style command: `%s` replaced by the URL, else the URL appended. */
export function browserCommandFor(browser: string, url: string): string[] {
  const words = splitCommandLine(browser);
  if (words.length === 0)
    throw new AwsLoginError("INVALID_ARGUMENT", "BROWSER is set but empty: unset it or name a program.");
  const hasPlaceholder = words.some((w) => w.includes("%s"));
  return hasPlaceholder ? words.map((w) => w.replaceAll("%s", url)) : [...words, url];
}

/**
 * Issue 7 §1b, the formats no shell here can run (pwsh is not installable, cmd is Windows'): their quoting
 * checked against each shell's documented rules, and what every line format refuses. bash, dash and fish
 * evaluate the other formats for real in test/formats.security.integ.test.ts.
 */
import { AwsLoginError } from "@awslogin/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  EXPORT_FORMATS,
  type ExportFormat,
  formatCredentials,
  quoteCmd,
  quotePowerShell,
} from "./formats.js";

const SAFE = {
  accessKeyId: "ASIAQWERTYUIOPASDFGH",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const LINE_FORMATS = EXPORT_FORMATS.filter((f) => f !== "process" && f !== "json");

/** PowerShell's single-quote characters: `'` and U+2018–U+201B (its tokenizer's `IsSingleQuote`). */
const isSingleQuote = (c: string) => c === "'" || (c >= "\u2018" && c <= "\u201b");

/**
 * A PowerShell verbatim string as its tokenizer reads it: opened by a single quote, closed by one that is not
 * followed by another; two in a row stand for the second. Returns the value and what follows the string.
 */
function readPowerShellString(text: string): { value: string; rest: string } {
  const chars = [...text];
  if (!isSingleQuote(chars[0] ?? "")) throw new Error("not a verbatim string");
  let value = "";
  for (let i = 1; i < chars.length; i++) {
    const c = chars[i] as string;
    if (isSingleQuote(c)) {
      if (!isSingleQuote(chars[i + 1] ?? "")) return { value, rest: chars.slice(i + 1).join("") };
      i++;
      value += chars[i];
      continue;
    }
    value += c;
  }
  throw new Error("unterminated string");
}

const hostile = fc.oneof(
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({
    unit: fc.constantFrom("'", "\u2018", "\u2019", "\u201a", "\u201b", "$", "`", '"', "\n", "a"),
    maxLength: 30,
  }),
);

describe("powershell: $Env:NAME='…' (issue 7 §1b)", () => {
  it("every value reads back exactly and nothing follows the string (property)", () => {
    fc.assert(
      fc.property(
        hostile.filter((v) => !v.includes("\0")),
        (value) => {
          const { value: read, rest } = readPowerShellString(quotePowerShell(value));
          expect(read).toBe(value);
          expect(rest).toBe("");
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("no expansion: $ and backticks stay inside single quotes", () => {
    expect(formatCredentials({ ...SAFE, secretAccessKey: "$(calc)`n'x\u2019" }, "powershell")).toContain(
      "$Env:AWS_SECRET_ACCESS_KEY='$(calc)`n''x\u2019\u2019'\n",
    );
  });
});

describe('windows-cmd: set "NAME=value" (issue 7 §1b)', () => {
  it('a value without ", %, !, CR, LF is written inside the quotes as it is (property)', () => {
    fc.assert(
      fc.property(
        hostile.filter((v) => !/["%!\r\n\0]/.test(v)),
        (value) => {
          expect(quoteCmd("AWS_SESSION_TOKEN", value)).toBe(`"AWS_SESSION_TOKEN=${value}"`);
        },
      ),
      { numRuns: 1000 },
    );
    expect(formatCredentials({ ...SAFE, sessionToken: "a&b|c<d>e^f" }, "windows-cmd")).toContain(
      'set "AWS_SESSION_TOKEN=a&b|c<d>e^f"\n',
    );
  });

  it.each(['"', "%", "!", "\r", "\n", "\0"])("refuses a value holding %j, printing nothing", (bad) => {
    let caught: unknown;
    try {
      formatCredentials({ ...SAFE, secretAccessKey: `x${bad}& calc` }, "windows-cmd");
    } catch (error) {
      caught = error;
    }
    expect(AwsLoginError.isInstance(caught)).toBe(true);
    expect(caught).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect((caught as Error).message).toContain("AWS_SECRET_ACCESS_KEY");
    expect((caught as Error).message).not.toContain("calc");
  });
});

describe("every line format (issue 7 §1b)", () => {
  it.each(LINE_FORMATS)("%s refuses a NUL, which no environment variable can hold", (format) => {
    expect(() => formatCredentials({ ...SAFE, sessionToken: "a\0b" }, format as ExportFormat)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });

  it.each(LINE_FORMATS)("%s writes one line per variable for valid credentials", (format) => {
    const text = formatCredentials(
      { ...SAFE, sessionToken: "IQoJ+/=", expiration: 0 },
      format as ExportFormat,
    );
    expect(text.split("\n")).toHaveLength(5);
  });
});

describe("process and json are JSON whatever the values (issue 7 §1b)", () => {
  it("read back exactly by JSON.parse, one line for json, no raw control or separator characters (property)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (value) => {
        const credentials = { ...SAFE, secretAccessKey: value, sessionToken: `${value}\u2028\u2029` };
        for (const format of ["process", "json"] as const) {
          const text = formatCredentials(credentials, format, { accountId: "012345678901" });
          const parsed = JSON.parse(text) as Record<string, unknown>;
          expect(parsed.SecretAccessKey).toBe(value);
          expect([...text].some((c) => c < " " && c !== "\n")).toBe(false);
          if (format === "json") expect(text.indexOf("\n")).toBe(text.length - 1);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

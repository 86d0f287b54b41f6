import { describe, expect, it } from "vitest";
import { hasUnprintable, PRINTED_VALUE_LIMIT, printable, printableJson } from "./printable.js";

const ESC = "\u001b";
const BEL = "\u0007";

describe("printable: outside values as a terminal shows them", () => {
  it.each([
    ["OSC 52 (clipboard write)", `${ESC}]52;c;ZXZpbA==${BEL}`, "\\u001b]52;c;ZXZpbA==\\u0007"],
    ["CSI clear screen", `${ESC}[2J`, "\\u001b[2J"],
    ["a forged second line", "denied\nError: forged", "denied\\u000aError: forged"],
    ["carriage return", "a\rb", "a\\u000db"],
    ["DEL and a C1 CSI", "a\u007fb\u009bc", "a\\u007fb\\u009bc"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a\\u2028b\\u2029c"],
    ["bidi override and isolate", "a\u202eb\u2066c\u2069", "a\\u202eb\\u2066c\\u2069"],
  ])("escapes %s visibly", (_name, input, shown) => {
    expect(printable(input)).toBe(shown);
    expect(hasUnprintable(input)).toBe(true);
    expect(hasUnprintable(printable(input))).toBe(false);
  });

  it("keeps ordinary text, tabs aside, as it is (ARNs, paths, accents)", () => {
    const text = "arn:aws:sts::111122223333:assumed-role/Dév/ünïcode ~/.aws/config";
    expect(printable(text)).toBe(text);
    expect(hasUnprintable(text)).toBe(false);
  });

  it("cuts a long value after the limit, by code points", () => {
    expect(printable("x".repeat(5000))).toBe(`${"x".repeat(PRINTED_VALUE_LIMIT)}…`);
    expect(printable("😀".repeat(PRINTED_VALUE_LIMIT + 1))).toBe(`${"😀".repeat(PRINTED_VALUE_LIMIT)}…`);
    expect(printable("abc", 2)).toBe("ab…");
  });
});

describe("printableJson: --json output as a terminal shows it", () => {
  it("escapes what JSON leaves raw (C1, separators, bidi) and still parses to the same value", () => {
    const value = { accountId: `1\u009b2J\u2028x\u202ey\u007f`, region: "\u001b[2J\n" };
    const text = printableJson(value);
    expect(hasUnprintable(text.replace(/\n/g, ""))).toBe(false);
    expect(JSON.parse(text)).toEqual(value);
  });
});

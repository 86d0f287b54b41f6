import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { browserCommandFor, splitCommandLine } from "./command-line.js";

describe("splitCommandLine (POSIX shell word splitting, no shell)", () => {
  it.each<[string, string[]]>([
    ["firefox", ["firefox"]],
    ["  firefox   --new-window  ", ["firefox", "--new-window"]],
    ["'/opt/My Browser/bin' -x", ["/opt/My Browser/bin", "-x"]],
    ['"a \\"b\\" c" d', ['a "b" c', "d"]],
    ["a\\ b c", ["a b", "c"]],
    ["''", [""]],
    ["x'y'\"z\"", ["xyz"]],
    ['"$HOME"', ["$HOME"]],
    ["a;b", ["a;b"]],
  ])("%j", (input, expected) => {
    expect(splitCommandLine(input)).toEqual(expected);
  });

  it("rejects an unclosed quote", () => {
    expect(() => splitCommandLine("'abc")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("round-trips words quoted with single quotes", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.string({ minLength: 1 }).filter((s) => !s.includes("'")),
          { minLength: 1 },
        ),
        (words) => {
          const line = words.map((w) => `'${w}'`).join(" ");
          expect(splitCommandLine(line)).toEqual(words);
        },
      ),
    );
  });
});

describe("browserCommandFor", () => {
  const url = "http://127.0.0.1:9/v1/authorize?a=b&c=d";
  it("appends the URL when there is no %s", () => {
    expect(browserCommandFor("open -a Safari", url)).toEqual(["open", "-a", "Safari", url]);
  });
  it("replaces %s, keeping the URL one word even with shell metacharacters", () => {
    expect(browserCommandFor("chromium --app=%s", url)).toEqual(["chromium", `--app=${url}`]);
  });
  it("rejects an empty BROWSER", () => {
    expect(() => browserCommandFor("   ", url)).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT" }),
    );
  });
});

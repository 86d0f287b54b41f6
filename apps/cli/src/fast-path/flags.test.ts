import { describe, expect, it } from "vitest";
import { parseFastFlags } from "./flags.js";

const names = { profile: { char: "p" }, format: { char: "f" } };

describe("parseFastFlags", () => {
  it("reads --name value, --name=value and -c value", () => {
    expect(parseFastFlags([], names)).toEqual({});
    expect(parseFastFlags(["--profile", "dev", "-f", "env"], names)).toEqual({
      profile: "dev",
      format: "env",
    });
    expect(parseFastFlags(["--format=json", "-p", "a=b"], names)).toEqual({ format: "json", profile: "a=b" });
  });

  it("declines anything else, for oclif to parse and explain", () => {
    for (const argv of [
      ["--bogus", "x"],
      ["--profile"],
      ["--profile="],
      ["--profile", "--format", "env"],
      ["--profile", "-x"],
      ["-pdev"],
      ["-x", "dev"],
      ["--profile", "a", "--profile", "b"],
      ["-p", "a", "--profile=b"],
      ["word"],
      ["--"],
      ["--help"],
      ["--constructor", "x"],
    ]) {
      expect(parseFastFlags(argv, names), argv.join(" ")).toBeUndefined();
    }
  });
});

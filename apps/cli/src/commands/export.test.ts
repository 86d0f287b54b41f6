import { EXPORT_FORMATS } from "@awslogin/credential-process";
import { describe, expect, it } from "vitest";
import { ExportCommand, FORMAT_OPTIONS } from "./export.js";

describe("export command", () => {
  it("offers exactly @awslogin/credential-process's formats, in its order", () => {
    expect(FORMAT_OPTIONS).toEqual(EXPORT_FORMATS);
    expect(ExportCommand.flags.format.options).toEqual([...EXPORT_FORMATS]);
  });
});

import { DEFAULT_IDENTITY } from "@awslogin/emulator";
import { describe, expect, it } from "vitest";
import { EMULATOR_DEFAULT_IDENTITY, EmulatorCommand } from "./emulator.js";

describe("emulator command", () => {
  it("names the emulator's own default identity in its help", () => {
    expect(EMULATOR_DEFAULT_IDENTITY).toBe(DEFAULT_IDENTITY);
    expect(EmulatorCommand.description).toContain(DEFAULT_IDENTITY);
  });
});
